import type { Server } from 'node:http';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { defaultSettings, type SettingsOverrides, withSettings } from '../../lib/config';
import { type Container, createContainer } from '../../lib/container';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { campaignQueue, codeQueue, codeWorker, importQueue, importRequestRule, importWorker, schedules, streamConsumers } from '../../lib/topology';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { buildEntry } from './functions';
import { serveConsole } from './console-site';
import { createLocalApi } from './local-api';
import { startS3BrowserEndpoint } from './s3-browser-endpoint';
import { LOCAL_CODE_SECRET } from './local-code-secret';
import { LOCAL_ARCHIVE_BUCKET, LOCAL_AUDIENCE_BUCKET, LOCAL_CODE_EXPORT_BUCKET, LOCAL_IMPORT_BUCKET, type LocalCampaigns, type LocalQueues, runLocalCampaigns, startLocalQueues } from './local-campaigns';
import { type LocalEventBridge, startLocalEventBridge } from './local-eventbridge';
import { createQueueDriver, type QueueDriver } from './queue-driver';
import { type StreamPoller, startStreamPoller } from './stream-poller';

export interface LocalStackOptions {
  /** DynamoDB Local's endpoint and the table (created beforehand, shaped as lib/table.ts says). */
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  /** Where the local event bus writes every event it takes (what EventBridge would receive). */
  readonly eventsFile: string;
  readonly settings?: SettingsOverrides;
  readonly queues?: { readonly visibilityTimeoutSeconds?: number; readonly fauxqsEndpoint?: string };
  /** Worker batches in flight until a campaign sets its own. */
  readonly workerConcurrency?: number;
  /** Milliseconds the campaign state machine waits between progress checks. */
  readonly campaignWaitMs?: number;
  /** The stream consumers (event publisher, statistics), or none. */
  readonly streams?: false | { readonly from?: 'TRIM_HORIZON' | 'LATEST'; readonly maxBatchingWindowSeconds?: number; readonly intervalMs?: number };
  /** Run the scheduled functions (lock releaser, ledger audit, lifecycle jobs) on their schedules. */
  readonly schedules?: boolean;
  /** Origins browsers may call the API from (as the deploy parameter `corsOrigins`). */
  readonly corsOrigins?: readonly string[];
}

export interface LocalStack {
  readonly container: Container;
  readonly bus: LocalEventBridge;
  readonly queues: LocalQueues;
  readonly driver: QueueDriver;
  /** Drives the code generation worker from its queue. */
  readonly codeDriver: QueueDriver;
  /** Drives the import worker from its queue. */
  readonly importDriver: QueueDriver;
  readonly campaigns: LocalCampaigns;
  readonly pollers: readonly StreamPoller[];
  /** The HTTP API and the console at /console (not listening yet: the caller picks the port). */
  readonly api: Server;
  stop(): Promise<void>;
}

/**
 * Everything but DynamoDB Local itself, as the CDK app deploys it: the event bus with its campaign
 * rule, SQS and S3, the campaign worker and state machine, the stream consumers, the scheduled lock
 * releaser and the HTTP API, every function built with one container. `npm start`, the end-to-end
 * tests and the campaign benchmark all run this.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const bus = await startLocalEventBridge({ eventsFile: options.eventsFile });
  const queues = await startLocalQueues(options.queues);
  const s3 = await startS3BrowserEndpoint(queues.endpoint);
  const driver = createQueueDriver({ sqs: queues.sqs, queueUrl: queues.queueUrl, concurrency: options.workerConcurrency ?? 4, batchSize: campaignQueue.batchSize });
  const settings = withSettings(defaultSettings, {
    ...options.settings,
    tableName: options.tableName,
    campaignQueueUrl: queues.queueUrl,
    campaigns: { ...options.settings?.campaigns, audienceBucket: LOCAL_AUDIENCE_BUCKET },
    lifecycle: { ...options.settings?.lifecycle, archiveBucket: LOCAL_ARCHIVE_BUCKET },
    codes: { ...options.settings?.codes, queueUrl: queues.codeQueueUrl, exportBucket: LOCAL_CODE_EXPORT_BUCKET, developmentSecret: LOCAL_CODE_SECRET },
    imports: { ...options.settings?.imports, queueUrl: queues.importQueueUrl, bucket: LOCAL_IMPORT_BUCKET },
    endpoints: { dynamodb: options.dynamodbEndpoint, eventBridge: bus.endpoint, sqs: queues.endpoint, s3: s3.endpoint },
  });
  // On AWS the prepare step sets the worker's event source mapping's concurrency; here the driver plays that mapping.
  const container = createContainer(settings, { workerConcurrency: driver });
  const campaigns = await runLocalCampaigns({ container, bus, driver, waitMs: options.campaignWaitMs });
  const codeDriver = createQueueDriver({ sqs: queues.sqs, queueUrl: queues.codeQueueUrl, concurrency: 2, batchSize: codeQueue.batchSize });
  codeDriver.start(await buildEntry<(event: SQSEvent) => Promise<SQSBatchResponse>>(codeWorker.entry, container));
  const importDriver = createQueueDriver({ sqs: queues.sqs, queueUrl: queues.importQueueUrl, concurrency: 2, batchSize: importQueue.batchSize });
  importDriver.start(await buildEntry<(event: SQSEvent) => Promise<SQSBatchResponse>>(importWorker.entry, container));
  // On AWS a rule puts ImportRequested events on the import queue as they are; here the same.
  bus.addRule({ ...importRequestRule, target: (event) => void queues.sqs.send(new SendMessageCommand({ QueueUrl: queues.importQueueUrl, MessageBody: JSON.stringify(event) })) });

  const pollers: StreamPoller[] = [];
  if (options.streams !== false) {
    // One event source mapping per consumer on the one stream, each with its own position, as on AWS.
    for (const consumer of Object.values(streamConsumers)) {
      const handler = await buildEntry<(event: DynamoDBStreamEvent) => Promise<unknown>>(consumer.entry, container);
      pollers.push(await startStreamPoller({ endpoint: options.dynamodbEndpoint, tableName: options.tableName, consumer, handler: handler as never, ...options.streams }));
    }
  }
  const timers: NodeJS.Timeout[] = [];
  if (options.schedules) {
    for (const schedule of Object.values(schedules)) {
      const run = await buildEntry<() => Promise<unknown>>(schedule.entry, container);
      timers.push(setInterval(() => void run().catch((error: unknown) => console.error(`${schedule.entry}:`, error)), schedule.everyMinutes * 60_000));
    }
  }
  const api = createLocalApi({ container, pages: serveConsole, ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}) });

  return {
    container,
    bus,
    queues,
    driver,
    codeDriver,
    importDriver,
    campaigns,
    pollers,
    api,
    async stop() {
      api.closeAllConnections();
      await new Promise<void>((resolve) => (api.listening ? api.close(() => resolve()) : resolve()));
      for (const timer of timers) clearInterval(timer);
      await Promise.all(pollers.map((poller) => poller.stop()));
      await campaigns.stop();
      await codeDriver.stop();
      await importDriver.stop();
      await s3.stop();
      await queues.stop();
      await bus.close();
      container.clients.destroy();
    },
  };
}
