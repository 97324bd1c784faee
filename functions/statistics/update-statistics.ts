import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { Container } from '../../lib/container';
import type { Coupon } from '../../lib/coupons/coupon';
import { changesOf, type StreamRecord } from '../../lib/dynamodb/stream';
import { Entity } from '../../lib/entities';
import { onLambda } from '../../lib/lambda';
import { statisticsDeltas } from '../../lib/statistics/statistics';

/** DynamoDB stream -> per-template counter shards. The batch is identified by its first and last sequence numbers. */
export const build = (container: Container) => {
  const statistics = container.statistics();
  return async (event: DynamoDBStreamEvent): Promise<void> => {
    const records = event.Records as StreamRecord[];
    const deltas = statisticsDeltas(changesOf<Coupon>(records, Entity.coupon));
    if (deltas.size === 0) return;
    const identity = `${records[0]?.dynamodb?.SequenceNumber}-${records.at(-1)?.dynamodb?.SequenceNumber}-${records.length}`;
    await statistics.add(deltas, identity);
  };
};

export const handler = onLambda(build);
