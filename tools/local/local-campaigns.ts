import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { startFauxqs } from 'fauxqs';
import { buildApp } from '../../infra/app';
import type { Container } from '../../lib/container';
import { campaignQueue, campaignRequestRule, codeQueue, campaignSteps, campaignWaitState, campaignWorker, importQueue } from '../../lib/topology';
import { buildEntry } from './functions';
import type { BusEvent, LocalEventBridge } from './local-eventbridge';
import type { QueueDriver } from './queue-driver';

export const LOCAL_AUDIENCE_BUCKET = 'coupon-audiences-local';
/** Where archival puts archived coupons and manifests locally. */
export const LOCAL_ARCHIVE_BUCKET = 'coupon-archive-local';
/** Where code batch exports go locally. */
export const LOCAL_CODE_EXPORT_BUCKET = 'coupon-code-exports-local';
/** Where import files are read from locally. */
export const LOCAL_IMPORT_BUCKET = 'coupon-imports-local';


/** FIFO, deduplicated and throttled per message group (a campaign's lane), as deployed. */
const fifo = { FifoQueue: 'true', ContentBasedDeduplication: 'false', DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' };

/** The chunk queue's attributes, as the CDK app deploys them (lib/topology.ts); a test may shorten the visibility timeout. */
export const campaignQueueAttributes = (deadLetterTargetArn: string, visibilityTimeoutSeconds: number = campaignQueue.visibilityTimeoutSeconds) => ({
  ...fifo,
  VisibilityTimeout: String(visibilityTimeoutSeconds),
  RedrivePolicy: JSON.stringify({ deadLetterTargetArn, maxReceiveCount: campaignQueue.maxReceiveCount }),
});

export interface LocalQueues {
  /** fauxqs: SQS and S3 on one endpoint. */
  readonly endpoint: string;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** The code generation queue (standard) and its dead-letter queue. */
  readonly codeQueueUrl: string;
  readonly codeDeadLetterQueueUrl: string;
  /** The import step queue (standard) and its dead-letter queue. */
  readonly importQueueUrl: string;
  readonly importDeadLetterQueueUrl: string;
  stop(): Promise<void>;
}

/** SQS and S3 (fauxqs): the chunk queue with its dead-letter queue, the audience bucket and the archive bucket. */
export async function startLocalQueues(options: { visibilityTimeoutSeconds?: number; fauxqsEndpoint?: string } = {}): Promise<LocalQueues> {
  // An fauxqs already running elsewhere keeps the queue backlog out of this process's heap (the campaign benchmark).
  const fauxqs = options.fauxqsEndpoint ? { address: options.fauxqsEndpoint, stop: async () => undefined } : await startFauxqs({ port: 0, logger: false });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const sqs = new SQSClient({ endpoint: fauxqs.address, region: 'us-east-1', credentials });
  const s3 = new S3Client({ endpoint: fauxqs.address, region: 'us-east-1', credentials, forcePathStyle: true });
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'campaign-chunks-dlq.fifo', Attributes: { FifoQueue: 'true' } }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl!, AttributeNames: ['QueueArn'] }));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'campaign-chunks.fifo', Attributes: campaignQueueAttributes(Attributes!.QueueArn!, options.visibilityTimeoutSeconds) }));
  await s3.send(new CreateBucketCommand({ Bucket: LOCAL_AUDIENCE_BUCKET }));
  await s3.send(new CreateBucketCommand({ Bucket: LOCAL_ARCHIVE_BUCKET }));
  await s3.send(new CreateBucketCommand({ Bucket: LOCAL_CODE_EXPORT_BUCKET }));
  await s3.send(new CreateBucketCommand({ Bucket: LOCAL_IMPORT_BUCKET }));
  /** A standard queue with its dead-letter queue, as infra makes it. */
  const standardQueue = async (name: string, settings: { visibilityTimeoutSeconds: number; maxReceiveCount: number }) => {
    const dead = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const deadArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dead.QueueUrl!, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? settings.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadArn, maxReceiveCount: settings.maxReceiveCount }),
        },
      }),
    );
    return { url: created.QueueUrl!, deadLetterUrl: dead.QueueUrl! };
  };
  const codes = await standardQueue('code-parts', codeQueue);
  const imports = await standardQueue('import-steps', importQueue);
  return {
    endpoint: fauxqs.address,
    sqs,
    s3,
    queueUrl: queue.QueueUrl!,
    deadLetterQueueUrl: dlq.QueueUrl!,
    codeQueueUrl: codes.url,
    codeDeadLetterQueueUrl: codes.deadLetterUrl,
    importQueueUrl: imports.url,
    importDeadLetterQueueUrl: imports.deadLetterUrl,
    async stop() {
      sqs.destroy();
      s3.destroy();
      await fauxqs.stop();
    },
  };
}

type Definition = Record<string, unknown>;

/**
 * The campaign state machine exactly as the CDK app synthesizes it: Lambda ARNs (CloudFormation
 * intrinsics) become placeholders, and each Task state is pointed at its local handler below.
 */
export function synthesizedCampaignDefinition(): Definition {
  // Any issuer will do: only the state machine's definition is read (and no placeholder warning is printed).
  const { app, service } = buildApp({ context: { 'aws:cdk:bundling-stacks': [], jwtIssuer: 'https://issuer.local/' } });
  const template = app.synth().getStackByName(service.stackName).template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const machine = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::StepFunctions::StateMachine');
  if (!machine) throw new Error('the CDK app has no state machine');
  const definition = machine.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof definition === 'string' ? definition : definition['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'arn:aws:lambda:us-east-1:000000000000:function:local')).join(definition['Fn::Join'][0]);
  return JSON.parse(text) as Definition;
}

export interface LocalCampaigns {
  /** Runs the campaign state machine for a CampaignRequested event; resolves with the execution's output. */
  startExecution(event: BusEvent): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * The worker, driven from the chunk queue as the event source mapping drives it, and the campaign state
 * machine run by aws-local-stepfunctions on the bus's CampaignRequested rule, every function built with
 * the given container.
 */
/** The synthesized campaign state machine with every Task state running its function, built with the container. */
export async function campaignStateMachine(container: Container, waitMs: number = campaignWaitState.seconds * 1000): Promise<(event: BusEvent) => Promise<unknown>> {
  const machine = new StateMachine(synthesizedCampaignDefinition() as never, { validationOptions: { checkArn: false } });
  const taskResourceLocalHandlers: Record<string, (input: never) => Promise<unknown>> = {};
  for (const step of Object.values(campaignSteps)) taskResourceLocalHandlers[step.state] = await buildEntry(step.entry, container);
  return (event) => machine.run(event as never, { overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, waitTimeOverrides: { [campaignWaitState.state]: waitMs } } }).result;
}

export async function runLocalCampaigns(options: { container: Container; bus: LocalEventBridge; driver: QueueDriver; waitMs?: number }): Promise<LocalCampaigns> {
  options.driver.start(await buildEntry<(event: SQSEvent) => Promise<SQSBatchResponse>>(campaignWorker.entry, options.container));
  const run = await campaignStateMachine(options.container, options.waitMs);
  const executions = new Set<Promise<unknown>>();
  const startExecution = (event: BusEvent) => {
    const execution = run(event);
    executions.add(execution);
    void execution.catch((error: unknown) => console.error('campaign execution failed:', error)).finally(() => executions.delete(execution));
    return execution;
  };
  options.bus.addRule({ ...campaignRequestRule, target: (event) => void startExecution(event) });

  return {
    startExecution,
    async stop() {
      await options.driver.stop();
      await Promise.allSettled([...executions]);
    },
  };
}
