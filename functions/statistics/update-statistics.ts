import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type Container, statisticsRepository } from '../../lib/container';
import { changesOf, type StreamRecord } from '../../lib/dynamodb/stream';
import { onLambda } from '../../lib/lambda';
import { logger } from '../../lib/observability';
import { statisticsDeltas } from '../../lib/statistics/statistics';
import { streamConsumers } from '../../lib/topology';

/**
 * DynamoDB stream -> per-template counter shards. The batch is identified by its first and last sequence
 * numbers and added in one transaction, so it succeeds or fails whole: a failure reports the first record,
 * and the stream retries from there (bisecting a batch that keeps failing).
 */
export const build = (container: Container) => {
  const statistics = statisticsRepository(container);
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records as StreamRecord[];
    const deltas = statisticsDeltas(changesOf(records, streamConsumers.statistics.entities));
    if (deltas.size === 0) return { batchItemFailures: [] };
    const identity = `${records[0]?.dynamodb?.SequenceNumber}-${records.at(-1)?.dynamodb?.SequenceNumber}-${records.length}`;
    try {
      await statistics.add(deltas, identity);
      return { batchItemFailures: [] };
    } catch (error) {
      logger.error('statistics batch not counted; the stream retries it', { error: error as Error, records: records.length });
      return { batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber ?? '' }] };
    }
  };
};

export const handler = onLambda(build);
