import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type Container, eventSink } from '../../lib/container';
import type { Coupon } from '../../lib/coupons/coupon';
import { changesOf, type StreamRecord } from '../../lib/dynamodb/stream';
import { Entity } from '../../lib/entities';
import { publishCouponEvents } from '../../lib/events/publish-stream-events';
import { onLambda } from '../../lib/lambda';

/** DynamoDB stream -> EventBridge. Reports the first unpublished record so the stream resumes there. */
export const build = (container: Container) => {
  const sink = eventSink(container);
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const result = await publishCouponEvents(changesOf<Coupon>(event.Records as StreamRecord[], Entity.coupon), sink);
    return { batchItemFailures: result.firstFailedSequenceNumber === undefined ? [] : [{ itemIdentifier: result.firstFailedSequenceNumber }] };
  };
};

export const handler = onLambda(build);
