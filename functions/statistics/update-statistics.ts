import type { DynamoDBStreamEvent } from 'aws-lambda';
import { statisticsRepository } from '../../lib/composition';
import type { StreamRecord } from '../../lib/events/stream-events';
import { statisticsDeltas } from '../../lib/statistics/statistics';

const statistics = statisticsRepository();

/** DynamoDB stream -> per-template counter shards. The batch is identified by its first and last sequence numbers. */
export const handler = async (event: DynamoDBStreamEvent): Promise<void> => {
  const records = event.Records as unknown as StreamRecord[];
  const deltas = statisticsDeltas(records);
  if (deltas.size === 0) return;
  const identity = `${records[0]?.dynamodb?.SequenceNumber}-${records.at(-1)?.dynamodb?.SequenceNumber}-${records.length}`;
  await statistics.add(deltas, identity);
};
