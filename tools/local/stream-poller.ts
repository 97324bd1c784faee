import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse } from 'aws-lambda';

type StreamHandler = (event: { Records: _Record[] }) => Promise<DynamoDBBatchResponse | void>;

export interface StreamPoller {
  /** Resolves once every record written so far has been handed to the handler. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Drives a DynamoDB stream handler from DynamoDB Local's stream the way Lambda's event source mapping
 * does: batches in order per shard, and on a reported batch item failure, the batch is retried from
 * that record.
 */
export async function startStreamPoller(options: {
  endpoint: string;
  tableName: string;
  handler: StreamHandler;
  from?: 'TRIM_HORIZON' | 'LATEST';
  intervalMs?: number;
}): Promise<StreamPoller> {
  const config = { endpoint: options.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const dynamodb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);

  const iterators = new Map<string, string | undefined>();
  let running = true;
  let idleRounds = 0;
  let waiters: Array<() => void> = [];

  async function discoverShards(): Promise<void> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: options.from ?? 'TRIM_HORIZON' }),
      );
      iterators.set(shard.ShardId, ShardIterator);
    }
  }

  async function pollShard(shardId: string, iterator: string): Promise<number> {
    const { Records = [], NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    if (Records.length === 0) {
      iterators.set(shardId, NextShardIterator);
      return 0;
    }
    const response = await options.handler({ Records });
    const failedAt = response?.batchItemFailures?.[0]?.itemIdentifier;
    if (failedAt) {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: failedAt }),
      );
      iterators.set(shardId, ShardIterator);
    } else {
      iterators.set(shardId, NextShardIterator);
    }
    return Records.length;
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
      idleRounds = seen === 0 ? idleRounds + 1 : 0;
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
