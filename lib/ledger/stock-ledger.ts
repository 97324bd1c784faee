import * as z from 'zod';
import type { CampaignStatus, CampaignTotals } from '../campaigns/campaign';
import type { ReservationShard } from '../campaigns/reservation-items';
import type { StockShardFlows } from '../templates/template-repository';

/**
 * A template's stock ledger: stock ever added = stock left in the shards + coupons issued by every path
 * + stock reserved by campaigns and not yet issued or given back. Its terms come from independent places
 * (the template's total, its shards' flows, each campaign's reservation and counters), so that they
 * balance is a check, not a tautology: every move between them is one transaction, and any write that
 * slipped past that shows here.
 */
export const LedgerCheck = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });

export const CampaignLedgerView = z.object({
  campaignId: z.string(),
  status: z.string(),
  reserved: z.int(),
  issued: z.int(),
  givenBack: z.int(),
  /** Reserved and neither issued nor given back: in the pool, or held by chunks in flight. */
  outstanding: z.int(),
  pool: z.int(),
  inFlight: z.int(),
});

export const StockLedgerView = z.object({
  templateId: z.string(),
  added: z.int(),
  inShards: z.int(),
  issued: z.object({ claims: z.int(), campaigns: z.int(), total: z.int() }),
  reservedOutstanding: z.int(),
  /** added - (inShards + issued + reservedOutstanding): 0 when the ledger balances. */
  difference: z.int(),
  balanced: z.boolean(),
  checks: z.array(LedgerCheck),
  campaigns: z.array(CampaignLedgerView),
  /** Coupons of the template counted from the table's stream (statistics; lags the writes by seconds). */
  couponsCounted: z.int(),
  checkedAt: z.string(),
});
export type StockLedger = z.infer<typeof StockLedgerView>;

export interface CampaignLedgerInput {
  readonly campaignId: string;
  readonly status: CampaignStatus;
  readonly reserved: number;
  readonly totals: CampaignTotals;
  readonly reservation: readonly ReservationShard[];
}

const sum = <T>(items: readonly T[], of: (item: T) => number) => items.reduce((total, item) => total + of(item), 0);

/** The ledger from what was read. Pure. */
export function stockLedger(input: {
  templateId: string;
  added: number;
  shards: readonly StockShardFlows[];
  campaigns: readonly CampaignLedgerInput[];
  couponsCounted: number;
  checkedAt: string;
}): StockLedger {
  const campaigns = input.campaigns.map((c) => {
    const givenBack = sum(c.reservation, (s) => s.givenBack);
    const pool = sum(c.reservation, (s) => s.available);
    const issued = c.totals.issued;
    return { campaignId: c.campaignId, status: c.status, reserved: c.reserved, issued, givenBack, outstanding: c.reserved - issued - givenBack, pool, inFlight: sum(c.reservation, (s) => s.drawn - s.returned) - issued };
  });
  const inShards = sum(input.shards, (s) => s.available);
  const claims = sum(input.shards, (s) => s.claimed);
  const campaignIssued = sum(campaigns, (c) => c.issued);
  const reservedOutstanding = sum(campaigns, (c) => c.outstanding);
  const difference = input.added - (inShards + claims + campaignIssued + reservedOutstanding);

  const checks = [{ name: 'equation', ok: difference === 0, detail: `added ${input.added} = in shards ${inShards} + issued ${claims + campaignIssued} + reserved ${reservedOutstanding}` }];
  const legacy = input.shards.some((s) => s.added === undefined);
  if (!legacy) {
    const shardAdded = sum(input.shards, (s) => s.added ?? 0);
    checks.push({ name: 'shards-added', ok: shardAdded === input.added, detail: `the shards received ${shardAdded}, the template counts ${input.added}` });
    const off = input.shards.filter((s) => s.added !== s.available + s.claimed + s.reserved - s.returned).map((s) => s.shard);
    checks.push({ name: 'shard-flows', ok: off.length === 0, detail: off.length === 0 ? 'every shard: added = available + claimed + reserved - returned' : `shards off: ${off.join(', ')}` });
  }
  const reservedByShards = sum(input.shards, (s) => s.reserved);
  const returnedToShards = sum(input.shards, (s) => s.returned);
  const reservedByCampaigns = sum(campaigns, (c) => c.reserved);
  const givenBackByCampaigns = sum(campaigns, (c) => c.givenBack);
  checks.push({
    name: 'campaign-reservations',
    ok: reservedByShards === reservedByCampaigns && returnedToShards === givenBackByCampaigns,
    detail: `shards reserved ${reservedByShards} / campaigns ${reservedByCampaigns}; shards got back ${returnedToShards} / campaigns gave back ${givenBackByCampaigns}`,
  });
  const negative = campaigns.filter((c) => c.outstanding < 0 || c.pool < 0 || c.inFlight < 0 || c.outstanding !== c.pool + c.inFlight).map((c) => c.campaignId);
  checks.push({ name: 'campaign-outstanding', ok: negative.length === 0, detail: negative.length === 0 ? 'every campaign: outstanding = pool + in flight, none negative' : `campaigns off: ${negative.join(', ')}` });

  return {
    templateId: input.templateId,
    added: input.added,
    inShards,
    issued: { claims, campaigns: campaignIssued, total: claims + campaignIssued },
    reservedOutstanding,
    difference,
    balanced: checks.every((check) => check.ok),
    checks,
    campaigns,
    couponsCounted: input.couponsCounted,
    checkedAt: input.checkedAt,
  };
}
