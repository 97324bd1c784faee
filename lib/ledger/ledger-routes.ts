import { defineRoutes } from '../http/route';
import { TemplateIdPath } from '../templates/template-schema';
import { StockLedgerView } from './stock-ledger';

/** Back office: a template's stock ledger. */
export const ledgerRoutes = defineRoutes({
  getStockLedger: {
    method: 'GET',
    path: '/v1/admin/templates/{templateId}/ledger',
    entry: 'functions/ledger/get-stock-ledger.ts',
    scope: 'coupons/admin',
    tableAccess: 'read',
    summary: 'The stock ledger: added = left in the shards + issued by every path + reserved by campaigns and not yet issued or given back, term by term, and whether it balances',
    request: { path: TemplateIdPath },
    response: { status: 200, schema: StockLedgerView, description: 'The ledger' },
    errors: [404],
  },
});
