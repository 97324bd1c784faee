import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
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

let eventBridgeClient: EventBridgeClient | undefined;

export function eventBridgeClientFromEnvironment(): EventBridgeClient {
  eventBridgeClient ??= new EventBridgeClient({ region: config().region, maxAttempts: 3 });
  return eventBridgeClient;
}

let documentClient: DynamoDBDocumentClient | undefined;

export function documentClientFromEnvironment(): DynamoDBDocumentClient {
  documentClient ??= createDocumentClient();
  return documentClient;
}
