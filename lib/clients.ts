import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Settings } from './config';

/**
 * The one place that builds AWS SDK clients, from settings. Each is built on first use and then
 * shared; adapters never build their own, they take a client (or its provider) as a parameter.
 *
 * Every function uses DynamoDB, so that client is loaded with the module. The others are loaded on
 * first use (a dynamic import): loading an SDK package costs 20-40 ms of cold start, and most
 * functions never send an event, a queue message, an S3 read or a Lambda call.
 */
export interface Clients {
  readonly dynamodb: () => DynamoDBDocumentClient;
  readonly eventBridge: () => Promise<EventBridgeClient>;
  readonly sqs: () => Promise<SQSClient>;
  readonly s3: () => Promise<S3Client>;
  readonly lambda: () => Promise<LambdaClient>;
  readonly secretsManager: () => Promise<SecretsManagerClient>;
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
  const onFirstUse = <T extends { destroy(): void }>(make: () => Promise<T>): (() => Promise<T>) => {
    let client: Promise<T> | undefined;
    return () =>
      (client ??= make().then((made) => {
        built.push(made);
        return made;
      }));
  };
  const { region, endpoints } = settings;
  return {
    dynamodb: once(() =>
      DynamoDBDocumentClient.from(instrument(new DynamoDBClient({ region, maxAttempts: settings.dynamodbMaxAttempts, ...endpointOptions(endpoints.dynamodb) })), {
        marshallOptions: { removeUndefinedValues: true },
      }),
    ),
    eventBridge: onFirstUse(async () => instrument(new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient({ region, maxAttempts: 3, ...endpointOptions(endpoints.eventBridge) }))),
    sqs: onFirstUse(async () => instrument(new (await import('@aws-sdk/client-sqs')).SQSClient({ region, maxAttempts: settings.queueAndStorageMaxAttempts, ...endpointOptions(endpoints.sqs) }))),
    s3: onFirstUse(async () => instrument(new (await import('@aws-sdk/client-s3')).S3Client({ region, maxAttempts: settings.queueAndStorageMaxAttempts, ...endpointOptions(endpoints.s3), ...(endpoints.s3 ? { forcePathStyle: true } : {}) }))),
    lambda: onFirstUse(async () => instrument(new (await import('@aws-sdk/client-lambda')).LambdaClient({ region }))),
    secretsManager: onFirstUse(async () => instrument(new (await import('@aws-sdk/client-secrets-manager')).SecretsManagerClient({ region, maxAttempts: 3, ...endpointOptions(endpoints.secretsManager) }))),
    destroy: () => {
      for (const client of built.splice(0)) client.destroy();
    },
  };
}
