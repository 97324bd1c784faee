import { CircuitBreaker } from './audience/circuit-breaker';
import { TagRepository } from './audience/tag-repository';
import { ResilientTagReader } from './audience/tag-source';
import { AudienceRepository } from './campaigns/audience-repository';
import { CampaignCouponRepository } from './campaigns/campaign-coupon-repository';
import type { Campaign } from './campaigns/campaign';
import type { CampaignDeps } from './campaigns/campaign-deps';
import { pauseCampaignsOfTemplate, resumeCampaignsOfTemplate } from './campaigns/campaign-lifecycle';
import { CampaignRepository } from './campaigns/campaign-repository';
import { ChunkRepository } from './campaigns/chunk-repository';
import type { WorkerDeps } from './campaigns/campaign-worker';
import type { ChunkQueue, WorkerConcurrency } from './campaigns/chunk-queue';
import { EventSourceMappingConcurrency } from './campaigns/lambda-worker-concurrency';
import { SqsChunkQueue } from './campaigns/sqs-chunk-queue';
import type { AudienceUploadDeps } from './campaigns/audience-uploads';
import { S3AudienceUploadLinks } from './campaigns/s3-audience-upload-links';
import { ActiveTemplateCatalog, type ClaimableDeps } from './claims/claimable-templates';
import { ClaimRepository } from './claims/claim-repository';
import type { ClaimDeps } from './claims/claim-service';
import { TemplateCache } from './claims/template-cache';
import { type Clients, createClients } from './clients';
import { callGate } from './dynamodb/call-gate';
import type { Settings } from './config';
import { CouponRepository } from './coupons/coupon-repository';
import type { WalletDeps } from './coupons/wallet-service';
import { EventBridgeSink } from './events/eventbridge-sink';
import type { EventSink } from './events/event-sink';
import { newId } from './ids';
import { logger } from './observability';
import type { LedgerDeps } from './ledger/ledger-service';
import { OrderRepository } from './orders/order-repository';
import { type ArchivalDeps, type ArchivalResult, archiveSettledCoupons } from './lifecycle/archival';
import type { ArchiveListingDeps } from './lifecycle/archive-listing';
import { type ExpiryDeps, type ExpiryResult, expireDueCoupons } from './lifecycle/expiry';
import { indexUnindexedCoupons } from './lifecycle/index-backfill';
import { type JobContext, jobRun } from './lifecycle/job-run';
import { LifecycleRepository } from './lifecycle/lifecycle-repository';
import { type ReminderDeps, type ReminderResult, reminderOffsetsOfTemplates, sendReminders } from './lifecycle/reminders';
import { S3ArchiveObjects } from './lifecycle/s3-archive-objects';
import type { OrderDeps } from './orders/order-service';
import type { ProductOfferDeps } from './pricing/product-offers';
import type { QuoteDeps } from './pricing/quote-service';
import { sleep } from './retry';
import { cachedBlocklist } from './settings/blocklist-cache';
import { BlocklistRepository } from './settings/blocklist-repository';
import { StatisticsRepository } from './statistics/statistics-repository';
import { TemplateRepository } from './templates/template-repository';
import type { TemplateServiceDeps, TemplateStatusDeps } from './templates/template-service';
import { RESERVATION_SHARDS_MAX } from './keys';
import { BusinessMetric, noTelemetry, type Telemetry } from './telemetry';
import { type Clock, systemClock } from './time';
import { CodeRepository } from './codes/code-repository';
import type { CodeDeps, GenerationQueue } from './codes/code-service';
import { codeKeys, type CodeKeys } from './codes/code-keys';
import { S3CodeExports } from './codes/s3-code-exports';
import { SqsGenerationQueue } from './codes/sqs-generation-queue';
import type { ImportDeps, ImportQueue, ImportSource } from './imports/import-service';
import { ImportRepository } from './imports/import-repository';
import { S3ImportSource } from './imports/s3-import-source';
import { SqsImportQueue } from './imports/sqs-import-queue';

/** Ports a caller may supply instead of the AWS adapters (the local stack drives the worker itself). */
export interface ContainerOptions {
  readonly clients?: Clients;
  readonly workerConcurrency?: WorkerConcurrency;
  /** Where campaign chunks go instead of SQS (tests that deliver chunks themselves). */
  readonly chunkQueue?: ChunkQueue;
  /** The time the product sees (tests move it past deadlines). */
  readonly clock?: Clock;
  /** Where code generation parts go instead of SQS (tests that run the parts themselves). */
  readonly generationQueue?: GenerationQueue;
  /** Where import steps go instead of SQS, and where import files are read from instead of S3 (the CLI, tests, the benchmark). */
  readonly importQueue?: ImportQueue;
  readonly importSource?: ImportSource;
  /** Where business counts go (on Lambda: EMF metrics through Powertools); by default nowhere. */
  readonly telemetry?: Telemetry;
}

/**
 * The composition root. `createContainer` holds what every part shares (settings, clients, clock,
 * telemetry, the ports a caller supplied); each part below is a function of the container, built on
 * first use and then kept in it, so one container serves a Lambda environment, the local stack, a test
 * or a benchmark alike. A part is reached through its own function rather than a property so that a
 * function bundle holds only the capabilities its handler asks for (esbuild drops the parts, and the
 * modules behind them, that an entry point never names).
 */
export function createContainer(settings: Settings, options: ContainerOptions = {}) {
  return {
    settings,
    clients: options.clients ?? createClients(settings),
    clock: options.clock ?? systemClock,
    telemetry: options.telemetry ?? noTelemetry,
    options,
    /** The parts built so far, by name (see `part`). */
    parts: new Map<string, unknown>(),
  };
}

export type Container = ReturnType<typeof createContainer>;

/** One part of the container: made on first use, then shared by everything that asks for it. */
function part<T>(container: Container, name: string, make: () => T): T {
  if (!container.parts.has(name)) container.parts.set(name, make());
  return container.parts.get(name) as T;
}

const dynamodb = (container: Container) => container.clients.dynamodb();

export const templateRepository = (c: Container) => part(c, 'templateRepository', () => new TemplateRepository(dynamodb(c), c.settings.tableName));
export const couponRepository = (c: Container) => part(c, 'couponRepository', () => new CouponRepository(dynamodb(c), c.settings.tableName));
const claimRepository = (c: Container) => part(c, 'claimRepository', () => new ClaimRepository(dynamodb(c), c.settings.tableName));
const campaignRepository = (c: Container) => part(c, 'campaignRepository', () => new CampaignRepository(dynamodb(c), c.settings.tableName));
const chunkRepository = (c: Container) => part(c, 'chunkRepository', () => new ChunkRepository(dynamodb(c), c.settings.tableName));
export const blocklistRepository = (c: Container) => part(c, 'blocklist', () => new BlocklistRepository(dynamodb(c), c.settings.tableName));
export const tagRepository = (c: Container) => part(c, 'tags', () => new TagRepository(dynamodb(c), c.settings.tableName));
export const statisticsRepository = (c: Container) => part(c, 'statistics', () => new StatisticsRepository(dynamodb(c), c.settings.tableName));
export const eventSink = (c: Container) => part(c, 'events', (): EventSink => new EventBridgeSink(c.clients.eventBridge, c.settings.eventBusName));

const blockedProductIds = (c: Container) => part(c, 'blockedProductIds', () => cachedBlocklist(blocklistRepository(c), c.settings.orders.blocklistCacheTtlMs, c.clock));

const resilientTags = (c: Container) =>
  part(
    c,
    'resilientTags',
    () =>
      new ResilientTagReader(
        tagRepository(c),
        new CircuitBreaker({ timeoutMs: c.settings.claims.tagTimeoutMs, failureThreshold: c.settings.claims.tagBreakerFailureThreshold, openMs: c.settings.claims.tagBreakerOpenMs }, c.clock),
        (error) => logger.warn('audience tags unavailable: targeted templates are refused until they answer', { error: error as Error }),
      ),
  );

const chunkQueue = (c: Container) =>
  part(
    c,
    'chunkQueue',
    (): ChunkQueue =>
      c.options.chunkQueue ??
      (c.settings.campaignQueueUrl
        ? new SqsChunkQueue(c.clients.sqs, c.settings.campaignQueueUrl)
        : // Only the functions that send chunks are given a queue URL; the others never send.
          { send: () => Promise.reject(new Error('no campaign queue is configured (campaignQueueUrl)')) }),
  );

const workerConcurrency = (c: Container) =>
  part(
    c,
    'workerConcurrency',
    (): WorkerConcurrency =>
      c.options.workerConcurrency ?? (c.settings.workerMappingId ? new EventSourceMappingConcurrency(c.clients.lambda, c.settings.workerMappingId) : { set: async () => undefined }),
  );

export const campaignDeps = (c: Container) =>
  part(
    c,
    'campaigns',
    (): CampaignDeps => ({
      campaigns: campaignRepository(c),
      chunks: chunkRepository(c),
      templates: templateRepository(c),
      audiences: new AudienceRepository(dynamodb(c), c.settings.tableName, c.clients.s3, c.settings.campaigns.audiencePageBytes),
      queue: chunkQueue(c),
      events: eventSink(c),
      workerConcurrency: workerConcurrency(c),
      clock: c.clock,
      random: Math.random,
      deadlineHours: c.settings.campaigns.deadlineHours,
      reserveAttempts: c.settings.campaigns.reserveAttempts,
      maxReservationShards: RESERVATION_SHARDS_MAX,
    }),
  );

export const templateServiceDeps = (c: Container) => part(c, 'templateService', (): TemplateServiceDeps => ({ templates: templateRepository(c), clock: c.clock, newId }));

/** The template service for status changes: campaigns pause with their template, and those it paused resume with it. */
export const templateStatusDeps = (c: Container) =>
  part(
    c,
    'templateStatus',
    (): TemplateStatusDeps => ({
      ...templateServiceDeps(c),
      statusChanged: async (templateId, status) => {
        if (status === 'active') await resumeCampaignsOfTemplate(campaignDeps(c), templateId);
        else if (status === 'paused' || status === 'ended') await pauseCampaignsOfTemplate(campaignDeps(c), templateId);
      },
    }),
  );

export const claimDeps = (c: Container) =>
  part(
    c,
    'claims',
    (): ClaimDeps => ({
      templates: new TemplateCache((id) => templateRepository(c).get(id, { consistent: false }), c.settings.claims.templateCacheTtlMs, c.clock),
      stock: templateRepository(c),
      claims: claimRepository(c),
      coupons: couponRepository(c),
      tags: resilientTags(c),
      clock: c.clock,
      newId,
      random: Math.random,
      sleep,
      maxAttempts: c.settings.claims.maxAttempts,
      telemetry: c.telemetry,
    }),
  );

/** The in-process catalog of active templates with their remaining stock, shared by the claimable list and the product page. */
const activeTemplateCatalog = (c: Container) => part(c, 'activeTemplateCatalog', () => new ActiveTemplateCatalog(templateRepository(c), c.settings.claims.templateCacheTtlMs, c.clock));

export const productOfferDeps = (c: Container) =>
  part(
    c,
    'productOffers',
    (): ProductOfferDeps => ({
      catalog: activeTemplateCatalog(c),
      myCouponsAndClaims: (userId, nowIso) => couponRepository(c).availableWithClaimCounts(userId, nowIso),
      tags: resilientTags(c),
      blockedProductIds: blockedProductIds(c),
      clock: c.clock,
      cacheSeconds: Math.max(1, Math.ceil(c.settings.claims.templateCacheTtlMs / 1000)),
    }),
  );

export const claimableDeps = (c: Container) =>
  part(
    c,
    'claimable',
    (): ClaimableDeps => ({
      catalog: activeTemplateCatalog(c),
      claimCounts: (userId) => claimRepository(c).claimCounts(userId),
      tags: resilientTags(c),
      clock: c.clock,
    }),
  );

export const walletDeps = (c: Container) => part(c, 'wallet', (): WalletDeps => ({ coupons: couponRepository(c), clock: c.clock }));
export const audienceUploadDeps = (c: Container) =>
  part(c, 'audienceUploads', (): AudienceUploadDeps => ({
    links: new S3AudienceUploadLinks(c.clients.s3, c.settings.campaigns.audienceBucket),
    clock: c.clock,
    newId,
    expiresInSeconds: c.settings.campaigns.uploadUrlSeconds,
  }));

export const quoteDeps = (c: Container) =>
  part(c, 'quotes', (): QuoteDeps => ({ coupons: couponRepository(c), blockedProductIds: blockedProductIds(c), clock: c.clock, maxCouponsPerOrder: c.settings.orders.maxCouponsPerOrder, telemetry: c.telemetry }));

export const orderDeps = (c: Container) =>
  part(
    c,
    'orders',
    (): OrderDeps => ({
      orders: new OrderRepository(dynamodb(c), c.settings.tableName, { confirmedDays: c.settings.orders.confirmedRetentionDays, abandonedDays: c.settings.orders.abandonedRetentionDays }),
      coupons: couponRepository(c),
      blockedProductIds: blockedProductIds(c),
      clock: c.clock,
      maxCouponsPerOrder: c.settings.orders.maxCouponsPerOrder,
      defaultLockMinutes: c.settings.orders.lockTimeoutMinutes,
      releaseBatchPerShard: c.settings.orders.releaseBatchPerShard,
      telemetry: c.telemetry,
    }),
  );

export const ledgerDeps = (c: Container) =>
  part(
    c,
    'ledger',
    (): LedgerDeps => ({
      templates: templateRepository(c),
      campaigns: campaignRepository(c),
      chunks: chunkRepository(c),
      codes: codeRepository(c),
      statistics: statisticsRepository(c),
      events: eventSink(c),
      clock: c.clock,
    }),
  );

export const campaignWorkerDeps = (c: Container) =>
  part(
    c,
    'campaignWorker',
    (): WorkerDeps => ({
      campaigns: campaignRepository(c),
      startedCampaign: memoizeStarted((id) => campaignRepository(c).get(id)),
      chunks: chunkRepository(c),
      coupons: new CampaignCouponRepository(dynamodb(c), c.settings.tableName, {
        maxAttempts: c.settings.campaigns.writeAttempts,
        baseDelayMs: c.settings.campaigns.writeBaseDelayMs,
        inFlight: callGate(c.settings.campaigns.writeCallsInFlight),
      }),
      templates: new TemplateCache((id) => templateRepository(c).get(id, { consistent: false }), c.settings.campaigns.workerTemplateCacheTtlMs, c.clock),
      clock: c.clock,
      random: Math.random,
      giveUpAtReceiveCount: c.settings.campaigns.giveUpAtReceiveCount,
    }),
  );

/** A read remembered for `ttlMs` per key (at most 1,000 keys; the oldest half goes when full). */
function cachedFor<T>(ttlMs: number, clock: Clock, load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const entries = new Map<string, { value: Promise<T>; until: number }>();
  return (key) => {
    const now = clock();
    const known = entries.get(key);
    if (known && known.until > now) return known.value;
    if (entries.size >= 1_000) for (const old of [...entries.keys()].slice(0, 500)) entries.delete(old);
    const value = load(key);
    entries.set(key, { value, until: now + ttlMs });
    // A failed read is not remembered.
    value.catch(() => entries.delete(key));
    return value;
  };
}

/** Remembers campaigns once they started (their shape no longer changes), so the worker reads one once per environment. */
function memoizeStarted(load: (campaignId: string) => Promise<Campaign | undefined>): (campaignId: string) => Promise<Campaign | undefined> {
  const started = new Map<string, Campaign>();
  return async (campaignId) => {
    const known = started.get(campaignId);
    if (known) return known;
    const campaign = await load(campaignId);
    if (campaign?.startedAt) {
      if (started.size > 1_000) started.clear();
      started.set(campaignId, campaign);
    }
    return campaign;
  };
}

const codeRepository = (c: Container) => part(c, 'codeRepository', () => new CodeRepository(dynamodb(c), c.settings.tableName));
const lifecycleRepository = (c: Container) => part(c, 'lifecycleRepository', () => new LifecycleRepository(dynamodb(c), c.settings.tableName));
const archiveObjects = (c: Container) => part(c, 'archiveObjects', () => new S3ArchiveObjects(c.clients.s3, c.settings.lifecycle.archiveBucket));
/** What every lifecycle job shares: the clock, one gate on its writes in flight, the index page size. */
const lifecycleContext = (c: Container) =>
  part(c, 'lifecycleContext', (): JobContext => ({ clock: c.clock, writes: callGate(c.settings.lifecycle.writesInFlight), pageSize: c.settings.lifecycle.pageSize }));
export const expiryDeps = (c: Container) => part(c, 'expiry', (): ExpiryDeps => ({ ...lifecycleContext(c), index: lifecycleRepository(c), expiry: lifecycleRepository(c) }));
export const reminderDeps = (c: Container) =>
  part(
    c,
    'reminders',
    (): ReminderDeps => ({
      ...lifecycleContext(c),
      index: lifecycleRepository(c),
      reminders: lifecycleRepository(c),
      templateReminderOffsets: () => reminderOffsetsOfTemplates(templateRepository(c)),
      defaultOffsets: c.settings.lifecycle.defaultReminderOffsets,
      retentionDays: c.settings.lifecycle.reminderRetentionDays,
      fromHourUtc: c.settings.lifecycle.remindFromHourUtc,
    }),
  );
export const archivalDeps = (c: Container) =>
  part(
    c,
    'archival',
    (): ArchivalDeps => ({
      ...lifecycleContext(c),
      index: lifecycleRepository(c),
      table: lifecycleRepository(c),
      objects: archiveObjects(c),
      newId,
      retentionDays: c.settings.lifecycle.retentionDays,
      batchSize: c.settings.lifecycle.archiveBatchSize,
      leaseMs: c.settings.lifecycle.archiveLeaseMs,
    }),
  );
export const archiveListingDeps = (c: Container) =>
  part(c, 'archiveListing', (): ArchiveListingDeps => ({ table: lifecycleRepository(c), bucket: c.settings.lifecycle.archiveBucket ?? '', clock: c.clock }));

/**
 * The lifecycle jobs as the schedules, the local timers and `npm run jobs` run them: each acts as of
 * `nowMs` (default: the clock) and works for at most the run budget.
 */
export const lifecycleJobs = (c: Container) => {
  const run = (nowMs?: number) => jobRun(c.clock, c.settings.lifecycle.runBudgetMs, nowMs);
  return {
    expire: (nowMs?: number) => expireDueCoupons(expiryDeps(c), run(nowMs)),
    remind: (nowMs?: number) => sendReminders(reminderDeps(c), run(nowMs)),
    archive: (nowMs?: number) => archiveSettledCoupons(archivalDeps(c), run(nowMs)),
    /** Once after an upgrade (docs/lifecycle.md): not scheduled. */
    index: (nowMs?: number) => indexUnindexedCoupons({ ...lifecycleContext(c), coupons: lifecycleRepository(c) }, run(nowMs)),
  };
};
export type LifecycleJob = keyof ReturnType<typeof lifecycleJobs>;
type ScheduledLifecycleJob = Exclude<LifecycleJob, 'index'>;

/** What each job's run counts as its business metric. */
const lifecycleCounts: Record<ScheduledLifecycleJob, { metric: BusinessMetric; of: (result: any) => number }> = {
  expire: { metric: BusinessMetric.couponsExpired, of: (result: ExpiryResult) => result.expired },
  remind: { metric: BusinessMetric.remindersSent, of: (result: ReminderResult) => result.sent },
  archive: { metric: BusinessMetric.couponsArchived, of: (result: ArchivalResult) => result.archived },
};

/** A scheduled run of a lifecycle job: its count and whether it fell behind (metrics the alarms watch), and a log line. */
export const scheduledLifecycleJob = (c: Container, job: ScheduledLifecycleJob) => {
  const jobs = lifecycleJobs(c);
  return async () => {
    const result = await jobs[job]();
    c.telemetry.count(lifecycleCounts[job].metric, lifecycleCounts[job].of(result));
    c.telemetry.count(BusinessMetric.lifecycleBacklog, result.finished ? 0 : 1, { job });
    logger.info(`lifecycle job ${job}`, { ...result });
    return result;
  };
};

/**
 * The platform's code keys: from the development secret where one is set (the local stack, tests), else
 * from Secrets Manager, fetched once per environment on first use.
 */
const codeKeysOf = (c: Container) =>
  part(c, 'codeKeys', (): (() => Promise<CodeKeys>) => {
    let keys: Promise<CodeKeys> | undefined;
    return () => {
      keys ??= (async () => {
        const { developmentSecret, secretId } = c.settings.codes;
        if (developmentSecret) return codeKeys(developmentSecret);
        if (!secretId) throw new Error('no code secret is configured (codes.secretId)');
        const { codeSecretFromSecretsManager } = await import('./codes/secrets-manager-code-secret');
        return codeKeys(await codeSecretFromSecretsManager(await c.clients.secretsManager(), secretId));
      })();
      // A failed fetch is not kept: the next request tries again.
      keys.catch(() => (keys = undefined));
      return keys;
    };
  });

export const codeDeps = (c: Container) =>
  part(
    c,
    'codes',
    (): CodeDeps => ({
      codes: codeRepository(c),
      templates: templateRepository(c),
      templateCache: new TemplateCache((id) => templateRepository(c).get(id, { consistent: false }), c.settings.codes.cacheTtlMs, c.clock),
      coupons: couponRepository(c),
      cachedBatch: cachedFor(c.settings.codes.cacheTtlMs, c.clock, (batchId: string) => codeRepository(c).batch(batchId, { consistent: false })),
      keys: codeKeysOf(c),
      queue:
        c.options.generationQueue ??
        (c.settings.codes.queueUrl
          ? new SqsGenerationQueue(c.clients.sqs, c.settings.codes.queueUrl)
          : // Only the batch-creating functions are given the queue; the others never send.
            { sendParts: () => Promise.reject(new Error('no code generation queue is configured (codes.queueUrl)')) }),
      exports: new S3CodeExports(c.clients.s3, c.settings.codes.exportBucket),
      clock: c.clock,
      newId,
      random: Math.random,
      sleep,
      partSize: c.settings.codes.partSize,
      writeRetries: { maxAttempts: c.settings.campaigns.writeAttempts, baseDelayMs: c.settings.campaigns.writeBaseDelayMs, inFlight: callGate(c.settings.codes.writeCallsInFlight) },
      exportUrlSeconds: c.settings.codes.exportUrlSeconds,
      userFailures: { windowMs: c.settings.codes.failureWindowMs, limit: c.settings.codes.failuresPerUser },
      addressFailures: { windowMs: c.settings.codes.failureWindowMs, limit: c.settings.codes.failuresPerAddress },
      maxAttempts: c.settings.claims.maxAttempts,
      telemetry: c.telemetry,
    }),
  );

export const importDeps = (c: Container) =>
  part(
    c,
    'imports',
    (): ImportDeps => ({
      imports: new ImportRepository(dynamodb(c), c.settings.tableName, {
        maxAttempts: c.settings.campaigns.writeAttempts,
        baseDelayMs: c.settings.campaigns.writeBaseDelayMs,
        inFlight: callGate(c.settings.imports.writeCallsInFlight),
      }, { ms: settledAfterWriteWindow(c.settings.imports).writeWindowMs, now: c.clock }),
      templates: templateRepository(c),
      source: c.options.importSource ?? new S3ImportSource(c.clients.s3, c.settings.imports.bucket ?? ''),
      queue:
        c.options.importQueue ??
        (c.settings.imports.queueUrl
          ? new SqsImportQueue(c.clients.sqs, c.settings.imports.queueUrl)
          : // Only the functions that start, run or settle imports and dual writes are given the queue.
            { send: () => Promise.reject(new Error('no import queue is configured (imports.queueUrl)')) }),
      clock: c.clock,
      partSize: c.settings.imports.partSize,
      segments: c.settings.imports.verifySegments,
      scanBudgetMs: c.settings.imports.scanBudgetMs,
      settleDelaySeconds: c.settings.imports.settleDelaySeconds,
    }),
  );

/**
 * A dual write's settle message must come back after every blind write an import may still send: at
 * twice the write window or later (the rest covers a call in flight and clocks).
 */
function settledAfterWriteWindow<T extends { writeWindowMs: number; settleDelaySeconds: number }>(imports: T): T {
  if (imports.settleDelaySeconds * 1000 < 2 * imports.writeWindowMs) throw new Error(`imports.settleDelaySeconds (${imports.settleDelaySeconds}) must be at least twice imports.writeWindowMs (${imports.writeWindowMs} ms)`);
  return imports;
}
