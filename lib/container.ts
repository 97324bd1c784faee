import pLimit from 'p-limit';
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
import { ActiveTemplateCatalog, type ClaimableDeps } from './claims/claimable-templates';
import { ClaimRepository } from './claims/claim-repository';
import type { ClaimDeps } from './claims/claim-service';
import { TemplateCache } from './claims/template-cache';
import { type Clients, createClients } from './clients';
import type { Settings } from './config';
import { CouponRepository } from './coupons/coupon-repository';
import type { WalletDeps } from './coupons/wallet-service';
import { EventBridgeSink } from './events/eventbridge-sink';
import type { EventSink } from './events/event-sink';
import { newId } from './ids';
import { logger } from './observability';
import type { LedgerDeps } from './ledger/ledger-service';
import { OrderRepository } from './orders/order-repository';
import type { OrderDeps } from './orders/order-service';
import type { QuoteDeps } from './pricing/quote-service';
import { sleep } from './retry';
import { cachedBlocklist } from './settings/blocklist-cache';
import { BlocklistRepository } from './settings/blocklist-repository';
import { StatisticsRepository } from './statistics/statistics-repository';
import { TemplateRepository } from './templates/template-repository';
import type { TemplateServiceDeps } from './templates/template-service';
import { RESERVATION_SHARDS_MAX } from './keys';
import { noTelemetry, type Telemetry } from './telemetry';
import { type Clock, systemClock } from './time';

/** Ports a caller may supply instead of the AWS adapters (the local stack drives the worker itself). */
export interface ContainerOptions {
  readonly clients?: Clients;
  readonly workerConcurrency?: WorkerConcurrency;
  /** Where campaign chunks go instead of SQS (tests that deliver chunks themselves). */
  readonly chunkQueue?: ChunkQueue;
  /** The time the product sees (tests move it past deadlines). */
  readonly clock?: Clock;
  /** Where business counts go (on Lambda: EMF metrics through Powertools); by default nowhere. */
  readonly telemetry?: Telemetry;
}

/**
 * The composition root: every capability's dependencies, built by a plain function of settings and
 * clients. Each part is built on first use and then shared, so a Lambda function builds only what its
 * handler asks for, once per environment. Lambda (lib/lambda.ts), the local stack, the tests and the
 * benchmarks all wire the product through this function.
 */
export function createContainer(settings: Settings, options: ContainerOptions = {}) {
  const clients = options.clients ?? createClients(settings);
  const clock = options.clock ?? systemClock;
  const telemetry = options.telemetry ?? noTelemetry;
  const once = <T>(make: () => T): (() => T) => {
    let built: { value: T } | undefined;
    return () => (built ??= { value: make() }).value;
  };
  const { tableName } = settings;
  const dynamodb = () => clients.dynamodb();

  const templateRepository = once(() => new TemplateRepository(dynamodb(), tableName));
  const couponRepository = once(() => new CouponRepository(dynamodb(), tableName));
  const claimRepository = once(() => new ClaimRepository(dynamodb(), tableName));
  const campaignRepository = once(() => new CampaignRepository(dynamodb(), tableName));
  const chunkRepository = once(() => new ChunkRepository(dynamodb(), tableName));
  const blocklist = once(() => new BlocklistRepository(dynamodb(), tableName));
  const tags = once(() => new TagRepository(dynamodb(), tableName));
  const statistics = once(() => new StatisticsRepository(dynamodb(), tableName));
  const events = once((): EventSink => new EventBridgeSink(clients.eventBridge, settings.eventBusName));
  const blockedProductIds = once(() => cachedBlocklist(blocklist(), settings.orders.blocklistCacheTtlMs, clock));
  const resilientTags = once(
    () =>
      new ResilientTagReader(
        tags(),
        new CircuitBreaker({ timeoutMs: settings.claims.tagTimeoutMs, failureThreshold: settings.claims.tagBreakerFailureThreshold, openMs: settings.claims.tagBreakerOpenMs }, clock),
        (error) => logger.warn('audience tags unavailable: targeted templates are refused until they answer', { error: error as Error }),
      ),
  );
  const chunkQueue = once(
    (): ChunkQueue =>
      options.chunkQueue ??
      (settings.campaignQueueUrl
        ? new SqsChunkQueue(clients.sqs, settings.campaignQueueUrl)
        : // Only the functions that send chunks are given a queue URL; the others never send.
          { send: () => Promise.reject(new Error('no campaign queue is configured (campaignQueueUrl)')) }),
  );
  const workerConcurrency = once(
    (): WorkerConcurrency =>
      options.workerConcurrency ?? (settings.workerMappingId ? new EventSourceMappingConcurrency(clients.lambda, settings.workerMappingId) : { set: async () => undefined }),
  );

  const campaigns = once(
    (): CampaignDeps => ({
      campaigns: campaignRepository(),
      chunks: chunkRepository(),
      templates: templateRepository(),
      audiences: new AudienceRepository(dynamodb(), tableName, clients.s3, settings.campaigns.audiencePageBytes),
      queue: chunkQueue(),
      events: events(),
      workerConcurrency: workerConcurrency(),
      clock,
      random: Math.random,
      deadlineHours: settings.campaigns.deadlineHours,
      reserveAttempts: settings.campaigns.reserveAttempts,
      maxReservationShards: RESERVATION_SHARDS_MAX,
    }),
  );

  return {
    settings,
    clients,
    telemetry,
    templateService: once(
      (): TemplateServiceDeps => ({
        templates: templateRepository(),
        clock,
        newId,
        // Campaigns pause with their template, and those it paused resume with it.
        statusChanged: async (templateId, status) => {
          if (status === 'active') await resumeCampaignsOfTemplate(campaigns(), templateId);
          else if (status === 'paused' || status === 'ended') await pauseCampaignsOfTemplate(campaigns(), templateId);
        },
      }),
    ),
    claims: once(
      (): ClaimDeps => ({
        templates: new TemplateCache((id) => templateRepository().get(id, { consistent: false }), settings.claims.templateCacheTtlMs, clock),
        stock: templateRepository(),
        claims: claimRepository(),
        coupons: couponRepository(),
        tags: resilientTags(),
        clock,
        newId,
        random: Math.random,
        sleep,
        maxAttempts: settings.claims.maxAttempts,
        telemetry,
      }),
    ),
    claimable: once(
      (): ClaimableDeps => ({
        catalog: new ActiveTemplateCatalog(templateRepository(), settings.claims.templateCacheTtlMs, clock),
        claimCounts: (userId) => claimRepository().claimCounts(userId),
        tags: resilientTags(),
        clock,
      }),
    ),
    wallet: once((): WalletDeps => ({ coupons: couponRepository(), clock })),
    quotes: once((): QuoteDeps => ({ coupons: couponRepository(), blockedProductIds: blockedProductIds(), clock, maxCouponsPerOrder: settings.orders.maxCouponsPerOrder, telemetry })),
    orders: once(
      (): OrderDeps => ({
        orders: new OrderRepository(dynamodb(), tableName),
        coupons: couponRepository(),
        blockedProductIds: blockedProductIds(),
        clock,
        maxCouponsPerOrder: settings.orders.maxCouponsPerOrder,
        defaultLockMinutes: settings.orders.lockTimeoutMinutes,
        releaseBatchPerShard: settings.orders.releaseBatchPerShard,
        telemetry,
      }),
    ),
    statistics,
    blocklist,
    tags,
    events,
    campaigns,
    ledger: once((): LedgerDeps => ({ templates: templateRepository(), campaigns: campaignRepository(), chunks: chunkRepository(), statistics: statistics(), events: events(), clock })),
    campaignWorker: once(
      (): WorkerDeps => ({
        campaigns: campaignRepository(),
        startedCampaign: memoizeStarted((id) => campaignRepository().get(id)),
        chunks: chunkRepository(),
        coupons: new CampaignCouponRepository(dynamodb(), tableName, { maxAttempts: settings.campaigns.writeAttempts, baseDelayMs: settings.campaigns.writeBaseDelayMs, inFlight: pLimit(settings.campaigns.writeCallsInFlight) }),
        templates: new TemplateCache((id) => templateRepository().get(id, { consistent: false }), settings.campaigns.workerTemplateCacheTtlMs, clock),
        clock,
        random: Math.random,
        giveUpAtReceiveCount: settings.campaigns.giveUpAtReceiveCount,
      }),
    ),
  };
}

export type Container = ReturnType<typeof createContainer>;

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
