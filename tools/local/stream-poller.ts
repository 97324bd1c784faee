import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import type { StreamConsumer } from '../../lib/topology';

type StreamHandler = (event: { Records: _Record[] }) => Promise<DynamoDBBatchResponse | void>;

export interface StreamPoller {
  /** Resolves once every record written so far has been handed to the handler. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Lambda's event filter as the CDK app deploys it (lib/topology.ts): records whose new image is not of the consumer's entities are dropped. */
export const passesFilter = (consumer: Pick<StreamConsumer, 'entities'>, record: _Record): boolean => {
  const entity = record.dynamodb?.NewImage?.entity?.S;
  return entity !== undefined && (consumer.entities as readonly string[]).includes(entity);
};

/**
 * Drives a DynamoDB stream handler from DynamoDB Local's stream the way Lambda's event source mapping
 * does, with the consumer's deployed settings: records filtered by entity, batches of up to
 * `batchSize` gathered for at most `maxBatchingWindowSeconds` (a test may shorten the window), in order
 * per shard; on a reported batch item failure, the batch is retried from that record.
 */
export async function startStreamPoller(options: {
  endpoint: string;
  tableName: string;
  consumer: StreamConsumer;
  handler: StreamHandler;
  from?: 'TRIM_HORIZON' | 'LATEST';
  intervalMs?: number;
  maxBatchingWindowSeconds?: number;
}): Promise<StreamPoller> {
  const config = { endpoint: options.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const dynamodb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
  const { consumer } = options;
  const windowMs = (options.maxBatchingWindowSeconds ?? consumer.maxBatchingWindowSeconds) * 1000;

  const iterators = new Map<string, string | undefined>();
  /** Records read but not yet handed over, per shard, and when the first of them was read. */
  const pending = new Map<string, { records: _Record[]; since: number; next: string | undefined }>();
  let running = true;
  let idleRounds = 0;
  let waiters: Array<() => void> = [];

  async function discoverShards(): Promise<void> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: options.from ?? 'TRIM_HORIZON' }));
      iterators.set(shard.ShardId, ShardIterator);
    }
  }

  async function deliver(shardId: string, records: _Record[], next: string | undefined): Promise<void> {
    const matching = records.filter((record) => passesFilter(consumer, record));
    const response = matching.length > 0 ? await options.handler({ Records: matching }) : undefined;
    const failedAt = response?.batchItemFailures?.[0]?.itemIdentifier;
    if (failedAt) {
      const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: failedAt }));
      iterators.set(shardId, ShardIterator);
    } else {
      iterators.set(shardId, next);
    }
  }

  /** Reads what the shard has (up to the batch size); hands a batch over when it is full or its window has passed. */
  async function pollShard(shardId: string, iterator: string): Promise<number> {
    const batch = pending.get(shardId) ?? { records: [], since: Date.now(), next: iterator };
    const { Records = [], NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator: batch.next ?? iterator, Limit: consumer.batchSize - batch.records.length }));
    if (batch.records.length === 0) batch.since = Date.now();
    batch.records.push(...Records);
    batch.next = NextShardIterator;
    if (batch.records.length === 0) {
      iterators.set(shardId, NextShardIterator);
      return 0;
    }
    if (batch.records.length < consumer.batchSize && Date.now() - batch.since < windowMs) {
      pending.set(shardId, batch);
      return Records.length;
    }
    pending.delete(shardId);
    await deliver(shardId, batch.records, batch.next);
    return Records.length || batch.records.length;
  }

  const loop = (async () => {
    while (running) {
      let seen = 0;
      try {
        await discoverShards();
        for (const [shardId, iterator] of iterators) if (iterator) seen += await pollShard(shardId, iterator);
      } catch (error) {
        if (running) console.error('stream poller:', error);
      }
      idleRounds = seen === 0 && pending.size === 0 ? idleRounds + 1 : 0;
      if (idleRounds >= 2) {
        for (const resolve of waiters) resolve();
        waiters = [];
      }
      await new Promise((resolve) => setTimeout(resolve, seen > 0 ? 0 : (options.intervalMs ?? 200)));
    }
  })();

  return {
    drain: () =>
      new Promise<void>((resolve) => {
        idleRounds = 0;
        waiters.push(resolve);
      }),
    async stop() {
      running = false;
      await loop;
      for (const resolve of waiters) resolve();
      dynamodb.destroy();
      streams.destroy();
    },
  };
}
