import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { StateMachine } from 'aws-local-stepfunctions';
import { startFauxqs } from 'fauxqs';
import { buildApp } from '../../infra/app';
import { CAMPAIGN_WORKER_ENTRY, campaignSteps } from '../../lib/campaigns/campaign-steps';
import { CAMPAIGN_REQUEST_SOURCE } from '../../lib/events/event-catalog';
import { repoRoot } from './dynamodb-local';
import type { BusEvent, LocalEventBridge } from './local-eventbridge';
import { type QueueDriver, startQueueDriver } from './queue-driver';

export const LOCAL_AUDIENCE_BUCKET = 'coupon-audiences-local';

export interface LocalCampaigns {
  readonly sqsEndpoint: string;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly driver: QueueDriver;
  /** Runs the campaign state machine for a CampaignRequested event; resolves with the execution's output. */
  startExecution(event: BusEvent): Promise<unknown>;
  stop(): Promise<void>;
}

type Definition = Record<string, unknown>;

/**
 * The campaign state machine exactly as the CDK app synthesizes it: Lambda ARNs (CloudFormation
 * intrinsics) become placeholders, and each Task state is pointed at its local handler below.
 */
export function synthesizedCampaignDefinition(): Definition {
  const { app } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = app.synth().getStackByName('CouponService').template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const machine = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::StepFunctions::StateMachine');
  if (!machine) throw new Error('the CDK app has no state machine');
  const definition = machine.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof definition === 'string' ? definition : definition['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'arn:aws:lambda:us-east-1:000000000000:function:local')).join(definition['Fn::Join'][0]);
  return JSON.parse(text) as Definition;
}

const importHandler = async <T>(entry: string): Promise<T> => ((await import(pathToFileURL(path.join(repoRoot, entry)).href)) as { handler: T }).handler;

/**
 * SQS and S3 (fauxqs), the chunk queue with its dead-letter queue, the worker driven as the event source
 * mapping drives it, and the campaign state machine run by aws-local-stepfunctions on CampaignRequested.
 * Sets the environment the campaign handlers read; call before they are first imported.
 */
export async function startLocalCampaigns(options: {
  bus: LocalEventBridge;
  visibilityTimeoutSeconds?: number;
  waitMs?: number;
  concurrency?: number;
  /** An fauxqs already running elsewhere (the campaign benchmark keeps the queue backlog out of its own heap). */
  fauxqsEndpoint?: string;
}): Promise<LocalCampaigns> {
  const fauxqs = options.fauxqsEndpoint ? { address: options.fauxqsEndpoint, stop: async () => undefined } : await startFauxqs({ port: 0, logger: false });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const sqs = new SQSClient({ endpoint: fauxqs.address, region: 'us-east-1', credentials });
  const s3 = new S3Client({ endpoint: fauxqs.address, region: 'us-east-1', credentials, forcePathStyle: true });
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'campaign-chunks-dlq' }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl!, AttributeNames: ['QueueArn'] }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'campaign-chunks',
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 60),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 5 }),
      },
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: LOCAL_AUDIENCE_BUCKET }));
  Object.assign(process.env, { SQS_ENDPOINT: fauxqs.address, S3_ENDPOINT: fauxqs.address, CAMPAIGN_QUEUE_URL: queue.QueueUrl! });

  const driver = startQueueDriver({ sqs, queueUrl: queue.QueueUrl!, handler: await importHandler(CAMPAIGN_WORKER_ENTRY), concurrency: options.concurrency ?? 4 });
  const machine = new StateMachine(synthesizedCampaignDefinition() as never, { validationOptions: { checkArn: false } });
  const taskResourceLocalHandlers: Record<string, (input: never) => Promise<unknown>> = {};
  for (const step of Object.values(campaignSteps)) taskResourceLocalHandlers[step.state] = await importHandler(step.entry);

  const executions = new Set<Promise<unknown>>();
  const startExecution = (event: BusEvent) => {
    const execution = machine.run(event as never, { overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, waitTimeOverrides: { 'Wait for workers': options.waitMs ?? 1_000 } } }).result;
    executions.add(execution);
    void execution.catch((error: unknown) => console.error('campaign execution failed:', error)).finally(() => executions.delete(execution));
    return execution;
  };
  options.bus.addRule({
    source: CAMPAIGN_REQUEST_SOURCE,
    detailType: 'CampaignRequested',
    target: (event) => {
      // On AWS the prepare step sets the worker's MaximumConcurrency; here the driver plays the event source mapping.
      const rate = (event.detail as { data?: { rate?: { maxConcurrency?: number } } }).data?.rate;
      if (rate?.maxConcurrency) driver.setConcurrency(rate.maxConcurrency);
      void startExecution(event);
    },
  });

  return {
    sqsEndpoint: fauxqs.address,
    s3,
    sqs,
    queueUrl: queue.QueueUrl!,
    deadLetterQueueUrl: dlq.QueueUrl!,
    driver,
    startExecution,
    async stop() {
      await driver.stop();
      await Promise.allSettled([...executions]);
      sqs.destroy();
      s3.destroy();
      await fauxqs.stop();
    },
  };
}
