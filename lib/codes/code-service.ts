import type { TemplateCache } from '../claims/template-cache';
import { allocateFromKnownStock, type Random } from '../claims/stock-allocation';
import { type CouponView, couponView, issueCoupon } from '../coupons/coupon';
import type { CouponRepository } from '../coupons/coupon-repository';
import type { BatchRetries } from '../dynamodb/batch';
import { ConflictError, ContentionError, IdempotencyKeyReusedError, InvalidInputError, NotFoundError, RateLimitedError, ValidationFailedError } from '../errors';
import type { IdGenerator } from '../ids';
import { claimCounterRetainUntil, countsTowardLimit, issuanceRefusal } from '../issuance/issuance-policy';
import { CODE_BATCH_SHARDS_MAX } from '../keys';
import { BusinessMetric, type Telemetry } from '../telemetry';
import { splitAcrossShards } from '../templates/template';
import type { TemplateRepository } from '../templates/template-repository';
import { type Clock, toEpochMs, toIso } from '../time';
import { type CodeBatch, type CodeBatchRequest, codeBatchRequestHash, type CodeBatchShard, type CodeBatchView } from './code-batch';
import { checkCharacterOf, codeGenerator, hasValidCheck, normalizeCode, shapeProblem, spaceCapacity, spaceIdOf } from './code-format';
import type { CodeKeys } from './code-keys';
import type { CodeRepository, StoredCode } from './code-repository';
import { type FailureWindow, retryAfterSeconds, windowStartOf } from './failure-window';

export const REDEEM_IDEMPOTENCY_SECONDS = 24 * 60 * 60;
const EXPORTS_SHOWN = 20;

/** Where generation parts go (SQS on AWS; the local stack drives the same queue). */
export interface GenerationQueue {
  sendParts(batchId: string, parts: readonly number[]): Promise<void>;
}

/** Where exports are written and how they are handed out (S3 and pre-signed GETs). */
export interface CodeExports {
  write(key: string, lines: AsyncIterable<string>): Promise<void>;
  url(key: string, expiresInSeconds: number): Promise<string>;
}

export interface CodeDeps {
  readonly codes: CodeRepository;
  readonly templates: Pick<TemplateRepository, 'get' | 'stockShards'>;
  /** Templates as redemptions read them (cached for seconds, as claims do). */
  readonly templateCache: Pick<TemplateCache, 'get'>;
  readonly coupons: Pick<CouponRepository, 'getMany'>;
  /** Batches as redemptions read them: cached for seconds (a revocation needs no cache to hold: the batch's shards are closed). */
  readonly cachedBatch: (batchId: string) => Promise<CodeBatch | undefined>;
  /** The platform's code keys, loaded on first use (the secret is fetched once per environment). */
  readonly keys: () => Promise<CodeKeys>;
  readonly queue: GenerationQueue;
  readonly exports: CodeExports;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly random: Random;
  readonly sleep: (ms: number) => Promise<void>;
  readonly partSize: number;
  readonly writeRetries: BatchRetries;
  readonly exportUrlSeconds: number;
  readonly userFailures: FailureWindow;
  readonly addressFailures: FailureWindow;
  readonly maxAttempts: number;
  readonly telemetry: Pick<Telemetry, 'count'>;
}

/** Unknown, mistyped, expired, revoked or not yet usable: one answer, so that an attacker learns nothing from it. */
export class CodeInvalidError extends InvalidInputError {
  constructor() {
    super('CODE_INVALID', 'This code cannot be redeemed');
  }
}

export class CodeAlreadyRedeemedError extends ConflictError {
  constructor(shared: boolean) {
    super('CODE_ALREADY_REDEEMED', shared ? 'This code has been redeemed as many times as it may be' : 'This code has already been redeemed');
  }
}

/** A real code whose template does not issue now (paused, ended, the user's limit reached): the policy's reason. */
export class CodeNotRedeemableError extends ConflictError {
  constructor(reason: string, message: string) {
    super('CODE_NOT_REDEEMABLE', message, { reason });
  }
}

/** Where a batch's export goes: by id and request, so a refused request under a taken id never overwrites the batch's export. */
const exportKeyOf = (batchId: string, requestHash: string) => `code-exports/${batchId}-${requestHash.slice(0, 12)}.csv`;
const shardCountFor = (reserved: number) => Math.max(1, Math.min(CODE_BATCH_SHARDS_MAX, Math.ceil(reserved / 10_000)));

// ---------------------------------------------------------------------------------------------------
// The back office: create, generate, export, look at, revoke.

/**
 * POST /v1/admin/templates/{templateId}/code-batches. Reserves the template's stock for the batch and
 * takes a range of its code space in one transaction; a unique batch then generates in the background
 * (parts on the queue), a shared one is ready at once. The same batch id with the same request answers
 * the batch (and re-sends the parts not generated yet, so a crash between the two is repaired by a retry).
 */
export async function createCodeBatch(deps: CodeDeps, input: { templateId: string; request: CodeBatchRequest; by: string }): Promise<{ view: CodeBatchView; code?: string; replayed: boolean }> {
  const { templateId, request } = input;
  const requestHash = codeBatchRequestHash(templateId, request);
  const existing = await deps.codes.batch(request.batchId);
  if (existing) return { view: await resumed(deps, existing, requestHash), replayed: true };

  const template = await deps.templates.get(templateId, { consistent: true });
  if (!template) throw new NotFoundError('template', templateId);
  if (template.status === 'ended') throw new ConflictError('TEMPLATE_ENDED', 'An ended template issues no more coupons');
  const nowMs = deps.clock();
  const validFrom = request.validFrom ?? toIso(nowMs);
  if (toEpochMs(request.validUntil) <= nowMs) throw new ValidationFailedError([{ path: 'validUntil', message: 'must be in the future' }]);

  const keys = await deps.keys();
  const shape = request.kind === 'unique' ? { pattern: request.pattern, charset: request.charset } : { pattern: 'SHARED', charset: 'SHARED' };
  let sharedCode: { clear: string; stored: StoredCode } | undefined;
  if (request.kind === 'unique') {
    const problem = shapeProblem(shape);
    if (problem) throw new ValidationFailedError([{ path: problem.field, message: problem.message }]);
  } else {
    const literal = normalizeCode(request.code);
    const clear = hasValidCheck(literal) ? literal : `${literal}${checkCharacterOf(literal)}`;
    sharedCode = { clear, stored: { codeHash: keys.hashOf(clear), batchId: request.batchId, templateId, kind: 'shared', shard: 0, status: 'unused' } };
    // The export first: if the transaction then fails, a retry writes the same object again.
    await deps.exports.write(exportKeyOf(request.batchId, requestHash), (async function* () { yield `${clear}\n`; })());
  }
  const count = request.kind === 'unique' ? request.count : 1;
  const reserved = request.kind === 'unique' ? request.count : request.maxRedemptions;
  const shards = request.kind === 'unique' ? shardCountFor(reserved) : 1;
  const spaceId = spaceIdOf(shape);
  const capacity = request.kind === 'unique' ? spaceCapacity(shape) : 1;

  for (let attempt = 0; attempt < deps.maxAttempts; attempt++) {
    const [stock, allocated] = await Promise.all([deps.templates.stockShards(templateId), request.kind === 'unique' ? deps.codes.spaceAllocated(spaceId) : Promise.resolve(0)]);
    if (request.kind === 'unique' && allocated + count > capacity) {
      throw new InvalidInputError(
        'CODE_SPACE_TOO_SMALL',
        `The pattern and charset make room for ${capacity} codes at one valid code per million strings; ${allocated} are taken, ${count} more do not fit. Use a longer pattern or a larger charset.`,
        { capacity, taken: allocated, requested: count },
      );
    }
    const takes = allocateFromKnownStock(stock, reserved, deps.random);
    if (!takes) throw new ConflictError('INSUFFICIENT_STOCK', `The template has ${stock.reduce((sum, s) => sum + s.available, 0)} units of stock; the batch needs ${reserved}`, { needed: reserved });
    const batch: CodeBatch = {
      batchId: request.batchId,
      templateId,
      kind: request.kind,
      status: request.kind === 'unique' ? 'generating' : 'ready',
      requestHash,
      count,
      reserved,
      ...(request.kind === 'shared' ? { maxRedemptions: request.maxRedemptions, exportKey: exportKeyOf(request.batchId, requestHash), readyAt: toIso(nowMs) } : {}),
      pattern: request.kind === 'unique' ? request.pattern : '',
      charset: request.kind === 'unique' ? request.charset : '',
      spaceId,
      firstIndex: allocated,
      parts: Math.ceil(count / deps.partSize),
      partSize: deps.partSize,
      shards,
      validFrom,
      validUntil: request.validUntil,
      createdAt: toIso(nowMs),
      createdBy: input.by,
      generated: request.kind === 'unique' ? 0 : 1,
      exported: 0,
      revokedCodes: 0,
    };
    const outcome = await deps.codes.create({ batch, portions: splitAcrossShards(reserved, shards), takes, ...(sharedCode ? { sharedCode: sharedCode.stored } : {}) });
    switch (outcome.kind) {
      case 'created':
        if (batch.kind === 'unique') await deps.queue.sendParts(batch.batchId, Array.from({ length: batch.parts }, (_, part) => part));
        return { view: await codeBatchView(deps, batch.batchId), ...(sharedCode ? { code: sharedCode.clear } : {}), replayed: false };
      case 'exists':
        return { view: await resumed(deps, outcome.batch, requestHash), replayed: true };
      case 'stock-short':
      case 'contention':
        await deps.sleep(deps.random() * Math.min(200, 10 * 2 ** attempt));
    }
  }
  throw new ContentionError();
}

async function resumed(deps: CodeDeps, batch: CodeBatch, requestHash: string): Promise<CodeBatchView> {
  if (batch.requestHash !== requestHash) throw new ConflictError('CODE_BATCH_EXISTS', `A different code batch already has the id "${batch.batchId}"`, { batchId: batch.batchId });
  if (batch.status === 'generating') {
    const counted = await deps.codes.countedParts(batch.batchId);
    const missing = Array.from({ length: batch.parts }, (_, part) => part).filter((part) => !counted.has(part));
    // Every part counted but not ready (the finishing part crashed): its part goes again, and the worker
    // finishes the batch; writing a large export does not belong in an API request's few seconds.
    await deps.queue.sendParts(batch.batchId, missing.length > 0 ? missing : [batch.parts - 1]);
  }
  return codeBatchView(deps, batch.batchId);
}

/** The codes of a unique batch, in order, from its place in its code space (the export and the generator agree by construction). */
async function generatorOf(deps: CodeDeps, batch: CodeBatch) {
  const keys = await deps.keys();
  const generator = codeGenerator({ pattern: batch.pattern, charset: batch.charset }, keys.spaceKey(batch.spaceId));
  return { keys, codeAt: (i: number) => generator.codeAt(batch.firstIndex + i) };
}

/** Codes made (and written, or joined into the export) at a time. */
const CODES_AT_A_TIME = 1_000;

/**
 * One part of a unique batch (a queue message): its codes hashed and written, then counted once. A
 * redelivered part finds its marker and writes nothing; the part that completes the batch writes the
 * export and marks the batch ready (so does a redelivery of it, if that crashed half-way).
 */
export async function generateCodePart(deps: CodeDeps, message: { batchId: string; part: number }): Promise<{ written: number }> {
  const batch = await deps.codes.batch(message.batchId);
  if (!batch || batch.kind !== 'unique' || batch.status !== 'generating') return { written: 0 };
  let written = 0;
  if (!(await deps.codes.partCounted(batch.batchId, message.part))) {
    const { keys, codeAt } = await generatorOf(deps, batch);
    const from = message.part * batch.partSize;
    const to = Math.min(batch.count, from + batch.partSize);
    // Slice by slice, each slice's writes sent off before the next slice is made: making codes (CPU) and
    // writing them (I/O, bounded by the call gate) overlap. A part is 10,000 small items at most in memory.
    const writes: Promise<void>[] = [];
    for (let start = from; start < to; start += CODES_AT_A_TIME) {
      const slice: StoredCode[] = [];
      for (let i = start; i < Math.min(to, start + CODES_AT_A_TIME); i++) {
        slice.push({ codeHash: keys.hashOf(normalizeCode(codeAt(i))), batchId: batch.batchId, templateId: batch.templateId, kind: 'unique', shard: i % batch.shards, status: 'unused' });
      }
      writes.push(deps.codes.writeCodes(slice, deps.writeRetries));
      // Let the responses that came in meanwhile be handled before the next slice is made.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(writes);
    if (await deps.codes.countPart(batch.batchId, message.part, to - from)) written = to - from;
  }
  await finishIfGenerated(deps, batch.batchId);
  return { written };
}

async function finishIfGenerated(deps: CodeDeps, batchId: string): Promise<void> {
  const batch = await deps.codes.batch(batchId);
  if (!batch || batch.status !== 'generating' || batch.generated !== batch.count) return;
  const { codeAt } = await generatorOf(deps, batch);
  const key = exportKeyOf(batchId, batch.requestHash);
  await deps.exports.write(
    key,
    (async function* () {
      // Lines are joined a thousand at a time: the upload takes chunks, and memory stays flat however large the batch.
      for (let start = 0; start < batch.count; start += CODES_AT_A_TIME) {
        let chunk = '';
        for (let i = start; i < Math.min(batch.count, start + CODES_AT_A_TIME); i++) chunk += `${codeAt(i)}\n`;
        yield chunk;
      }
    })(),
  );
  await deps.codes.markReady(batchId, key, toIso(deps.clock()));
}

/** POST /v1/admin/code-batches/{batchId}/exports: a short-lived link to the batch's codes, and a record of who asked, when. */
export async function exportCodeBatch(deps: CodeDeps, input: { batchId: string; by: string }) {
  const batch = await deps.codes.batch(input.batchId);
  if (!batch) throw new NotFoundError('code_batch', input.batchId);
  if (batch.status === 'generating') throw new ConflictError('CODE_BATCH_NOT_READY', `The batch is still generating (${batch.generated} of ${batch.count} codes)`, { generated: batch.generated, count: batch.count });
  if (batch.status === 'revoked' || !batch.exportKey) throw new ConflictError('CODE_BATCH_REVOKED', 'The batch is revoked; its codes are not handed out any more');
  const nowMs = deps.clock();
  const url = await deps.exports.url(batch.exportKey, deps.exportUrlSeconds);
  const at = toIso(nowMs);
  await deps.codes.recordExport(batch.batchId, input.by, at, deps.newId());
  return { url, expiresAt: toIso(nowMs + deps.exportUrlSeconds * 1000), by: input.by, at };
}

/** GET /v1/admin/code-batches/{batchId}. */
export async function codeBatchView(deps: Pick<CodeDeps, 'codes'>, batchId: string): Promise<CodeBatchView> {
  const [batch, shards, exports] = await Promise.all([deps.codes.batch(batchId), deps.codes.shards(batchId), deps.codes.latestExports(batchId, EXPORTS_SHOWN)]);
  if (!batch) throw new NotFoundError('code_batch', batchId);
  return viewOf(batch, shards, exports);
}

const sum = (shards: readonly CodeBatchShard[], of: (shard: CodeBatchShard) => number) => shards.reduce((total, shard) => total + of(shard), 0);

export function viewOf(batch: CodeBatch, shards: readonly CodeBatchShard[], exports: ReadonlyArray<{ by: string; at: string }>): CodeBatchView {
  const redeemed = sum(shards, (s) => s.redeemed);
  const givenBack = sum(shards, (s) => s.givenBack);
  return {
    batchId: batch.batchId,
    templateId: batch.templateId,
    kind: batch.kind,
    status: batch.status,
    ...(batch.kind === 'unique' ? { pattern: batch.pattern, charset: batch.charset } : { maxRedemptions: batch.maxRedemptions }),
    validFrom: batch.validFrom,
    validUntil: batch.validUntil,
    counts: {
      codes: batch.count,
      generated: batch.generated,
      redeemed,
      revoked: batch.status === 'revoked' ? batch.count - (batch.kind === 'unique' ? redeemed : 0) : batch.revokedCodes,
      exported: batch.exported,
      failedAttempts: sum(shards, (s) => s.failed ?? 0),
    },
    stock: { reserved: batch.reserved, redeemed, givenBack, outstanding: batch.reserved - redeemed - givenBack },
    exports: [...exports],
    createdAt: batch.createdAt,
    createdBy: batch.createdBy,
    ...(batch.readyAt ? { readyAt: batch.readyAt } : {}),
    ...(batch.revokedAt ? { revokedAt: batch.revokedAt } : {}),
  };
}

/** POST /v1/admin/code-batches/{batchId}/revoke: every unredeemed code stops working and the batch's unused stock goes back to its template. */
export async function revokeCodeBatch(deps: CodeDeps, batchId: string): Promise<CodeBatchView> {
  for (let attempt = 0; attempt < deps.maxAttempts; attempt++) {
    const batch = await deps.codes.batch(batchId);
    if (!batch) throw new NotFoundError('code_batch', batchId);
    if (batch.status === 'revoked') return codeBatchView(deps, batchId);
    const template = await deps.templates.get(batch.templateId, { consistent: true });
    if (!template) throw new NotFoundError('template', batch.templateId);
    const shards = await deps.codes.shards(batchId);
    const pool = sum(shards, (s) => s.available);
    const toStock = splitAcrossShards(pool, template.stock.shards).flatMap((quantity, shard) => (quantity > 0 ? [{ shard, quantity }] : []));
    if ((await deps.codes.revokeBatch(batch, shards, toStock, toIso(deps.clock()))) === 'revoked') return codeBatchView(deps, batchId);
    await deps.sleep(deps.random() * Math.min(200, 10 * 2 ** attempt));
  }
  throw new ContentionError();
}

/** POST /v1/admin/code-batches/{batchId}/codes/revoke: one unredeemed code stops working and its unit goes back to the template. */
export async function revokeCode(deps: CodeDeps, input: { batchId: string; code: string }): Promise<CodeBatchView> {
  const normalized = normalizeCode(input.code);
  const keys = await deps.keys();
  const stored = hasValidCheck(normalized) ? (await deps.codes.codesByHash(keys.hashOf(normalized))).find((code) => code.batchId === input.batchId) : undefined;
  if (!stored) throw new NotFoundError('code', input.code.slice(0, 4) + '…');
  if (stored.kind === 'shared') return revokeCodeBatch(deps, input.batchId);
  const batch = await deps.codes.batch(input.batchId);
  if (batch?.status !== 'ready') throw new ConflictError('CODE_BATCH_NOT_READY', 'Codes of a batch can be revoked one by one once it is ready (and not revoked)');
  if (stored.status === 'redeemed') throw new CodeAlreadyRedeemedError(false);
  if (stored.status === 'unused') {
    const template = await deps.templates.get(stored.templateId, { consistent: false });
    const templateShard = Math.floor(deps.random() * (template?.stock.shards ?? 1));
    if (!(await deps.codes.revokeCode(stored, templateShard, toIso(deps.clock())))) {
      const [now] = (await deps.codes.codesByHash(stored.codeHash)).filter((code) => code.batchId === input.batchId);
      if (now?.status === 'redeemed') throw new CodeAlreadyRedeemedError(false);
    }
  }
  return codeBatchView(deps, input.batchId);
}

// ---------------------------------------------------------------------------------------------------
// The shop: redeem.

export interface RedeemRequest {
  readonly userId: string;
  /** The caller's source address as API Gateway saw it. */
  readonly address: string;
  readonly code: string;
  readonly idempotencyKey: string;
}

export interface RedeemResult {
  readonly coupon: CouponView;
  readonly replayed: boolean;
}

/**
 * POST /v1/codes/redeem. Before anything is looked up, the user's and the address's failed attempts
 * in the sliding windows (one read); past either limit, 429 and nothing else. Then the check
 * character (no read), the code by its keyed hash, its batch, the issuance policy, and one transaction.
 * Every refusal that could be a guess counts as a failed attempt (one write per counter).
 */
export async function redeemCode(deps: CodeDeps, request: RedeemRequest): Promise<RedeemResult> {
  const nowMs = deps.clock();
  const nowSeconds = Math.floor(nowMs / 1000);
  const { windowMs } = deps.userFailures;
  const windowStart = windowStartOf(nowMs, windowMs);
  const counts = await deps.codes.failureCounts(request.userId, request.address, windowStart, windowMs);
  const wait = Math.max(retryAfterSeconds(counts.user, nowMs, deps.userFailures), retryAfterSeconds(counts.address, nowMs, deps.addressFailures));
  if (wait > 0) {
    deps.telemetry.count(BusinessMetric.codeRedemptionsThrottled);
    throw new RateLimitedError('TOO_MANY_FAILED_ATTEMPTS', 'Too many codes that did not work; try again later', wait);
  }

  const failed = async (reason: string, error: Error, code?: StoredCode): Promise<never> => {
    // Once for the alarm (all reasons), once by reason for the dashboard.
    deps.telemetry.count(BusinessMetric.codeRedemptionFailures);
    deps.telemetry.count(BusinessMetric.codeRedemptionFailures, 1, { reason });
    await Promise.all([deps.codes.recordFailure(request.userId, request.address, windowStart, windowMs), code ? deps.codes.countBatchFailure(code) : undefined]);
    throw error;
  };

  const normalized = normalizeCode(request.code);
  if (!hasValidCheck(normalized)) return failed('mistyped', new CodeInvalidError());
  const keys = await deps.keys();
  const codeHash = keys.hashOf(normalized);
  const replay = async (couponId: string, recordHash?: string): Promise<RedeemResult> => {
    if (recordHash !== undefined && recordHash !== codeHash) throw new IdempotencyKeyReusedError();
    const [coupon] = await deps.coupons.getMany(request.userId, [couponId]);
    if (!coupon) throw new ContentionError();
    return { coupon: couponView(coupon, nowMs), replayed: true };
  };

  const candidates = await deps.codes.codesByHash(codeHash);
  if (candidates.length === 0) return failed('unknown', new CodeInvalidError());
  // Two code spaces can, rarely, make the same string: the oldest batch whose code is still unused takes it.
  const stored = candidates.find((code) => code.status === 'unused') ?? candidates[0]!;
  if (stored.kind === 'unique' && stored.status === 'redeemed') {
    if (stored.redeemedBy === request.userId) return replay(stored.couponId!);
    return failed('already-redeemed', new CodeAlreadyRedeemedError(false), stored);
  }
  if (stored.status === 'revoked') return failed('revoked', new CodeInvalidError(), stored);
  const batch = await deps.cachedBatch(stored.batchId);
  if (!batch || batch.status !== 'ready' || nowMs < toEpochMs(batch.validFrom) || nowMs >= toEpochMs(batch.validUntil)) return failed('not-valid-now', new CodeInvalidError(), stored);
  if (stored.kind === 'shared') {
    const earlier = await deps.codes.sharedRedemption(request.userId, stored.batchId);
    if (earlier) return replay(earlier);
  }

  const template = await deps.templateCache.get(stored.templateId);
  if (!template) return failed('no-template', new CodeInvalidError(), stored);
  const refusal = issuanceRefusal(template, 'code', { nowMs });
  if (refusal) throw new CodeNotRedeemableError(refusal.reason, refusal.message);
  const coupon = issueCoupon(template, { id: deps.newId(), userId: request.userId, nowMs, source: 'code', codeBatchId: batch.batchId });
  const counted = countsTowardLimit(template, 'code');

  let shard = stored.kind === 'unique' ? stored.shard : Math.floor(deps.random() * batch.shards);
  for (let attempt = 0; attempt < deps.maxAttempts; attempt++) {
    const outcome = await deps.codes.redeem({
      userId: request.userId,
      code: stored,
      shard,
      coupon,
      ...(counted ? { counter: { perUserLimit: template.perUserLimit, retainUntil: claimCounterRetainUntil(template) } } : {}),
      idempotencyKey: request.idempotencyKey,
      record: { requestHash: codeHash, couponIds: [coupon.id], createdAt: toIso(nowMs), expiresAt: nowSeconds + REDEEM_IDEMPOTENCY_SECONDS },
      nowSeconds,
    });
    switch (outcome.kind) {
      case 'committed':
        deps.telemetry.count(BusinessMetric.codesRedeemed);
        return { coupon: couponView(coupon, nowMs), replayed: false };
      case 'replay':
        return replay(outcome.record.couponIds[0]!, outcome.record.requestHash);
      case 'already-redeemed-by-user':
        return replay(outcome.couponId);
      case 'code-taken':
        return failed('already-redeemed', new CodeAlreadyRedeemedError(false), stored);
      case 'limit-reached':
        throw new CodeNotRedeemableError('LIMIT_REACHED', `At most ${template.perUserLimit} of these per user`);
      case 'shard-short-or-closed': {
        // A unique code's unit is its own; its shard is short only when the batch was revoked. A shared
        // code's users spread over the shards: find one that still holds a unit, or it is used up.
        const open = (await deps.codes.shards(batch.batchId)).filter((s) => s.state === 'open' && s.available > 0);
        if (stored.kind === 'unique' || open.length === 0) {
          const closed = (await deps.codes.batch(batch.batchId))?.status === 'revoked';
          return failed(closed ? 'revoked' : 'used-up', closed ? new CodeInvalidError() : new CodeAlreadyRedeemedError(true), stored);
        }
        shard = open[Math.floor(deps.random() * open.length)]!.shard;
        break;
      }
      case 'contention':
        await deps.sleep(deps.random() * Math.min(250, 10 * 2 ** attempt));
        break;
    }
  }
  throw new ContentionError();
}
