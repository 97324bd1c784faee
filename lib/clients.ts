import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from './config';

/**
 * The one place that builds AWS SDK clients. Handlers build them once at cold start through these
 * functions; adapters never build their own and take the client as a parameter instead, so tests
 * hand them a client pointed at DynamoDB Local.
 */
export function createDocumentClient(options: { endpoint?: string; region?: string } = {}): DynamoDBDocumentClient {
  const endpoint = options.endpoint ?? config().dynamodbEndpoint;
  const client = new DynamoDBClient({
    region: options.region ?? config().region,
    ...(endpoint
      ? {
          endpoint,
          // DynamoDB Local accepts any credentials; fixed ones keep the SDK from looking for real ones.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Locally (emulators) an endpoint is set and any credentials do; on AWS both come from the Lambda environment. */
const localOptions = (endpoint: string | undefined) => (endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {});

let eventBridgeClient: EventBridgeClient | undefined;
export function eventBridgeClientFromEnvironment(): EventBridgeClient {
  eventBridgeClient ??= new EventBridgeClient({ region: config().region, maxAttempts: 3, ...localOptions(config().eventBridgeEndpoint) });
  return eventBridgeClient;
}

let sqsClient: SQSClient | undefined;
export function sqsClientFromEnvironment(): SQSClient {
  sqsClient ??= new SQSClient({ region: config().region, maxAttempts: 5, ...localOptions(config().sqsEndpoint) });
  return sqsClient;
}

let s3Client: S3Client | undefined;
export function s3ClientFromEnvironment(): S3Client {
  const endpoint = config().s3Endpoint;
  s3Client ??= new S3Client({ region: config().region, maxAttempts: 5, ...localOptions(endpoint), ...(endpoint ? { forcePathStyle: true } : {}) });
  return s3Client;
}

let documentClient: DynamoDBDocumentClient | undefined;

export function documentClientFromEnvironment(): DynamoDBDocumentClient {
  documentClient ??= createDocumentClient();
  return documentClient;
}
