import { Entity } from './entities';

/**
 * The names and numbers that the deployed topology (infra/) and the local stack (tools/local/) must
 * agree on: environment variables, queues, stream consumers, schedules, rules and state machine
 * states. Both read them from here, and a test holds the synthesized template against them, so the two
 * cannot drift.
 */

/** Environment variables the CDK app sets on functions and `lib/config.ts` reads. */
export const ENV = {
  tableName: 'TABLE_NAME',
  region: 'AWS_REGION',
  eventBusName: 'EVENT_BUS_NAME',
  campaignQueueUrl: 'CAMPAIGN_QUEUE_URL',
  workerMappingId: 'WORKER_MAPPING_ID',
  lockTimeoutMinutes: 'LOCK_TIMEOUT_MINUTES',
  campaignDeadlineHours: 'CAMPAIGN_DEADLINE_HOURS',
  archiveBucket: 'ARCHIVE_BUCKET',
  audienceBucket: 'AUDIENCE_BUCKET',
  archiveRetentionDays: 'ARCHIVE_RETENTION_DAYS',
  reminderOffsets: 'REMINDER_OFFSETS',
  codeSecretId: 'CODE_SECRET_ID',
  codeExportBucket: 'CODE_EXPORT_BUCKET',
  codeQueueUrl: 'CODE_QUEUE_URL',
  codeFailuresPerUser: 'CODE_FAILURES_PER_USER',
  codeFailuresPerAddress: 'CODE_FAILURES_PER_ADDRESS',
  codeFailureWindowMinutes: 'CODE_FAILURE_WINDOW_MINUTES',
  importBucket: 'IMPORT_BUCKET',
  importQueueUrl: 'IMPORT_QUEUE_URL',
} as const;

/**
 * The import queue (standard: every step is idempotent) and its dead-letter queue. A part of 5,000
 * coupons takes seconds; planning reads the whole coupons file once, and a verify message scans for at
 * most imports.scanBudgetMs (10 minutes), so the worker gets Lambda's 15 minutes.
 */
export const importQueue = {
  workerTimeoutSeconds: 900,
  visibilityTimeoutSeconds: 5400,
  maxReceiveCount: 5,
  batchSize: 1,
  retentionDays: 4,
  deadLetterRetentionDays: 14,
} as const;
export const importWorker = { entry: 'functions/imports/run-import-step.ts' } as const;
/** Requests to import (ImportRequested, data: the POST /v1/admin/imports body) go from the bus to the import queue. */
export const IMPORT_REQUEST_SOURCE = 'coupon-platform.imports';
export const importRequestRule = { source: IMPORT_REQUEST_SOURCE, detailType: 'ImportRequested' } as const;

/** The code generation queue (standard: parts are idempotent) and its dead-letter queue. */
export const codeQueue = {
  /** A part of 10,000 codes takes seconds; the timeout leaves room for the part that writes a 10-million-code export. */
  workerTimeoutSeconds: 900,
  visibilityTimeoutSeconds: 5400,
  maxReceiveCount: 5,
  batchSize: 1,
  retentionDays: 4,
  deadLetterRetentionDays: 14,
} as const;
export const codeWorker = { entry: 'functions/codes/generate-codes.ts' } as const;

/** The campaign chunk queue and its dead-letter queue. */
export const campaignQueue = {
  /** The worker's Lambda timeout. */
  workerTimeoutSeconds: 60,
  /** AWS's advice for SQS event sources: at least six times the function timeout. */
  visibilityTimeoutSeconds: 360,
  /** Receives before SQS moves a message to the dead-letter queue. */
  maxReceiveCount: 5,
  /** Messages per worker invocation. */
  batchSize: 10,
  retentionDays: 4,
  deadLetterRetentionDays: 14,
} as const;

/**
 * The functions that read the table's stream, each with its own position (two event source mappings).
 * Only items of these entities wake them: the filter is on the new image's `entity`.
 */
export const streamConsumers = {
  publisher: {
    entry: 'functions/events/publish-stream-events.ts',
    entities: [Entity.coupon, Entity.reminder, Entity.codeBatch],
    batchSize: 100,
    maxBatchingWindowSeconds: 1,
    retryAttempts: 10,
  },
  statistics: {
    entry: 'functions/statistics/update-statistics.ts',
    entities: [Entity.coupon, Entity.reminder],
    // Larger, fewer batches: one counter update per template per batch, whatever the batch size.
    batchSize: 500,
    maxBatchingWindowSeconds: 5,
    retryAttempts: 10,
  },
} as const;
export type StreamConsumer = (typeof streamConsumers)[keyof typeof streamConsumers];

/** The event-source filter pattern of a stream consumer, in the shape Lambda's FilterCriteria takes. */
export const streamFilterPattern = (consumer: StreamConsumer) => ({ dynamodb: { NewImage: { entity: { S: [...consumer.entities] } } } });

/** Functions run on a schedule. */
export const schedules = {
  releaseExpiredLocks: { entry: 'functions/orders/release-expired-locks.ts', everyMinutes: 1 },
  auditStockLedgers: { entry: 'functions/ledger/audit-stock-ledgers.ts', everyMinutes: 24 * 60 },
  /** Lifecycle jobs (docs/lifecycle.md); each run works for at most its budget, the next goes on. The expiry rate is a deploy parameter. */
  expireCoupons: { entry: 'functions/lifecycle/expire-coupons.ts', everyMinutes: 15 },
  sendReminders: { entry: 'functions/lifecycle/send-reminders.ts', everyMinutes: 60 },
  archiveCoupons: { entry: 'functions/lifecycle/archive-coupons.ts', everyMinutes: 60 },
} as const;

/** The metric the ledger audit emits (embedded metric format) and its alarm watches. */
/** Every metric the functions publish (EMF through Powertools) lives in this namespace, tagged with the service. */
export const metricsNamespace = 'CouponPlatform';
export const serviceName = 'coupons';
export const ledgerImbalanceMetric = { namespace: metricsNamespace, name: 'StockLedgerImbalances' } as const;
/** A lifecycle job run that ran out of time before it was done (dimension `job`); an alarm watches runs that keep falling behind. */
export const lifecycleBacklogMetric = { namespace: metricsNamespace, name: 'LifecycleRunsBehind' } as const;
/** Failed code redemptions (dimension `reason`); an alarm watches the rate. */
export const codeFailureMetric = { namespace: metricsNamespace, name: 'CodeRedemptionFailures' } as const;

/** The campaign state machine's task states (by the name the definition gives them) and the function behind each. */
export const campaignSteps = {
  prepare: { state: 'Prepare campaign', entry: 'functions/campaigns/prepare-campaign.ts' },
  enqueue: { state: 'Enqueue audience page', entry: 'functions/campaigns/enqueue-audience-page.ts' },
  check: { state: 'Check progress', entry: 'functions/campaigns/check-progress.ts' },
  complete: { state: 'Complete campaign', entry: 'functions/campaigns/complete-campaign.ts' },
} as const;
export const campaignWaitState = { state: 'Wait for workers', seconds: 10 } as const;
export const campaignWorker = { entry: 'functions/campaigns/issue-campaign-coupons.ts' } as const;

/** Requests to the platform (a campaign to run) come from this source, so rules never confuse them with facts. */
export const CAMPAIGN_REQUEST_SOURCE = 'coupon-platform.campaigns';
/** The rule on the bus that starts the campaign state machine. */
export const campaignRequestRule = { source: CAMPAIGN_REQUEST_SOURCE, detailType: 'CampaignRequested' } as const;
