import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailure } from '../dynamodb/errors';
import { queryAll, queryPrefix } from '../dynamodb/query';
import { conditionFailed, isContention, putOnce, transactWrite } from '../dynamodb/transaction';
import { Entity, entityItem, withoutKeys } from '../entities';
import { ConflictError, ContentionError, IdempotencyKeyReusedError, NotFoundError } from '../errors';
import { indexes } from '../table';
import { inventoryShardKey, stockAdditionKey, templateCreationKey, inventoryShardPrefix, shardOfInventoryKey, templateKey, templateListingKey, templateListingPartition, templateListingStatusPrefix, templatePartition } from '../keys';
import { decodeCursor, encodeCursor, type Page } from '../pagination';
import type { Template } from './template';
import { splitAcrossShards } from './template';
import { addToShard } from './stock-items';
import type { TemplateStatus } from './template-schema';

export interface StockShard {
  readonly shard: number;
  readonly available: number;
}

/** A stock shard with where its units went (lib/templates/stock-items.ts); absent on shards written before the ledger existed. */
export interface StockShardFlows extends StockShard {
  readonly added?: number;
  readonly claimed: number;
  readonly reserved: number;
  readonly returned: number;
}

export interface TemplateWithStock {
  readonly template: Template;
  readonly shards: readonly StockShardFlows[];
}

/** Every item in a template's partition (template, stock shards, counter shards), strongly consistent. */
export const readTemplatePartition = (client: DynamoDBDocumentClient, tableName: string, templateId: string) =>
  queryAll(client, { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': templatePartition(templateId) }, ConsistentRead: true });

/** A stored template; templates written before a field existed get its default. */
const templateOf = (item: Record<string, unknown>): Template => {
  const stored = withoutKeys<Omit<Template, 'claimable'> & { claimable?: boolean }>(item);
  return { ...stored, claimable: stored.claimable ?? true };
};

const templateItem = (template: Template) => entityItem(Entity.template, { ...templateKey(template.id), ...templateListingKey(template.status, template.createdAt, template.id) }, template);

/** DynamoDB adapter for templates and their stock shards. Takes its client; builds none. */
export class TemplateRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * One transaction: the template and all its shard items, so a template never exists without its stock;
   * with an idempotency key, also the record of the creation (at most one per caller and key). Answers
   * the template created earlier under the same key and request, if there was one.
   */
  async create(template: Template, idempotency?: { readonly caller: string; readonly key: string; readonly requestHash: string }): Promise<{ readonly createdEarlier?: string }> {
    const portions = splitAcrossShards(template.stock.total - (template.stock.carriedOver ?? 0), template.stock.shards);
    const outcome = await transactWrite(this.client, [
      { role: 'template' as const, item: { Put: { TableName: this.tableName, Item: templateItem(template), ConditionExpression: 'attribute_not_exists(pk)' } } },
      ...(idempotency
        ? [
            {
              role: 'record' as const,
              item: putOnce(
                this.tableName,
                entityItem(Entity.templateCreation, templateCreationKey(idempotency.caller, idempotency.key), { templateId: template.id, requestHash: idempotency.requestHash, createdAt: template.createdAt }),
              ),
            },
          ]
        : []),
      ...portions.map((available, shard) => ({
        role: 'shard' as const,
        item: { Put: { TableName: this.tableName, Item: entityItem(Entity.stockShard, inventoryShardKey(template.id, shard), { templateId: template.id, shard, available, added: available }) } },
      })),
    ]);
    if (outcome.committed) return {};
    const [earlier] = conditionFailed(outcome, (role) => role === 'record');
    if (earlier) {
      if (earlier.old?.requestHash !== idempotency?.requestHash) throw new IdempotencyKeyReusedError();
      return { createdEarlier: String(earlier.old?.templateId) };
    }
    throw new Error(`creating template ${template.id} was cancelled for an unexpected reason`);
  }

  async get(templateId: string, options: { consistent?: boolean } = {}): Promise<Template | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: templateKey(templateId), ConsistentRead: options.consistent ?? true }));
    return Item ? templateOf(Item) : undefined;
  }

  async require(templateId: string): Promise<Template> {
    const template = await this.get(templateId);
    if (!template) throw new NotFoundError('template', templateId);
    return template;
  }

  /** One Query over the template's partition returns the template and every stock shard. */
  async getWithStock(templateId: string): Promise<TemplateWithStock | undefined> {
    const items = await readTemplatePartition(this.client, this.tableName, templateId);
    const templateRecord = items.find((item) => item.sk === templateKey(templateId).sk);
    if (!templateRecord) return undefined;
    const shards = items
      .filter((item) => String(item.sk).startsWith(inventoryShardPrefix))
      .map((item) => ({
        shard: shardOfInventoryKey(String(item.sk)),
        available: Number(item.available),
        ...(item.added === undefined ? {} : { added: Number(item.added) }),
        claimed: Number(item.claimed ?? 0),
        reserved: Number(item.reserved ?? 0),
        returned: Number(item.returned ?? 0),
      }));
    return { template: templateOf(templateRecord), shards };
  }

  /** The stock shard items alone (consistent): what a claim re-reads when the shard it picked was short. */
  async stockShards(templateId: string): Promise<StockShard[]> {
    const items = await queryPrefix(this.client, this.tableName, templatePartition(templateId), inventoryShardPrefix);
    return items.map((item) => ({ shard: shardOfInventoryKey(String(item.sk)), available: Number(item.available) }));
  }

  async list(query: { status?: TemplateStatus; limit: number; cursor?: string }): Promise<Page<Template>> {
    const startKey = decodeCursor(query.cursor, {
      attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
      partition: { name: 'gsi1pk', value: templateListingPartition },
    });
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexes.gsi1.indexName,
        KeyConditionExpression: query.status ? 'gsi1pk = :pk AND begins_with(gsi1sk, :status)' : 'gsi1pk = :pk',
        ExpressionAttributeValues: {
          ':pk': templateListingPartition,
          ...(query.status ? { ':status': templateListingStatusPrefix(query.status) } : {}),
        },
        Limit: query.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const nextCursor = encodeCursor(page.LastEvaluatedKey);
    return { items: (page.Items ?? []).map(templateOf), ...(nextCursor ? { nextCursor } : {}) };
  }

  /** Replaces the template only if nobody changed it since it was read (optimistic concurrency on updatedAt). */
  async replace(next: Template, previous: Template): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: templateItem(next),
          ConditionExpression: 'updatedAt = :previousUpdatedAt AND #status = :previousStatus',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':previousUpdatedAt': previous.updatedAt, ':previousStatus': previous.status },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailure(error)) throw concurrentUpdate(next.id);
      throw error;
    }
  }

  async changeStatus(template: Template, to: TemplateStatus, nowIso: string): Promise<Template> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: templateKey(template.id),
          UpdateExpression: 'SET #status = :to, updatedAt = :now, gsi1sk = :gsi1sk',
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':to': to,
            ':from': template.status,
            ':now': nowIso,
            ':gsi1sk': templateListingKey(to, template.createdAt, template.id).gsi1sk,
          },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailure(error)) throw concurrentUpdate(template.id);
      throw error;
    }
    return { ...template, status: to, updatedAt: nowIso };
  }

  /**
   * Adds stock to the template's total and spreads it over the shards in one transaction. With an
   * idempotency key, a record of the addition is written in the same transaction: a retry finds it and
   * changes nothing (returns false), at any later time, not only within DynamoDB's 10-minute token window.
   */
  async addStock(template: Template, quantity: number, nowIso: string, idempotencyKey?: string): Promise<boolean> {
    const portions = splitAcrossShards(quantity, template.stock.shards);
    const outcome = await transactWrite(this.client, [
      {
        role: 'template' as const,
        item: {
          Update: {
            TableName: this.tableName,
            Key: templateKey(template.id),
            UpdateExpression: 'SET #stock.#total = #stock.#total + :quantity, updatedAt = :now',
            ConditionExpression: 'attribute_exists(pk) AND #status <> :ended',
            ExpressionAttributeNames: { '#stock': 'stock', '#total': 'total', '#status': 'status' },
            ExpressionAttributeValues: { ':quantity': quantity, ':now': nowIso, ':ended': 'ended' },
          },
        },
      },
      ...(idempotencyKey
        ? [
            { role: 'record' as const, item: putOnce(this.tableName, entityItem(Entity.stockAddition, stockAdditionKey(template.id, idempotencyKey), { quantity, createdAt: nowIso })) },
          ]
        : []),
      ...portions.flatMap((quantity, shard) => (quantity === 0 ? [] : [{ role: 'shard' as const, item: addToShard(this.tableName, template.id, { shard, quantity }, 'restock') }])),
    ]);
    if (outcome.committed) return true;
    const [earlier] = conditionFailed(outcome, (role) => role === 'record');
    if (earlier) {
      if (Number(earlier.old?.quantity) !== quantity) throw new IdempotencyKeyReusedError();
      return false;
    }
    if (conditionFailed(outcome, (role) => role === 'template').length > 0) {
      throw new ConflictError('TEMPLATE_ENDED', 'Stock cannot be added to an ended template', { templateId: template.id });
    }
    // Claims were taking from the same shards at that moment: the back office may retry (503 + Retry-After).
    if (isContention(outcome)) throw new ContentionError();
    throw new Error(`adding stock to template ${template.id} was cancelled for an unexpected reason`);
  }
}

const concurrentUpdate = (templateId: string) =>
  new ConflictError('CONCURRENT_UPDATE', 'The template changed while this request was handled; read it again and retry', { templateId });
