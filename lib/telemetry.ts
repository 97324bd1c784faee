import { codeFailureMetric, ledgerImbalanceMetric, lifecycleBacklogMetric } from './topology';

/**
 * Business metrics, as the domain and the entry points report them. The port knows nothing of
 * CloudWatch: on Lambda the Powertools adapter (lib/observability.ts) turns each count into an EMF
 * metric; the local stack and tests use a recorder.
 */
export const BusinessMetric = {
  /** Coupons issued by claims (not replays). */
  couponsClaimed: 'CouponsClaimed',
  /** A claim transaction that met another one on the same items and was tried again. */
  claimContentionRetries: 'ClaimContentionRetries',
  /** Campaign coupons written and counted by the worker (sum per minute / 60 = coupons per second). */
  campaignCouponsIssued: 'CampaignCouponsIssued',
  /** Carts priced by POST /v1/coupons/quote. */
  quotesPriced: 'QuotesPriced',
  /** Orders whose coupons were locked (first lock, not replays). */
  ordersLocked: 'OrdersLocked',
  /** A request answered with a 4xx refusal; dimensions `route` and `code` (SOLD_OUT, LIMIT_REACHED, ...). */
  requestsRefused: 'RequestsRefused',
  /** Coupons moved to expired by the expiry job. */
  couponsExpired: 'CouponsExpired',
  /** Expiry reminders recorded (each published once as CouponsExpiringSoon). */
  remindersSent: 'RemindersSent',
  /** Coupons moved from the table to the archive. */
  couponsArchived: 'CouponsArchived',
  /** Coupons issued by code redemptions (not replays). */
  codesRedeemed: 'CodesRedeemed',
  /** A redemption refused in a way a guess could be (unknown, mistyped, redeemed, revoked, outside validity); dimension `reason`. An alarm watches the rate. */
  codeRedemptionFailures: codeFailureMetric.name,
  /** A redemption answered 429 without a lookup (the user or the address failed too often). */
  codeRedemptionsThrottled: 'CodeRedemptionsThrottled',
  /** A lifecycle job run that stopped before it was done (its time ran out): 0 when it finished. Dimension `job`. */
  lifecycleBacklog: lifecycleBacklogMetric.name,
  /** Templates whose stock ledger did not balance in the daily audit (0 is published too: the alarm sees the audit ran). */
  stockLedgerImbalances: ledgerImbalanceMetric.name,
} as const;
export type BusinessMetric = (typeof BusinessMetric)[keyof typeof BusinessMetric];

export type MetricDimensions = Readonly<Record<string, string>>;

export interface Telemetry {
  count(metric: BusinessMetric, value?: number, dimensions?: MetricDimensions): void;
}

export const noTelemetry: Telemetry = { count: () => {} };

/** Keeps every count in memory: the local stack and tests read them back. */
export class RecordingTelemetry implements Telemetry {
  readonly counts: Array<{ metric: BusinessMetric; value: number; dimensions: MetricDimensions }> = [];

  count(metric: BusinessMetric, value = 1, dimensions: MetricDimensions = {}): void {
    this.counts.push({ metric, value, dimensions });
  }

  total(metric: BusinessMetric, dimensions: MetricDimensions = {}): number {
    return this.counts
      .filter((c) => c.metric === metric && Object.entries(dimensions).every(([name, value]) => c.dimensions[name] === value))
      .reduce((sum, c) => sum + c.value, 0);
  }
}
