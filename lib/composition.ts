import { CampaignRepository } from './campaigns/campaign-repository';
import type { CampaignFlowDeps } from './campaigns/campaign-flow';
import type { WorkerDeps } from './campaigns/campaign-worker';
import { SqsChunkQueue } from './campaigns/chunk-queue';
import { EventSourceMappingConcurrency, fixedConcurrency } from './campaigns/worker-concurrency';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { documentClientFromEnvironment, eventBridgeClientFromEnvironment, s3ClientFromEnvironment, sqsClientFromEnvironment } from './clients';
import { EventBridgeSink, type EventSink, FileEventSink } from './events/event-sink';
import { config } from './config';
import { newId } from './ids';
import { BlocklistRepository } from './settings/blocklist-repository';
import { TemplateRepository } from './templates/template-repository';
import type { TemplateServiceDeps } from './templates/template-service';
import { systemClock } from './time';
import { CircuitBreaker } from './audience/circuit-breaker';
import { DynamoDbTagSource, ResilientTagReader } from './audience/tag-source';
import { ActiveTemplateCatalog, type ClaimableDeps } from './claims/claimable-templates';
import { ClaimRepository } from './claims/claim-repository';
import type { ClaimDeps } from './claims/claim-service';
import { TemplateCache } from './claims/template-cache';
import { CouponRepository } from './coupons/coupon-repository';
import type { WalletDeps } from './coupons/wallet-service';
import { OrderRepository } from './orders/order-repository';
import type { OrderDeps } from './orders/order-service';
import type { QuoteDeps } from './pricing/quote-service';
import { cachedBlocklist } from './settings/blocklist-cache';
import { StatisticsRepository } from './statistics/statistics-repository';

/**
 * The composition root for Lambda functions: wires adapters to the environment's clients and
 * configuration. Handlers call these once at cold start; tests build the same objects by hand
 * against DynamoDB Local instead.
 */
export function templateServiceDeps(): TemplateServiceDeps {
  return { templates: new TemplateRepository(documentClientFromEnvironment(), config().tableName), clock: systemClock, newId };
}

let tagSource_: DynamoDbTagSource | undefined;
export function tagSource(): DynamoDbTagSource {
  tagSource_ ??= new DynamoDbTagSource(documentClientFromEnvironment(), config().tableName);
  return tagSource_;
}

function resilientTags(): ResilientTagReader {
  return new ResilientTagReader(tagSource(), new CircuitBreaker({ timeoutMs: config().tagTimeoutMs, failureThreshold: 5, openMs: 10_000 }, systemClock));
}

export function claimDeps(): ClaimDeps {
  const client = documentClientFromEnvironment();
  const templates = new TemplateRepository(client, config().tableName);
  return {
    templates: new TemplateCache((id) => templates.get(id, { consistent: false }), config().templateCacheTtlMs, systemClock),
    stock: templates,
    claims: new ClaimRepository(client, config().tableName),
    coupons: new CouponRepository(client, config().tableName),
    tags: resilientTags(),
    clock: systemClock,
    newId,
    random: Math.random,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    maxAttempts: 8,
  };
}

export function walletDeps(): WalletDeps {
  return { coupons: new CouponRepository(documentClientFromEnvironment(), config().tableName), clock: systemClock };
}

export function claimableDeps(): ClaimableDeps {
  const client = documentClientFromEnvironment();
  const claims = new ClaimRepository(client, config().tableName);
  return {
    catalog: new ActiveTemplateCatalog(new TemplateRepository(client, config().tableName), config().templateCacheTtlMs, systemClock),
    claimCounts: (userId) => claims.claimCounts(userId),
    tags: resilientTags(),
    clock: systemClock,
  };
}

/** EventBridge (on AWS, or the local bus of `npm start` via EVENTBRIDGE_ENDPOINT); a plain file when EVENTS_FILE is set. */
export function eventSink(): EventSink {
  const { eventsFile, eventBusName } = config();
  return eventsFile ? new FileEventSink(eventsFile) : new EventBridgeSink(eventBridgeClientFromEnvironment(), eventBusName);
}

function blockedProductIds(): () => Promise<ReadonlySet<string>> {
  return cachedBlocklist(blocklistRepository(), config().blocklistCacheTtlMs, systemClock);
}

export function quoteDeps(): QuoteDeps {
  return {
    coupons: new CouponRepository(documentClientFromEnvironment(), config().tableName),
    blockedProductIds: blockedProductIds(),
    clock: systemClock,
    maxCouponsPerOrder: config().maxCouponsPerOrder,
  };
}

export function orderDeps(): OrderDeps {
  const client = documentClientFromEnvironment();
  return {
    orders: new OrderRepository(client, config().tableName),
    coupons: new CouponRepository(client, config().tableName),
    blockedProductIds: blockedProductIds(),
    clock: systemClock,
    maxCouponsPerOrder: config().maxCouponsPerOrder,
    defaultLockMinutes: config().lockTimeoutMinutes,
  };
}

export function statisticsRepository(): StatisticsRepository {
  return new StatisticsRepository(documentClientFromEnvironment(), config().tableName);
}

export function campaignFlowDeps(): CampaignFlowDeps {
  const client = documentClientFromEnvironment();
  const { tableName, campaignQueueUrl, campaignDeadlineHours, workerMappingId } = config();
  return {
    campaigns: new CampaignRepository(client, tableName),
    templates: new TemplateRepository(client, tableName),
    client,
    tableName,
    s3: s3ClientFromEnvironment(),
    // Only the functions that send chunks get a queue URL; the others never call send.
    queue: campaignQueueUrl ? new SqsChunkQueue(sqsClientFromEnvironment(), campaignQueueUrl) : { send: async () => Promise.reject(new Error('CAMPAIGN_QUEUE_URL is not set')) },
    events: eventSink(),
    clock: systemClock,
    random: Math.random,
    deadlineHours: campaignDeadlineHours,
    workerConcurrency: workerMappingId ? new EventSourceMappingConcurrency(new LambdaClient({ region: config().region }), workerMappingId) : fixedConcurrency,
  };
}

export function campaignWorkerDeps(): WorkerDeps {
  const client = documentClientFromEnvironment();
  const templates = new TemplateRepository(client, config().tableName);
  return {
    client,
    tableName: config().tableName,
    campaigns: new CampaignRepository(client, config().tableName),
    templates: new TemplateCache((id) => templates.get(id, { consistent: false }), 60_000, systemClock),
    clock: systemClock,
    writeAttempts: 6,
    baseDelayMs: 50,
    giveUpAtReceiveCount: 3,
  };
}

export function blocklistRepository(): BlocklistRepository {
  return new BlocklistRepository(documentClientFromEnvironment(), config().tableName);
}
