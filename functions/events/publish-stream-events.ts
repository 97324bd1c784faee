import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type Container, eventSink } from '../../lib/container';
import { changesOf, type StreamRecord } from '../../lib/dynamodb/stream';
import { publishChangeEvents } from '../../lib/events/publish-stream-events';
import { onLambda } from '../../lib/lambda';
import { streamConsumers } from '../../lib/topology';

/** DynamoDB stream -> EventBridge. Reports the first unpublished record so the stream resumes there. */
export const build = (container: Container) => {
  const sink = eventSink(container);
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const result = await publishChangeEvents(changesOf(event.Records as StreamRecord[], streamConsumers.publisher.entities), sink);
    return { batchItemFailures: result.firstFailedSequenceNumber === undefined ? [] : [{ itemIdentifier: result.firstFailedSequenceNumber }] };
  };
};

export const handler = onLambda(build);
