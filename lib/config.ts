/**
 * The one place that reads configuration from the environment. Every value is read once, at cold
 * start, and a missing required value fails fast with the variable's name instead of surfacing later
 * as an AWS "ValidationException" deep in a request.
 */
export class ConfigurationError extends Error {}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new ConfigurationError(`environment variable ${name} is required`);
  return value;
}

function optional(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function integer(name: string, fallback: number): number {
  const raw = optional(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new ConfigurationError(`environment variable ${name} must be an integer, got "${raw}"`);
  return value;
}

export interface Config {
  readonly tableName: string;
  readonly region: string;
  /** Set only locally (DynamoDB Local); on AWS the SDK's default endpoint is used. */
  readonly dynamodbEndpoint: string | undefined;
  readonly eventBusName: string;
  /** Set only locally: the stream publisher appends events to this file instead of calling EventBridge. */
  readonly eventsFile: string | undefined;
  /** How long a template read stays in the claim path's in-process cache. */
  readonly templateCacheTtlMs: number;
  /** How long the claim path waits for a user's audience tags before treating them as unavailable. */
  readonly tagTimeoutMs: number;
  /** Most coupons one order may use together. */
  readonly maxCouponsPerOrder: number;
  /** How long an order's lock holds before the system releases its coupons. */
  readonly lockTimeoutMinutes: number;
  readonly blocklistCacheTtlMs: number;
  /** The queue campaign chunks go to (set on the functions that send them). */
  readonly campaignQueueUrl: string | undefined;
  /** How long a campaign may wait for its workers before it completes as timed out. */
  readonly campaignDeadlineHours: number;
  /** The campaign worker's SQS event source mapping, whose MaximumConcurrency a campaign sets. */
  readonly workerMappingId: string | undefined;
  /** Local emulator endpoints; unset on AWS. */
  readonly eventBridgeEndpoint: string | undefined;
  readonly sqsEndpoint: string | undefined;
  readonly s3Endpoint: string | undefined;
}

let cached: Config | undefined;

export function config(): Config {
  cached ??= {
    tableName: required('TABLE_NAME'),
    region: optional('AWS_REGION') ?? 'us-east-1',
    dynamodbEndpoint: optional('DYNAMODB_ENDPOINT'),
    eventBusName: optional('EVENT_BUS_NAME') ?? 'default',
    eventsFile: optional('EVENTS_FILE'),
    templateCacheTtlMs: integer('TEMPLATE_CACHE_TTL_MS', 2_000),
    tagTimeoutMs: integer('TAG_TIMEOUT_MS', 150),
    maxCouponsPerOrder: integer('MAX_COUPONS_PER_ORDER', 5),
    lockTimeoutMinutes: integer('LOCK_TIMEOUT_MINUTES', 30),
    blocklistCacheTtlMs: integer('BLOCKLIST_CACHE_TTL_MS', 30_000),
    campaignQueueUrl: optional('CAMPAIGN_QUEUE_URL'),
    campaignDeadlineHours: integer('CAMPAIGN_DEADLINE_HOURS', 24),
    workerMappingId: optional('WORKER_MAPPING_ID'),
    eventBridgeEndpoint: optional('EVENTBRIDGE_ENDPOINT'),
    sqsEndpoint: optional('SQS_ENDPOINT'),
    s3Endpoint: optional('S3_ENDPOINT'),
  };
  return cached;
}
