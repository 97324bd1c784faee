import { defineRoutes } from '../http/route';
import { QuoteView } from './pricing-views';
import { QuoteInput } from './quote-service';

/** Shop: which of my coupons fit a cart, and the best combination. */
export const quoteRoutes = defineRoutes({
  quoteCoupons: {
    method: 'POST',
    path: '/v1/coupons/quote',
    entry: 'functions/coupons/quote-coupons.ts',
    scope: 'user',
    tableAccess: 'read',
    summary: 'Which of my coupons fit this cart, what each saves and why others do not, and the best combination',
    request: { body: QuoteInput },
    response: { status: 200, schema: QuoteView, description: 'Verdicts per coupon and the best combination with totals' },
    errors: [404],
  },
});
