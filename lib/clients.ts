import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Settings } from './config';

/**
 * The one place that builds AWS SDK clients, from settings. Each is built on first use and then
 * shared; adapters never build their own, they take a client as a parameter.
 */
export interface Clients {
  readonly dynamodb: () => DynamoDBDocumentClient;
  readonly eventBridge: () => EventBridgeClient;
  readonly sqs: () => SQSClient;
  readonly s3: () => S3Client;
  readonly lambda: () => LambdaClient;
  /** Closes every client built so far (the local stack and tests stop cleanly). */
  readonly destroy: () => void;
}

/** Locally an endpoint is set and any credentials do (fixed ones keep the SDK from looking for real ones); on AWS both come from the Lambda environment. */
const endpointOptions = (endpoint: string | undefined) => (endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {});

export interface ClientOptions {
  /** Wraps each client as it is built (on Lambda: the tracer captures it, so every call is a trace segment). */
  readonly instrument?: <T>(client: T) => T;
}

export function createClients(settings: Pick<Settings, 'region' | 'endpoints' | 'dynamodbMaxAttempts' | 'queueAndStorageMaxAttempts'>, options: ClientOptions = {}): Clients {
  const instrument = options.instrument ?? (<T>(client: T) => client);
  const built: Array<{ destroy(): void }> = [];
  const once = <T extends { destroy(): void }>(make: () => T): (() => T) => {
    let client: T | undefined;
    return () => {
      if (!client) {
        client = make();
        built.push(client);
      }
      return client;
    };
  };
  const { region, endpoints } = settings;
  return {
    dynamodb: once(() =>
      DynamoDBDocumentClient.from(instrument(new DynamoDBClient({ region, maxAttempts: settings.dynamodbMaxAttempts, ...endpointOptions(endpoints.dynamodb) })), {
        marshallOptions: { removeUndefinedValues: true },
      }),
    ),
    eventBridge: once(() => instrument(new EventBridgeClient({ region, maxAttempts: 3, ...endpointOptions(endpoints.eventBridge) }))),
    sqs: once(() => instrument(new SQSClient({ region, maxAttempts: settings.queueAndStorageMaxAttempts, ...endpointOptions(endpoints.sqs) }))),
    s3: once(() => instrument(new S3Client({ region, maxAttempts: settings.queueAndStorageMaxAttempts, ...endpointOptions(endpoints.s3), ...(endpoints.s3 ? { forcePathStyle: true } : {}) }))),
    lambda: once(() => instrument(new LambdaClient({ region }))),
    destroy: () => {
      for (const client of built.splice(0)) client.destroy();
    },
  };
}
