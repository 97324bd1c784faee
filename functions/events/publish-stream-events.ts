import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventSink } from '../../lib/composition';
import { publishStreamEvents } from '../../lib/events/publish-stream-events';
import type { StreamRecord } from '../../lib/events/stream-events';

const sink = eventSink();

/** DynamoDB stream -> EventBridge. Reports the first unpublished record so the stream resumes there. */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const result = await publishStreamEvents(event.Records as unknown as StreamRecord[], sink);
  return { batchItemFailures: result.firstFailedSequenceNumber === undefined ? [] : [{ itemIdentifier: result.firstFailedSequenceNumber }] };
};
