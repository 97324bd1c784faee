import { DAY_MS, durationMs } from './time';
import { ENV } from './topology';

/**
 * The product's settings: every name and tuning number in one place, with its unit and default. The
 * container (lib/container.ts) is built from a Settings value: on Lambda from the environment (the
 * only place that reads it, below), locally and in tests from `defaultSettings` plus overrides.
 */
export class ConfigurationError extends Error {}

/** Endpoints of local emulators; all unset on AWS, where the SDK's defaults apply. */
export interface Endpoints {
  readonly dynamodb?: string;
  readonly eventBridge?: string;
  readonly sqs?: string;
  readonly s3?: string;
  readonly secretsManager?: string;
}

export interface Settings {
  readonly tableName: string;
  readonly region: string;
  readonly endpoints: Endpoints;
  readonly eventBusName: string;
  /** The queue campaign chunks go to (set on the functions that send them). */
  readonly campaignQueueUrl?: string;
  /** The campaign worker's SQS event source mapping, whose MaximumConcurrency a campaign sets; unset locally. */
  readonly workerMappingId?: string;

  /** SDK attempts per call (the SDK's own retries with backoff) for DynamoDB, and for SQS and S3. */
  readonly dynamodbMaxAttempts: number;
  readonly queueAndStorageMaxAttempts: number;

  readonly claims: {
    /** Milliseconds a template read stays in the claim path's in-process cache (also its stock hints). */
    readonly templateCacheTtlMs: number;
    /** Transaction attempts before a claim answers 503 TRY_AGAIN. */
    readonly maxAttempts: number;
    /** Milliseconds the claim path waits for a user's audience tags before treating them as unavailable. */
    readonly tagTimeoutMs: number;
    /** Failures in a row that open the tag reader's circuit breaker, and milliseconds it stays open. */
    readonly tagBreakerFailureThreshold: number;
    readonly tagBreakerOpenMs: number;
  };
  readonly orders: {
    /** Most coupons one order may use together. */
    readonly maxCouponsPerOrder: number;
    /** Minutes an order's lock holds before the system releases its coupons. */
    readonly lockTimeoutMinutes: number;
    /** Milliseconds the global block list stays cached per environment. */
    readonly blocklistCacheTtlMs: number;
    /** Expired locks the releaser reads per GSI1 shard per run. */
    readonly releaseBatchPerShard: number;
    /** Days a confirmed order is kept for refunds and audits, and a cancelled or released one, before TTL deletes it. */
    readonly confirmedRetentionDays: number;
    readonly abandonedRetentionDays: number;
  };
  readonly campaigns: {
    /** Hours a campaign may wait for its workers before it completes as timed out. */
    readonly deadlineHours: number;
    /** Bytes of an S3 audience file read per page (a page is deduplicated as a whole). */
    readonly audiencePageBytes: number;
    /** Attempts to reserve a campaign's stock while claims move the shards. */
    readonly reserveAttempts: number;
    /** Milliseconds the worker caches a template. */
    readonly workerTemplateCacheTtlMs: number;
    /** BatchWriteItem attempts per delivery before the unwritten users are left to a redelivery. */
    readonly writeAttempts: number;
    /** Base of the worker's backoff between BatchWriteItem attempts, in milliseconds. */
    readonly writeBaseDelayMs: number;
    /**
     * DynamoDB calls for coupons one worker process has in flight, across the chunks it runs at once.
     * Below the SDK's 50 sockets: more only queues on the HTTP agent, and a DynamoDB endpoint serves
     * fewer items a second under hundreds of concurrent calls than under tens.
     */
    readonly writeCallsInFlight: number;
    /** From this delivery on, users that still cannot be written are recorded as failed instead of redelivered. */
    readonly giveUpAtReceiveCount: number;
    /** The bucket audience files are uploaded to through pre-signed links (set on the function that hands them out). */
    readonly audienceBucket?: string;
    /** Seconds an audience upload link works. */
    readonly uploadUrlSeconds: number;
  };
  /** Redemption codes (docs/codes.md). */
  readonly codes: {
    /** The Secrets Manager secret (name or ARN) codes are hashed and generated with (on AWS). */
    readonly secretId?: string;
    /** The secret itself, where there is no Secrets Manager (the local stack, tests, benchmarks). */
    readonly developmentSecret?: string;
    /** Where exports go, and the queue generation parts go to (set on the code functions). */
    readonly exportBucket?: string;
    readonly queueUrl?: string;
    /** Codes per generation part (one queue message). */
    readonly partSize: number;
    /** Seconds an export link works. */
    readonly exportUrlSeconds: number;
    /** Failed redemptions allowed per user and per source address in the sliding window, and the window. */
    readonly failuresPerUser: number;
    readonly failuresPerAddress: number;
    readonly failureWindowMs: number;
    /** DynamoDB calls for codes one generating process has in flight. */
    readonly writeCallsInFlight: number;
    /** Milliseconds a redemption path caches a batch or a template. */
    readonly cacheTtlMs: number;
  };
  /** Imports of legacy data and the dual write (docs/migration.md). */
  readonly imports: {
    /** The bucket import files are read from, and the queue of import steps (set on the import functions). */
    readonly bucket?: string;
    readonly queueUrl?: string;
    /** Lines of a coupons file one part imports (one queue message). */
    readonly partSize: number;
    /** Segments of the parallel scan that verifies an import. */
    readonly verifySegments: number;
    /** Milliseconds one verify message scans before it hands the rest of its segment on. */
    readonly scanBudgetMs: number;
    /** DynamoDB calls one importing process has in flight. */
    readonly writeCallsInFlight: number;
    /** How long after reading a part's coupons its blind writes may still be sent. */
    readonly writeWindowMs: number;
    /** When a dual write's settle message comes back: well after any write window (at most 900, SQS's limit). */
    readonly settleDelaySeconds: number;
  };
  /** Expiry, reminders and archival (docs/lifecycle.md). */
  readonly lifecycle: {
    /** The bucket archived coupons and manifests go to (set on the archival function and the archive listing). */
    readonly archiveBucket?: string;
    /** Days a used or expired coupon stays in the table after it settled, before archival moves it to S3. */
    readonly retentionDays: number;
    /** Reminder offsets of templates that set none (ISO 8601 durations). */
    readonly defaultReminderOffsets: readonly string[];
    /** Days a reminder record is kept (it only has to outlive its day). */
    readonly reminderRetentionDays: number;
    /** The day's reminders go out from this UTC hour on (runs before it send nothing). */
    readonly remindFromHourUtc: number;
    /** Index entries read per Query page, and coupons per archive batch (one set of archive objects). */
    readonly pageSize: number;
    readonly archiveBatchSize: number;
    /** DynamoDB writes (expire, delete, remind) one job has in flight, across shards. */
    readonly writesInFlight: number;
    /** Milliseconds a job run works before it stops starting new pages (below the function's timeout); the next run goes on. */
    readonly runBudgetMs: number;
    /** Milliseconds an archival run holds a shard; a crashed run's shard is taken over (and its batch recovered) after this. */
    readonly archiveLeaseMs: number;
  };
}

export const defaultSettings: Settings = {
  tableName: 'coupons',
  region: 'us-east-1',
  endpoints: {},
  eventBusName: 'default',
  dynamodbMaxAttempts: 3,
  queueAndStorageMaxAttempts: 5,
  claims: { templateCacheTtlMs: 2_000, maxAttempts: 8, tagTimeoutMs: 150, tagBreakerFailureThreshold: 5, tagBreakerOpenMs: 10_000 },
  orders: { maxCouponsPerOrder: 5, lockTimeoutMinutes: 30, blocklistCacheTtlMs: 30_000, releaseBatchPerShard: 100, confirmedRetentionDays: 400, abandonedRetentionDays: 30 },
  campaigns: {
    deadlineHours: 24,
    audiencePageBytes: 4 * 1024 * 1024,
    reserveAttempts: 5,
    workerTemplateCacheTtlMs: 60_000,
    writeAttempts: 6,
    writeBaseDelayMs: 50,
    writeCallsInFlight: 16,
    giveUpAtReceiveCount: 3,
    uploadUrlSeconds: 15 * 60,
  },
  codes: {
    partSize: 10_000,
    exportUrlSeconds: 15 * 60,
    failuresPerUser: 5,
    failuresPerAddress: 50,
    failureWindowMs: 15 * 60_000,
    writeCallsInFlight: 16,
    cacheTtlMs: 2_000,
  },
  imports: {
    partSize: 5_000,
    verifySegments: 16,
    scanBudgetMs: 10 * 60_000,
    writeCallsInFlight: 16,
    writeWindowMs: 5 * 60_000,
    settleDelaySeconds: 900,
  },
  lifecycle: {
    retentionDays: 180,
    defaultReminderOffsets: ['P3D', 'P1D'],
    reminderRetentionDays: 30,
    remindFromHourUtc: 8,
    pageSize: 500,
    archiveBatchSize: 1_000,
    writesInFlight: 32,
    runBudgetMs: 12 * 60_000,
    archiveLeaseMs: 15 * 60_000,
  },
};

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Settings of a Lambda function: what the CDK app set in its environment (lib/topology.ts names the
 * variables), defaults for the rest. Read once, at cold start; a missing or malformed value fails fast
 * with the variable's name instead of surfacing later as an AWS ValidationException deep in a request.
 */
export function settingsFromEnvironment(env: Environment = process.env): Settings {
  const optional = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const required = (name: string) => {
    const value = optional(name);
    if (value === undefined) throw new ConfigurationError(`environment variable ${name} is required`);
    return value;
  };
  const integer = (name: string, fallback: number) => {
    const raw = optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value)) throw new ConfigurationError(`environment variable ${name} must be an integer, got "${raw}"`);
    return value;
  };
  return {
    ...defaultSettings,
    tableName: required(ENV.tableName),
    region: optional(ENV.region) ?? defaultSettings.region,
    eventBusName: optional(ENV.eventBusName) ?? defaultSettings.eventBusName,
    campaignQueueUrl: optional(ENV.campaignQueueUrl),
    workerMappingId: optional(ENV.workerMappingId),
    orders: { ...defaultSettings.orders, lockTimeoutMinutes: integer(ENV.lockTimeoutMinutes, defaultSettings.orders.lockTimeoutMinutes) },
    campaigns: { ...defaultSettings.campaigns, deadlineHours: integer(ENV.campaignDeadlineHours, defaultSettings.campaigns.deadlineHours), audienceBucket: optional(ENV.audienceBucket) },
    codes: {
      ...defaultSettings.codes,
      secretId: optional(ENV.codeSecretId),
      exportBucket: optional(ENV.codeExportBucket),
      queueUrl: optional(ENV.codeQueueUrl),
      failuresPerUser: integer(ENV.codeFailuresPerUser, defaultSettings.codes.failuresPerUser),
      failuresPerAddress: integer(ENV.codeFailuresPerAddress, defaultSettings.codes.failuresPerAddress),
      failureWindowMs: integer(ENV.codeFailureWindowMinutes, defaultSettings.codes.failureWindowMs / 60_000) * 60_000,
    },
    imports: { ...defaultSettings.imports, bucket: optional(ENV.importBucket), queueUrl: optional(ENV.importQueueUrl) },
    lifecycle: {
      ...defaultSettings.lifecycle,
      archiveBucket: optional(ENV.archiveBucket),
      retentionDays: integer(ENV.archiveRetentionDays, defaultSettings.lifecycle.retentionDays),
      // Set but empty means no reminders by default, so it is read as it is, not as unset.
      defaultReminderOffsets: reminderOffsets(env[ENV.reminderOffsets]) ?? defaultSettings.lifecycle.defaultReminderOffsets,
    },
  };
}

/**
 * REMINDER_OFFSETS: a comma-separated list (empty for none), each a fixed-length ISO 8601 duration
 * above zero and at most 90 days, as a template's own offsets (checked here without the template
 * schema, which every function would otherwise bundle).
 */
function reminderOffsets(raw: string | undefined): readonly string[] | undefined {
  if (raw === undefined) return undefined;
  const offsets = raw.split(',').map((part) => part.trim()).filter((part) => part !== '');
  const valid = (offset: string) => {
    const ms = durationMs(offset);
    return ms !== undefined && ms > 0 && ms <= 90 * DAY_MS;
  };
  if (!offsets.every(valid)) throw new ConfigurationError(`environment variable ${ENV.reminderOffsets} must list ISO 8601 durations such as P3D,P1D, got "${raw}"`);
  return offsets;
}

/** Settings with some parts replaced (nested parts merged), for the local stack, tests and benchmarks. */
export type SettingsOverrides = Partial<Omit<Settings, 'claims' | 'orders' | 'campaigns' | 'codes' | 'imports' | 'lifecycle' | 'endpoints'>> & {
  readonly codes?: Partial<Settings['codes']>;
  readonly imports?: Partial<Settings['imports']>;
  readonly claims?: Partial<Settings['claims']>;
  readonly orders?: Partial<Settings['orders']>;
  readonly campaigns?: Partial<Settings['campaigns']>;
  readonly lifecycle?: Partial<Settings['lifecycle']>;
  readonly endpoints?: Endpoints;
};

export const withSettings = (base: Settings, overrides: SettingsOverrides): Settings => ({
  ...base,
  ...overrides,
  endpoints: { ...base.endpoints, ...overrides.endpoints },
  claims: { ...base.claims, ...overrides.claims },
  orders: { ...base.orders, ...overrides.orders },
  campaigns: { ...base.campaigns, ...overrides.campaigns },
  codes: { ...base.codes, ...overrides.codes },
  imports: { ...base.imports, ...overrides.imports },
  lifecycle: { ...base.lifecycle, ...overrides.lifecycle },
});
