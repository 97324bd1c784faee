import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** DynamoDB's failure shapes, read in one place. */
export const isConditionalCheckFailure = (error: unknown): boolean => error instanceof ConditionalCheckFailedException;

/** Whole-call throttling after the SDK's own retries: the request can be tried again later. */
export const isThrottling = (error: unknown): boolean =>
  error instanceof Error && ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'].includes(error.name);
