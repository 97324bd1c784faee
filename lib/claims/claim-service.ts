import { requestFingerprint } from '../fingerprint';
import { type CouponView, couponView, issueCoupon, type Coupon } from '../coupons/coupon';
import type { CouponRepository } from '../coupons/coupon-repository';
import { ConflictError, ContentionError, IdempotencyKeyReusedError, NotFoundError } from '../errors';
import type { IdGenerator } from '../ids';
import type { Template } from '../templates/template';
import type { StockShard } from '../templates/template-repository';
import { type Clock, toEpochMs, toIso } from '../time';
import type { ClaimLine, ClaimRepository, IdempotencyRecord } from './claim-repository';
import { type ClaimRefusal, claimRefusal, hasAudience, type UserTags } from './eligibility';
import { allocateFromKnownStock, pickRandomShard, type Random, type ShardTake } from './stock-allocation';
import type { TemplateCache } from './template-cache';
import { claimCounterRetainUntil } from '../issuance/issuance-policy';
import { BusinessMetric, type Telemetry } from '../telemetry';

export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
export const MAX_TEMPLATES_PER_CLAIM = 10;

export class ClaimRefusedError extends ConflictError {
  constructor(readonly refusals: readonly ClaimRefusal[]) {
    super('CLAIM_REFUSED', `Nothing was claimed: ${refusals.map((r) => `${r.templateId} ${r.reason}`).join(', ')}`, { refusals });
  }
}

export interface ClaimDeps {
  readonly templates: TemplateCache;
  readonly stock: { stockShards(templateId: string): Promise<StockShard[]> };
  readonly claims: ClaimRepository;
  readonly coupons: Pick<CouponRepository, 'getMany'>;
  readonly tags: { tagsOf(userId: string): Promise<UserTags> };
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly random: Random;
  readonly sleep: (ms: number) => Promise<void>;
  /** Transaction attempts before answering 503 TRY_AGAIN (conflicts, or shards emptied under us). */
  readonly maxAttempts: number;
  readonly telemetry: Pick<Telemetry, 'count'>;
}

export interface ClaimRequest {
  readonly userId: string;
  readonly templateIds: readonly string[];
  readonly idempotencyKey: string;
}

export interface ClaimResult {
  readonly coupons: readonly CouponView[];
  /** True when this answer is the stored outcome of an earlier request with the same key. */
  readonly replayed: boolean;
}

/** The request's identity for idempotency: the multiset of template ids, whatever their order. */
export const claimRequestHash = (templateIds: readonly string[]): string => requestFingerprint([...templateIds].sort());

/** A coupon as it was when issued: what the original answer said, whatever happened to it since. */
const asIssued = (coupon: Coupon): CouponView => couponView({ ...coupon, status: 'available', orderId: undefined }, toEpochMs(coupon.issuedAt));

/**
 * Claims one or several coupons for a user, all or nothing. The hot path is one template-cache lookup
 * and one DynamoDB transaction; shard re-reads, tag reads and idempotency lookups happen only when the
 * transaction or a hint says they are needed.
 */
export async function claimCoupons(deps: ClaimDeps, request: ClaimRequest): Promise<ClaimResult> {
  const nowMs = deps.clock();
  const nowSeconds = Math.floor(nowMs / 1000);
  const requestHash = claimRequestHash(request.templateIds);

  const quantities = new Map<string, number>();
  for (const id of request.templateIds) quantities.set(id, (quantities.get(id) ?? 0) + 1);
  const templates: Template[] = [];
  for (const [id, template] of await Promise.all([...quantities.keys()].map(async (id) => [id, await deps.templates.get(id)] as const))) {
    if (!template) throw new NotFoundError('template', id);
    templates.push(template);
  }

  const replay = async (record: IdempotencyRecord): Promise<ClaimResult> => {
    if (record.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return { coupons: (await deps.coupons.getMany(request.userId, record.couponIds)).map(asIssued), replayed: true };
  };
  /** A refusal is final only if this key has no earlier outcome; a retry of a success must get the success. */
  const refuse = async (refusals: readonly ClaimRefusal[]): Promise<ClaimResult> => {
    const earlier = await deps.claims.idempotencyRecord(request.userId, request.idempotencyKey, nowSeconds);
    if (earlier) return replay(earlier);
    throw new ClaimRefusedError(refusals);
  };
  const soldOut = (template: Template): ClaimRefusal => ({ templateId: template.id, reason: 'SOLD_OUT', message: 'No stock left' });

  const tags: UserTags = templates.some(hasAudience) ? await deps.tags.tagsOf(request.userId) : [];
  const refusals = templates.flatMap((template) => {
    const refusal = claimRefusal(template, { nowMs, quantity: quantities.get(template.id)!, tags });
    if (refusal) return [refusal];
    return deps.templates.isSoldOut(template.id) ? [soldOut(template)] : [];
  });
  if (refusals.length > 0) return refuse(refusals);

  const couponsByTemplate = new Map(
    templates.map((template) => [
      template.id,
      Array.from({ length: quantities.get(template.id)! }, () => issueCoupon(template, { id: deps.newId(), userId: request.userId, nowMs, source: 'claim' })),
    ]),
  );
  const next = new Map([...couponsByTemplate].map(([id, coupons]) => [id, [...coupons]]));
  const ordered = request.templateIds.map((id) => next.get(id)!.shift()!);
  const record: IdempotencyRecord = {
    requestHash,
    couponIds: ordered.map((coupon) => coupon.id),
    createdAt: toIso(nowMs),
    expiresAt: nowSeconds + IDEMPOTENCY_WINDOW_SECONDS,
  };

  const knownStock = new Map<string, StockShard[]>();
  const readStock = async (templateId: string) => {
    const shards = await deps.stock.stockShards(templateId);
    deps.templates.recordShards(templateId, shards);
    knownStock.set(templateId, shards);
  };

  for (let attempt = 0; attempt < deps.maxAttempts; attempt++) {
    const lines: ClaimLine[] = [];
    const shortOfStock: ClaimRefusal[] = [];
    for (const template of templates) {
      const quantity = quantities.get(template.id)!;
      let takes: ShardTake[] | undefined = knownStock.has(template.id)
        ? allocateFromKnownStock(knownStock.get(template.id)!, quantity, deps.random)
        : pickRandomShard(template.stock.shards, deps.templates.emptyShards(template.id), quantity, deps.random);
      if (!takes && !knownStock.has(template.id)) {
        await readStock(template.id);
        takes = allocateFromKnownStock(knownStock.get(template.id)!, quantity, deps.random);
      }
      if (!takes) {
        if (knownStock.get(template.id)!.every((shard) => shard.available <= 0)) deps.templates.markSoldOut(template.id);
        shortOfStock.push(soldOut(template));
        continue;
      }
      lines.push({ templateId: template.id, perUserLimit: template.perUserLimit, counterRetainUntil: claimCounterRetainUntil(template), takes, coupons: couponsByTemplate.get(template.id)! });
    }
    if (shortOfStock.length > 0) return refuse(shortOfStock);

    const outcome = await deps.claims.commit({ userId: request.userId, idempotencyKey: request.idempotencyKey, record, nowSeconds, lines });
    switch (outcome.kind) {
      case 'committed':
        deps.telemetry.count(BusinessMetric.couponsClaimed, ordered.length);
        return { coupons: ordered.map((coupon) => couponView(coupon, nowMs)), replayed: false };
      case 'replay':
        return replay(outcome.record);
      case 'limit-reached':
        return refuse(
          outcome.templateIds.map((templateId) => ({ templateId, reason: 'LIMIT_REACHED' as const, message: 'You already hold as many of these as a user may claim' })),
        );
      case 'shards-short':
        // Someone emptied the shard we picked; look at the real stock and plan again.
        await Promise.all([...new Set(outcome.shortages.map((s) => s.templateId))].map(readStock));
        break;
      case 'contention':
        deps.telemetry.count(BusinessMetric.claimContentionRetries);
        knownStock.clear();
        await deps.sleep(deps.random() * Math.min(250, 10 * 2 ** attempt));
        break;
    }
  }
  throw new ContentionError();
}
