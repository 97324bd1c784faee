import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, batchWriteAll, type BatchRetries, type WriteRequest } from '../dynamodb/batch';
import { isConditionalCheckFailure } from '../dynamodb/errors';
import { queryPrefix } from '../dynamodb/query';
import { conditionFailed, isContention, putOnce, type RoledItem, transactWrite } from '../dynamodb/transaction';
import { claimCounterUpdate, couponPut, type IdempotencyRecord } from '../claims/claim-repository';
import type { Coupon } from '../coupons/coupon';
import { Entity, entityItem, withoutKeys } from '../entities';
import {
  addressCodeFailuresKey,
  codeBatchKey,
  codeBatchPartition,
  codeBatchPartKey,
  codeBatchPartPrefix,
  codeBatchShardKey,
  codeBatchShardPrefix,
  codeExportKey,
  codeExportPrefix,
  codeKey,
  codePartition,
  codeSpaceKey,
  templateCodeBatchKey,
  templateCodeBatchPrefix,
  templatePartition,
  userCodeFailuresKey,
  userCodeRedemptionKey,
  userIdempotencyKey,
} from '../keys';
import { timeToLiveAttribute } from '../table';
import { addToShard, type ShardQuantity, takeFromShard } from '../templates/stock-items';
import type { CodeBatch, CodeBatchShard } from './code-batch';
import type { WindowCounts } from './failure-window';

export const REDEEM_OPERATION = 'redeem';

/** One code as stored: the keyed hash of its normalized form is its partition; never the code itself. */
export interface StoredCode {
  readonly codeHash: string;
  readonly batchId: string;
  readonly templateId: string;
  readonly kind: 'unique' | 'shared';
  /** The batch's counter shard this code's unit of stock sits in (shared codes: the redeemer picks). */
  readonly shard: number;
  readonly status: 'unused' | 'redeemed' | 'revoked';
  readonly redeemedBy?: string;
  readonly couponId?: string;
  readonly redeemedAt?: string;
}

export interface NewBatch {
  readonly batch: CodeBatch;
  /** Units per counter shard (they add up to `batch.reserved`). */
  readonly portions: readonly number[];
  readonly takes: readonly ShardQuantity[];
  /** A shared batch's one code, written with the batch. */
  readonly sharedCode?: StoredCode;
}

export type CreateOutcome = { readonly kind: 'created' } | { readonly kind: 'exists'; readonly batch: CodeBatch } | { readonly kind: 'stock-short' } | { readonly kind: 'contention' };

export interface Redemption {
  readonly userId: string;
  readonly code: StoredCode;
  /** The counter shard to take the unit from. */
  readonly shard: number;
  readonly coupon: Coupon;
  readonly counter?: { readonly perUserLimit: number; readonly retainUntil?: number };
  readonly idempotencyKey: string;
  readonly record: IdempotencyRecord;
  readonly nowSeconds: number;
}

export type RedeemOutcome =
  | { readonly kind: 'committed' }
  | { readonly kind: 'replay'; readonly record: IdempotencyRecord }
  | { readonly kind: 'code-taken' }
  | { readonly kind: 'already-redeemed-by-user'; readonly couponId: string }
  | { readonly kind: 'shard-short-or-closed' }
  | { readonly kind: 'limit-reached' }
  | { readonly kind: 'contention' };

type RedeemRole = 'code' | 'marker' | 'shard' | 'counter' | 'coupon' | 'record';
type CreateRole = 'batch' | 'space' | 'stock' | 'other';

/** The part of a batch item a status change or a count touches (attribute names that are DynamoDB reserved words go through placeholders). */
const names = (...attributes: string[]) => Object.fromEntries(attributes.map((name) => [`#${name}`, name]));

/**
 * Code batches, codes and failed-attempt counters in the table. Every move of stock is one transaction
 * with the stock items of lib/templates/stock-items.ts and the batch's counter shards, so the stock
 * ledger balances through every crash: reserve (create), redeem, revoke.
 */
export class CodeRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Batch, template link, code-space range, stock taken from the template into the batch's counter shards: all or nothing. */
  async create(newBatch: NewBatch): Promise<CreateOutcome> {
    const { batch } = newBatch;
    const items: RoledItem<CreateRole>[] = [
      { role: 'batch', item: { ...putOnce(this.tableName, entityItem(Entity.codeBatch, codeBatchKey(batch.batchId), { ...batch })) } },
      { role: 'other', item: { Put: { TableName: this.tableName, Item: entityItem(Entity.templateCodeBatch, templateCodeBatchKey(batch.templateId, batch.batchId), { batchId: batch.batchId }) } } },
      ...newBatch.takes.map((take) => ({ role: 'stock' as const, item: takeFromShard(this.tableName, batch.templateId, take, 'reserve') })),
      ...newBatch.portions.map((portion, shard) => ({
        role: 'other' as const,
        item: { Put: { TableName: this.tableName, Item: entityItem(Entity.codeBatchShard, codeBatchShardKey(batch.batchId, shard), { batchId: batch.batchId, shard, initial: portion, available: portion, redeemed: 0, givenBack: 0, failed: 0, state: 'open' }) } },
      })),
    ];
    if (batch.kind === 'unique') {
      items.push({
        role: 'space',
        item: {
          Update: {
            TableName: this.tableName,
            Key: codeSpaceKey(batch.spaceId),
            UpdateExpression: 'SET entity = :entity ADD allocated :count',
            // The batch numbers its codes from where the space stood; the range must end within the space's capacity.
            ConditionExpression: batch.firstIndex === 0 ? 'attribute_not_exists(allocated)' : 'allocated = :first',
            ExpressionAttributeValues: { ':entity': Entity.codeSpace, ':count': batch.count, ...(batch.firstIndex === 0 ? {} : { ':first': batch.firstIndex }) },
          },
        },
      });
    }
    if (newBatch.sharedCode) items.push({ role: 'other', item: putOnce(this.tableName, entityItem(Entity.code, codeKey(newBatch.sharedCode.codeHash, batch.batchId), { ...newBatch.sharedCode })) });
    const outcome = await transactWrite(this.client, items);
    if (outcome.committed) return { kind: 'created' };
    const [existing] = conditionFailed(outcome, (role) => role === 'batch');
    if (existing?.old) return { kind: 'exists', batch: withoutKeys<CodeBatch>(existing.old) };
    if (conditionFailed(outcome, (role) => role === 'stock').length > 0) return { kind: 'stock-short' };
    // Another batch of the space took the range first (or transactions met): read where the space stands and try again.
    return { kind: 'contention' };
  }

  /** How many codes of a space batches have taken (where the next batch starts). */
  async spaceAllocated(spaceId: string): Promise<number> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: codeSpaceKey(spaceId), ConsistentRead: true }));
    return Number(Item?.allocated ?? 0);
  }

  async batch(batchId: string, options: { consistent: boolean } = { consistent: true }): Promise<CodeBatch | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: codeBatchKey(batchId), ConsistentRead: options.consistent }));
    return Item ? withoutKeys<CodeBatch>(Item) : undefined;
  }

  async shards(batchId: string): Promise<CodeBatchShard[]> {
    return (await queryPrefix(this.client, this.tableName, codeBatchPartition(batchId), codeBatchShardPrefix)).map((item) => withoutKeys<CodeBatchShard>(item));
  }

  async latestExports(batchId: string, limit: number): Promise<Array<{ by: string; at: string }>> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': codeBatchPartition(batchId), ':prefix': codeExportPrefix },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => ({ by: String(item.by), at: String(item.at) }));
  }

  /** A template's batches (the stock ledger). */
  async ofTemplate(templateId: string): Promise<string[]> {
    return (await queryPrefix(this.client, this.tableName, templatePartition(templateId), templateCodeBatchPrefix)).map((item) => String(item.batchId));
  }

  /** Writes generated codes (plain puts: no code of a part is known to anyone before the batch is ready, so a rewrite changes nothing). */
  async writeCodes(codes: readonly StoredCode[], retries: BatchRetries): Promise<void> {
    const requests: WriteRequest[] = codes.map((code) => ({ PutRequest: { Item: entityItem(Entity.code, codeKey(code.codeHash, code.batchId), code) } }));
    const left = await batchWriteAll(this.client, this.tableName, requests, retries);
    if (left.length > 0) throw new Error(`${left.length} codes of a part could not be written; the part is retried`);
  }

  /** Counts a generated part once: its marker and the batch's count in one transaction. False when it was counted before. */
  async countPart(batchId: string, part: number, codes: number): Promise<boolean> {
    const outcome = await transactWrite<'part' | 'count'>(this.client, [
      { role: 'part', item: { Put: { TableName: this.tableName, Item: entityItem(Entity.codeBatchPart, codeBatchPartKey(batchId, part), { batchId, part, codes }), ConditionExpression: 'attribute_not_exists(pk)' } } },
      { role: 'count', item: { Update: { TableName: this.tableName, Key: codeBatchKey(batchId), UpdateExpression: 'ADD generated :codes', ExpressionAttributeValues: { ':codes': codes } } } },
    ]);
    if (outcome.committed) return true;
    if (conditionFailed(outcome, (role) => role === 'part').length > 0) return false;
    throw new Error(`counting part ${part} of ${batchId} met contention; the part is retried`);
  }

  async partCounted(batchId: string, part: number): Promise<boolean> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: codeBatchPartKey(batchId, part), ConsistentRead: true }));
    return Item !== undefined;
  }

  /** Which parts are counted (a repeated create re-sends the others). */
  async countedParts(batchId: string): Promise<Set<number>> {
    return new Set((await queryPrefix(this.client, this.tableName, codeBatchPartition(batchId), codeBatchPartPrefix)).map((item) => Number(item.part)));
  }

  /** generating -> ready, with where its export is; false if it is not generating any more (revoked, or another worker finished it). */
  async markReady(batchId: string, exportKey: string, nowIso: string): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: codeBatchKey(batchId),
        UpdateExpression: 'SET #status = :ready, exportKey = :exportKey, readyAt = :now',
        ConditionExpression: '#status = :generating AND generated = #count',
        ExpressionAttributeNames: names('status', 'count'),
        ExpressionAttributeValues: { ':ready': 'ready', ':generating': 'generating', ':exportKey': exportKey, ':now': nowIso },
      }),
    );
  }

  async recordExport(batchId: string, by: string, at: string, exportId: string): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: entityItem(Entity.codeExport, codeExportKey(batchId, at, exportId), { batchId, by, at }) } },
          { Update: { TableName: this.tableName, Key: codeBatchKey(batchId), UpdateExpression: 'ADD exported :one', ExpressionAttributeValues: { ':one': 1 } } },
        ],
      }),
    );
  }

  /** The codes stored under a hash (one, or one per batch in the rare case two code spaces made the same string). */
  async codesByHash(codeHash: string): Promise<StoredCode[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': codePartition(codeHash) }, ConsistentRead: true }),
    );
    return Items.map((item) => withoutKeys<StoredCode>(item));
  }

  /** The coupon a user got for a shared code, if they redeemed it. */
  async sharedRedemption(userId: string, batchId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: userCodeRedemptionKey(userId, batchId), ConsistentRead: true }));
    return Item ? String(Item.couponId) : undefined;
  }

  async idempotencyRecord(userId: string, idempotencyKey: string, nowSeconds: number): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: userIdempotencyKey(userId, REDEEM_OPERATION, idempotencyKey), ConsistentRead: true }));
    if (!Item || Number(Item.expiresAt) < nowSeconds) return undefined;
    return withoutKeys<IdempotencyRecord>(Item);
  }

  /**
   * The redemption's one transaction: the code marked (a unique code once ever; a shared one once per
   * user, through a marker in the user's partition), a unit taken from the batch's open counter shard,
   * the user's per-template counter, the coupon, the idempotency record.
   */
  async redeem(redemption: Redemption): Promise<RedeemOutcome> {
    const { code, userId, coupon } = redemption;
    const items: RoledItem<RedeemRole>[] = [];
    if (code.kind === 'unique') {
      items.push({
        role: 'code',
        item: {
          Update: {
            TableName: this.tableName,
            Key: codeKey(code.codeHash, code.batchId),
            UpdateExpression: 'SET #status = :redeemed, redeemedBy = :user, couponId = :couponId, redeemedAt = :at',
            ConditionExpression: '#status = :unused',
            ExpressionAttributeNames: names('status'),
            ExpressionAttributeValues: { ':redeemed': 'redeemed', ':unused': 'unused', ':user': userId, ':couponId': coupon.id, ':at': coupon.issuedAt },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      });
    } else {
      items.push({
        role: 'marker',
        item: putOnce(this.tableName, entityItem(Entity.codeRedemption, userCodeRedemptionKey(userId, code.batchId), { batchId: code.batchId, userId, couponId: coupon.id, at: coupon.issuedAt })),
      });
    }
    items.push({
      role: 'shard',
      item: {
        Update: {
          TableName: this.tableName,
          Key: codeBatchShardKey(code.batchId, redemption.shard),
          UpdateExpression: 'SET available = available - :one ADD redeemed :one',
          ConditionExpression: '#state = :open AND available >= :one',
          ExpressionAttributeNames: names('state'),
          ExpressionAttributeValues: { ':one': 1, ':open': 'open' },
        },
      },
    });
    if (redemption.counter) {
      items.push({ role: 'counter', item: claimCounterUpdate(this.tableName, { userId, templateId: code.templateId, quantity: 1, perUserLimit: redemption.counter.perUserLimit, retainUntil: redemption.counter.retainUntil }) });
    }
    items.push({ role: 'coupon', item: couponPut(this.tableName, coupon) });
    items.push({
      role: 'record',
      item: {
        Put: {
          TableName: this.tableName,
          Item: entityItem(Entity.idempotency, userIdempotencyKey(userId, REDEEM_OPERATION, redemption.idempotencyKey), redemption.record),
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': redemption.nowSeconds },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    });
    const outcome = await transactWrite(this.client, items);
    if (outcome.committed) return { kind: 'committed' };
    const [replayed] = conditionFailed(outcome, (role) => role === 'record');
    if (replayed?.old) return { kind: 'replay', record: withoutKeys<IdempotencyRecord>(replayed.old) };
    const [taken] = conditionFailed(outcome, (role) => role === 'code' || role === 'marker');
    if (taken) {
      const old = taken.old ?? {};
      if (old.redeemedBy === userId || (taken.role === 'marker' && old.couponId)) return { kind: 'already-redeemed-by-user', couponId: String(old.couponId) };
      return { kind: 'code-taken' };
    }
    if (conditionFailed(outcome, (role) => role === 'counter').length > 0) return { kind: 'limit-reached' };
    if (conditionFailed(outcome, (role) => role === 'shard').length > 0) return { kind: 'shard-short-or-closed' };
    if (isContention(outcome)) return { kind: 'contention' };
    throw new Error('redemption transaction cancelled for an unexpected reason');
  }

  /**
   * Revokes one unused unique code: it stops working and its unit goes back to the template, in one
   * transaction with the batch's counts. False when the code is not unused or its shard is closed.
   */
  async revokeCode(code: StoredCode, templateShard: number, nowIso: string): Promise<boolean> {
    const outcome = await transactWrite<'code' | 'other'>(this.client, [
      {
        role: 'code',
        item: {
          Update: {
            TableName: this.tableName,
            Key: codeKey(code.codeHash, code.batchId),
            UpdateExpression: 'SET #status = :revoked, revokedAt = :now',
            ConditionExpression: '#status = :unused',
            ExpressionAttributeNames: names('status'),
            ExpressionAttributeValues: { ':revoked': 'revoked', ':unused': 'unused', ':now': nowIso },
          },
        },
      },
      { role: 'other', item: this.giveBackFromShard(code.batchId, code.shard, 1) },
      { role: 'other', item: { Update: { TableName: this.tableName, Key: codeBatchKey(code.batchId), UpdateExpression: 'ADD revokedCodes :one', ExpressionAttributeValues: { ':one': 1 } } } },
      { role: 'other', item: addToShard(this.tableName, code.templateId, { shard: templateShard, quantity: 1 }, 'give-back') },
    ]);
    if (outcome.committed) return true;
    if (isContention(outcome)) throw new Error('code revocation met contention; retry');
    return false;
  }

  /**
   * Revokes a whole batch: every counter shard closed (no redemption commits after this) with what it
   * still held given back to the template, the batch marked revoked. Conditioned on each shard's pool
   * being what was read, so a redemption committing meanwhile makes the caller read again.
   */
  async revokeBatch(batch: CodeBatch, shards: readonly CodeBatchShard[], toStock: readonly ShardQuantity[], nowIso: string): Promise<'revoked' | 'moved'> {
    const outcome = await transactWrite<'shard' | 'batch' | 'other'>(this.client, [
      {
        role: 'batch',
        item: {
          Update: {
            TableName: this.tableName,
            Key: codeBatchKey(batch.batchId),
            UpdateExpression: 'SET #status = :revoked, revokedAt = :now',
            ConditionExpression: '#status IN (:generating, :ready)',
            ExpressionAttributeNames: names('status'),
            ExpressionAttributeValues: { ':revoked': 'revoked', ':generating': 'generating', ':ready': 'ready', ':now': nowIso },
          },
        },
      },
      ...shards.map((shard) => ({
        role: 'shard' as const,
        item: {
          Update: {
            TableName: this.tableName,
            Key: codeBatchShardKey(batch.batchId, shard.shard),
            UpdateExpression: 'SET #state = :closed, available = :zero ADD givenBack :pool',
            ConditionExpression: 'available = :pool AND #state = :open',
            ExpressionAttributeNames: names('state'),
            ExpressionAttributeValues: { ':closed': 'closed', ':open': 'open', ':zero': 0, ':pool': shard.available },
          },
        },
      })),
      ...toStock.map((add) => ({ role: 'other' as const, item: addToShard(this.tableName, batch.templateId, add, 'give-back') })),
    ]);
    if (outcome.committed) return 'revoked';
    if (conditionFailed(outcome, (role) => role === 'shard').length > 0 || isContention(outcome)) return 'moved';
    return 'revoked';
  }

  /** Counts a refused redemption of a code of this batch (its shard's `failed`). */
  async countBatchFailure(code: StoredCode): Promise<void> {
    await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: codeBatchShardKey(code.batchId, code.shard), UpdateExpression: 'ADD failed :one', ExpressionAttributeValues: { ':one': 1 } }));
  }

  /** The failure counters of a user and a source address in this window and the one before: one BatchGetItem. */
  async failureCounts(userId: string, address: string, windowStart: number, windowMs: number): Promise<{ user: WindowCounts; address: WindowCounts }> {
    const keys = [userCodeFailuresKey(userId, windowStart), userCodeFailuresKey(userId, windowStart - windowMs), addressCodeFailuresKey(address, windowStart), addressCodeFailuresKey(address, windowStart - windowMs)];
    const items = await batchGetAll(this.client, this.tableName, keys, { consistent: false, projection: 'pk, sk, failures', maxAttempts: 3, baseDelayMs: 10 });
    const found = new Map(items.map((item) => [`${item.pk}|${item.sk}`, Number(item.failures ?? 0)]));
    const count = (key: { pk: string; sk: string }) => found.get(`${key.pk}|${key.sk}`) ?? 0;
    return {
      user: { current: count(keys[0]!), previous: count(keys[1]!) },
      address: { current: count(keys[2]!), previous: count(keys[3]!) },
    };
  }

  /** One failed attempt: one write on the user's counter and one on the address's, each expiring two windows later. */
  async recordFailure(userId: string, address: string, windowStart: number, windowMs: number): Promise<void> {
    const expiresAt = Math.ceil((windowStart + 2 * windowMs) / 1000);
    const add = (key: { pk: string; sk: string }) =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET entity = :entity, #ttl = :expiresAt ADD failures :one',
          ExpressionAttributeNames: { '#ttl': timeToLiveAttribute },
          ExpressionAttributeValues: { ':entity': Entity.codeFailures, ':expiresAt': expiresAt, ':one': 1 },
        }),
      );
    await Promise.all([add(userCodeFailuresKey(userId, windowStart)), add(addressCodeFailuresKey(address, windowStart))]);
  }

  private giveBackFromShard(batchId: string, shard: number, quantity: number) {
    return {
      Update: {
        TableName: this.tableName,
        Key: codeBatchShardKey(batchId, shard),
        UpdateExpression: 'SET available = available - :quantity ADD givenBack :quantity',
        ConditionExpression: '#state = :open AND available >= :quantity',
        ExpressionAttributeNames: names('state'),
        ExpressionAttributeValues: { ':quantity': quantity, ':open': 'open' },
      },
    };
  }

  private async conditionally(command: UpdateCommand): Promise<boolean> {
    try {
      await this.client.send(command);
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }
}
