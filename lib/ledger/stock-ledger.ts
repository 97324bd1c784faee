import * as z from 'zod';
import type { CampaignStatus, CampaignTotals } from '../campaigns/campaign';
import type { ReservationShard } from '../campaigns/reservation-items';
import type { StockShardFlows } from '../templates/template-repository';

/**
 * A template's stock ledger: stock ever added = stock left in the shards + coupons issued by every path
 * (and, for a template imported from a legacy system, the units it had issued before: carried over)
 * + stock reserved by campaigns and code batches and not yet issued or given back. Its terms come from independent places
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

export const CodeBatchLedgerView = z.object({
  batchId: z.string(),
  status: z.string(),
  reserved: z.int(),
  redeemed: z.int(),
  givenBack: z.int(),
  /** Reserved and neither redeemed nor given back: the units of the batch's unredeemed codes. */
  outstanding: z.int(),
});

export const StockLedgerView = z.object({
  templateId: z.string(),
  added: z.int(),
  inShards: z.int(),
  issued: z.object({ claims: z.int(), campaigns: z.int(), codes: z.int(), carriedOver: z.int(), total: z.int() }),
  reservedOutstanding: z.int(),
  /** added - (inShards + issued + reservedOutstanding): 0 when the ledger balances. */
  difference: z.int(),
  balanced: z.boolean(),
  checks: z.array(LedgerCheck),
  campaigns: z.array(CampaignLedgerView),
  codeBatches: z.array(CodeBatchLedgerView),
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

export interface CodeBatchLedgerInput {
  readonly batchId: string;
  readonly status: string;
  readonly reserved: number;
  /** Its counter shards' units: still available, redeemed, given back. */
  readonly shards: ReadonlyArray<{ readonly available: number; readonly redeemed: number; readonly givenBack: number }>;
}

const sum = <T>(items: readonly T[], of: (item: T) => number) => items.reduce((total, item) => total + of(item), 0);

/** The ledger from what was read. Pure. */
export function stockLedger(input: {
  templateId: string;
  added: number;
  /** Units a legacy system issued before the template was imported (never in the shards). */
  carriedOver: number;
  shards: readonly StockShardFlows[];
  campaigns: readonly CampaignLedgerInput[];
  codeBatches: readonly CodeBatchLedgerInput[];
  couponsCounted: number;
  checkedAt: string;
}): StockLedger {
  const campaigns = input.campaigns.map((c) => {
    const givenBack = sum(c.reservation, (s) => s.givenBack);
    const pool = sum(c.reservation, (s) => s.available);
    const issued = c.totals.issued;
    return { campaignId: c.campaignId, status: c.status, reserved: c.reserved, issued, givenBack, outstanding: c.reserved - issued - givenBack, pool, inFlight: sum(c.reservation, (s) => s.drawn - s.returned) - issued };
  });
  const codeBatches = input.codeBatches.map((b) => {
    const redeemed = sum(b.shards, (s) => s.redeemed);
    const givenBack = sum(b.shards, (s) => s.givenBack);
    return { batchId: b.batchId, status: b.status, reserved: b.reserved, redeemed, givenBack, outstanding: b.reserved - redeemed - givenBack, pool: sum(b.shards, (s) => s.available) };
  });
  const inShards = sum(input.shards, (s) => s.available);
  const claims = sum(input.shards, (s) => s.claimed);
  const campaignIssued = sum(campaigns, (c) => c.issued);
  const codeIssued = sum(codeBatches, (b) => b.redeemed);
  const reservedOutstanding = sum(campaigns, (c) => c.outstanding) + sum(codeBatches, (b) => b.outstanding);
  const issued = claims + campaignIssued + codeIssued + input.carriedOver;
  const difference = input.added - (inShards + issued + reservedOutstanding);

  const checks = [{ name: 'equation', ok: difference === 0, detail: `added ${input.added} = in shards ${inShards} + issued ${issued} + reserved ${reservedOutstanding}` }];
  const legacy = input.shards.some((s) => s.added === undefined);
  if (!legacy) {
    const shardAdded = sum(input.shards, (s) => s.added ?? 0);
    checks.push({ name: 'shards-added', ok: shardAdded + input.carriedOver === input.added, detail: `the shards received ${shardAdded} (+ ${input.carriedOver} carried over), the template counts ${input.added}` });
    const off = input.shards.filter((s) => s.added !== s.available + s.claimed + s.reserved - s.returned).map((s) => s.shard);
    checks.push({ name: 'shard-flows', ok: off.length === 0, detail: off.length === 0 ? 'every shard: added = available + claimed + reserved - returned' : `shards off: ${off.join(', ')}` });
  }
  const reservedByShards = sum(input.shards, (s) => s.reserved);
  const returnedToShards = sum(input.shards, (s) => s.returned);
  const reservedByOthers = sum(campaigns, (c) => c.reserved) + sum(codeBatches, (b) => b.reserved);
  const givenBackByOthers = sum(campaigns, (c) => c.givenBack) + sum(codeBatches, (b) => b.givenBack);
  checks.push({
    name: 'reservations',
    ok: reservedByShards === reservedByOthers && returnedToShards === givenBackByOthers,
    detail: `shards reserved ${reservedByShards} / campaigns and code batches ${reservedByOthers}; shards got back ${returnedToShards} / campaigns and code batches gave back ${givenBackByOthers}`,
  });
  const negative = campaigns.filter((c) => c.outstanding < 0 || c.pool < 0 || c.inFlight < 0 || c.outstanding !== c.pool + c.inFlight).map((c) => c.campaignId);
  checks.push({ name: 'campaign-outstanding', ok: negative.length === 0, detail: negative.length === 0 ? 'every campaign: outstanding = pool + in flight, none negative' : `campaigns off: ${negative.join(', ')}` });

  const batchesOff = codeBatches.filter((b) => b.outstanding < 0 || b.outstanding !== b.pool).map((b) => b.batchId);
  checks.push({ name: 'code-batches', ok: batchesOff.length === 0, detail: batchesOff.length === 0 ? 'every code batch: outstanding = units of its unredeemed codes, none negative' : `code batches off: ${batchesOff.join(', ')}` });

  return {
    templateId: input.templateId,
    added: input.added,
    inShards,
    issued: { claims, campaigns: campaignIssued, codes: codeIssued, carriedOver: input.carriedOver, total: issued },
    reservedOutstanding,
    difference,
    balanced: checks.every((check) => check.ok),
    checks,
    campaigns,
    codeBatches: codeBatches.map(({ pool: _pool, ...batch }) => batch),
    couponsCounted: input.couponsCounted,
    checkedAt: input.checkedAt,
  };
}
