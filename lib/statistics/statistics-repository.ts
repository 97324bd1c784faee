import { createHash } from 'node:crypto';
import { NotFoundError } from '../errors';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity } from '../entities';
import { readTemplatePartition } from '../templates/template-repository';
import { STATISTICS_SHARDS, inventoryShardPrefix, statisticsShardKey, statisticsShardPrefix, templateKey } from '../keys';
import { COUNTERS, type Counters, type TemplateStatistics, zeroCounters } from './statistics';

const TRANSACTION_MAX_ITEMS = 100;


export class StatisticsRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Adds a batch's deltas: one ADD per template on a counter shard, all in transactions whose
   * ClientRequestToken is derived from the batch, so Lambda retrying the same batch within DynamoDB's
   * 10-minute window does not count it twice.
   */
  async add(deltas: ReadonlyMap<string, Partial<Counters>>, batchIdentity: string): Promise<void> {
    const entries = [...deltas.entries()];
    for (let i = 0; i < entries.length; i += TRANSACTION_MAX_ITEMS) {
      const chunk = entries.slice(i, i + TRANSACTION_MAX_ITEMS);
      await this.client.send(
        new TransactWriteCommand({
          ClientRequestToken: createHash('sha256').update(`${batchIdentity}|${i}`).digest('hex').slice(0, 36),
          TransactItems: chunk.map(([templateId, counters]) => {
            const names = Object.keys(counters);
            return {
              Update: {
                TableName: this.tableName,
                // The shard is picked from the batch identity, not at random, so a retried batch sends identical parameters.
                Key: statisticsShardKey(templateId, shardFor(batchIdentity, templateId)),
                UpdateExpression: `SET entity = :entity, templateId = :templateId ADD ${names.map((n) => `#${n} :${n}`).join(', ')}`,
                ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
                ExpressionAttributeValues: { ':entity': Entity.statisticsShard, ':templateId': templateId, ...Object.fromEntries(names.map((n) => [`:${n}`, counters[n as keyof Counters]])) },
              },
            };
          }),
        }),
      );
    }
  }

  /** One Query over the template's partition: the template, its stock shards and its counter shards. */
  async get(templateId: string): Promise<TemplateStatistics | undefined> {
    const items = await readTemplatePartition(this.client, this.tableName, templateId);
    const template = items.find((item) => item.sk === templateKey(templateId).sk);
    if (!template) return undefined;
    const counters = zeroCounters();
    for (const shard of items.filter((item) => String(item.sk).startsWith(statisticsShardPrefix))) {
      for (const counter of COUNTERS) counters[counter] += Number(shard[counter] ?? 0);
    }
    const remaining = items.filter((item) => String(item.sk).startsWith(inventoryShardPrefix)).reduce((sum, item) => sum + Number(item.available), 0);
    return { templateId, stock: { total: Number((template.stock as { total: number }).total), remaining }, counters };
  }
}

function shardFor(batchIdentity: string, templateId: string): number {
  return createHash('sha256').update(`${batchIdentity}|${templateId}`).digest().readUInt32BE(0) % STATISTICS_SHARDS;
}

export async function getTemplateStatistics(statistics: Pick<StatisticsRepository, 'get'>, templateId: string): Promise<TemplateStatistics> {
  const found = await statistics.get(templateId);
  if (!found) throw new NotFoundError('template', templateId);
  return found;
}
