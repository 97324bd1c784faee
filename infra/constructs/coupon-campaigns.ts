import { ArnFormat, Aws, type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Choice, Condition, DefinitionBody, LogLevel, StateMachine, Succeed, Wait, WaitTime } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ENV, campaignQueue, campaignRequestRule, campaignSteps, campaignWaitState, campaignWorker } from '../../lib/topology';
import { anyAboveZeroAlarm } from './alarms';
import { audienceBucketNamePattern } from '../names';
import { CouponFunction } from './coupon-function';
import { targetDeadLetters } from './target-dead-letters';

export interface CouponCampaignsProps {
  readonly stage: string;
  readonly table: TableV2;
  readonly bus: EventBus;
  /** The audience bucket's name (deterministic: see audienceBucketName in infra/stacks.ts). */
  readonly audienceBucketName: string;
  readonly logRetention: RetentionDays;
  /** The HTTP API's functions whose routes send campaign chunks (lib/http/route.ts `sends`): they get the queue. */
  readonly chunkSenders: readonly CouponFunction[];
  /** The HTTP API's functions whose routes hand out audience upload links (lib/http/route.ts `uses: ['audienceUploads']`). */
  readonly uploadLinkSigners: readonly CouponFunction[];
  readonly workerConcurrency: number;
}

const WORKER_TIMEOUT = Duration.seconds(campaignQueue.workerTimeoutSeconds);

/**
 * Directed issuance: CampaignRequested on the bus starts a Step Functions state machine that reserves
 * stock, pages through the audience into an SQS FIFO queue (a message group per lane, so one user's
 * chunks never run at the same time), waits until the worker has processed every user (pausing,
 * cancelling at the deadline or when the template's validity ends), then completes the campaign. Built
 * only from Lambda tasks, Choice and Wait states, so the very same definition runs locally.
 */
export class CouponCampaigns extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly stateMachine: StateMachine;
  readonly worker: CouponFunction;

  constructor(scope: Construct, id: string, props: CouponCampaignsProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'ChunkDeadLetters', {
      fifo: true,
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(campaignQueue.deadLetterRetentionDays),
    });
    Validations.of(this.deadLetters).acknowledge({ id: 'AwsSolutions::AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of campaign chunks.' });
    this.queue = new Queue(this, 'Chunks', {
      fifo: true,
      // High-throughput FIFO: deduplication and throughput per message group (lane), not per queue.
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      visibilityTimeout: Duration.seconds(campaignQueue.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(campaignQueue.retentionDays),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: campaignQueue.maxReceiveCount },
    });

    const environment = { [ENV.campaignQueueUrl]: this.queue.queueUrl, [ENV.eventBusName]: props.bus.eventBusName };
    const step = (key: keyof typeof campaignSteps, description: string) =>
      new CouponFunction(this, `${key.charAt(0).toUpperCase()}${key.slice(1)}Function`, {
        entry: campaignSteps[key].entry,
        description,
        logRetention: props.logRetention,
        timeout: Duration.minutes(key === 'prepare' || key === 'enqueue' ? 15 : 1),
        // prepare holds the audience's seen filter (~1.8 bytes a user: 180 MB at 100 million); enqueue a 4 MB page and its chunks.
        memorySize: key === 'prepare' || key === 'enqueue' ? 1024 : 512,
        environment,
      });
    const prepare = step('prepare', 'Campaign: record it, read the audience (lanes, repeats), reserve stock').bindTable(props.table, 'readWrite');
    const enqueue = step('enqueue', 'Campaign: send a page of the audience to the queue').bindTable(props.table, 'read');
    const check = step('check', 'Campaign: progress, deadline, template status, parked chunks').bindTable(props.table, 'readWrite');
    const complete = step('complete', 'Campaign: complete, give back unused stock, announce').bindTable(props.table, 'readWrite');
    // Only GetObject (ranged reads of audience files): no listing, no bucket metadata. The ARN is built
    // from the bucket's deterministic name so that the finding below can be acknowledged by its exact id.
    const audienceObjects = `arn:${Aws.PARTITION}:s3:::${props.audienceBucketName}/*`;
    for (const reader of [prepare, enqueue]) {
      reader.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [audienceObjects] }));
      Validations.of(reader).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${audienceBucketNamePattern(props.stage)}/*]`,
        reason: 'Reads any audience file in the campaign audience bucket (each request names its file); GetObject only.',
      });
    }
    for (const sender of [enqueue, check]) this.queue.grantSendMessages(sender);
    for (const publisher of [prepare, check, complete]) props.bus.grantPutEventsTo(publisher);
    // A pre-signed PUT carries its signer's rights: PutObject under uploads/ only, so a link can never overwrite another file.
    for (const fn of props.uploadLinkSigners) {
      fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [`arn:${Aws.PARTITION}:s3:::${props.audienceBucketName}/uploads/*`] }));
      fn.addEnvironment(ENV.audienceBucket, props.audienceBucketName);
      Validations.of(fn).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${audienceBucketNamePattern(props.stage)}/uploads/*]`,
        reason: 'Signs uploads of new audience files, each to a fresh key under uploads/ (the API picks the key); PutObject only.',
      });
    }
    for (const fn of props.chunkSenders) {
      fn.addEnvironment(ENV.campaignQueueUrl, this.queue.queueUrl);
      this.queue.grantSendMessages(fn);
    }

    this.worker = new CouponFunction(this, 'Worker', {
      entry: campaignWorker.entry,
      description: 'Campaign: issue the coupons of one chunk of users',
      logRetention: props.logRetention,
      timeout: WORKER_TIMEOUT,
      memorySize: 1024,
    }).bindTable(props.table, 'readWrite');
    const workerSource = new SqsEventSource(this.queue, { batchSize: campaignQueue.batchSize, maxConcurrency: props.workerConcurrency, reportBatchItemFailures: true });
    this.worker.addEventSource(workerSource);
    // The prepare step applies the campaign's maxConcurrency to this mapping.
    prepare.addEnvironment(ENV.workerMappingId, workerSource.eventSourceMappingId);
    prepare.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:UpdateEventSourceMapping'],
        resources: [Stack.of(this).formatArn({ service: 'lambda', resource: 'event-source-mapping', resourceName: workerSource.eventSourceMappingId, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );

    const task = (key: keyof typeof campaignSteps, fn: CouponFunction) =>
      new LambdaInvoke(this, campaignSteps[key].state, { lambdaFunction: fn, payloadResponseOnly: true, retryOnServiceExceptions: true });
    const prepareTask = task('prepare', prepare);
    const enqueueTask = task('enqueue', enqueue);
    const checkTask = task('check', check);
    const completeTask = task('complete', complete);
    const waitForWorkers = new Wait(this, campaignWaitState.state, { time: WaitTime.duration(Duration.seconds(campaignWaitState.seconds)) });
    const ended = new Succeed(this, 'Campaign ended', { comment: 'Cancelled (by an operator, its deadline or its template\'s validity ending); the reason is on the campaign' });
    const definition = prepareTask.next(
      new Choice(this, 'Stock reserved?')
        .when(
          Condition.stringEquals('$.status', 'running'),
          enqueueTask.next(
            new Choice(this, 'Audience fully queued?')
              .when(Condition.booleanEquals('$.done', false), enqueueTask)
              .otherwise(
                waitForWorkers.next(checkTask).next(
                  new Choice(this, 'What next?')
                    .when(
                      Condition.stringEquals('$.next', 'complete'),
                      completeTask.next(
                        // Paused in the meantime (an operator, or its template): back to waiting.
                        new Choice(this, 'Completed?').when(Condition.stringEquals('$.status', 'completed'), new Succeed(this, 'Campaign completed')).otherwise(waitForWorkers),
                      ),
                    )
                    .when(Condition.stringEquals('$.next', 'end'), ended)
                    .otherwise(waitForWorkers),
                ),
              ),
          ),
        )
        .otherwise(new Succeed(this, 'Campaign not run', { comment: 'Failed to start (reason recorded on the campaign) or a duplicate request' })),
    );
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(definition),
      tracingEnabled: true,
      logs: { destination: new LogGroup(this, 'StateMachineLogs', { retention: props.logRetention }), level: LogLevel.ALL },
    });
    const stack = Stack.of(this);
    Validations.of(this.stateMachine).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray tracing and log delivery accept no narrower resource than *.' },
      ...[prepare, enqueue, check, complete].map((fn) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: 'CDK grants lambda:InvokeFunction on the step function and its versions (<function>:*).',
      })),
    );

    new Rule(this, 'CampaignRequested', {
      eventBus: props.bus,
      eventPattern: { source: [campaignRequestRule.source], detailType: [campaignRequestRule.detailType] },
      targets: [new SfnStateMachine(this.stateMachine, { retryAttempts: 3, deadLetterQueue: targetDeadLetters(this) })],
    });

    anyAboveZeroAlarm(this, 'ChunkDeadLettersAlarm', this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), 'Campaign chunks the worker could not read or finish after every delivery');
    anyAboveZeroAlarm(this, 'FailedExecutionsAlarm', this.stateMachine.metricFailed({ period: Duration.minutes(5) }), 'A campaign state machine execution failed');
  }
}
