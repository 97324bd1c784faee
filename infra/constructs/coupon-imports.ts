import { Aws, Duration, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../lib/http/route';
import { ENV, importQueue, importRequestRule, importWorker } from '../../lib/topology';
import { importBucketNamePattern } from '../names';
import { anyAboveZeroAlarm } from './alarms';
import { CouponFunction } from './coupon-function';
import { workQueueWithDeadLetters } from './work-queue';

export interface CouponImportsProps {
  readonly stage: string;
  readonly table: TableV2;
  readonly bus: IEventBus;
  /** The import bucket's deterministic name (infra/names.ts). */
  readonly bucketName: string;
  readonly logRetention: RetentionDays;
  /** The HTTP API's functions; those whose route uses the import queue may send to it. */
  readonly routeFunctions: ReadonlyArray<{ readonly route: RouteDefinition; readonly fn: CouponFunction }>;
}

/**
 * Imports of legacy data (docs/migration.md): the queue of import steps (plan, parts, verify segments)
 * and its worker, which alone reads the import bucket; a rule that puts ImportRequested events on the
 * queue; the alarm on steps that failed every delivery (an import that will not finish).
 */
export class CouponImports extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly worker: CouponFunction;

  constructor(scope: Construct, id: string, props: CouponImportsProps) {
    super(scope, id);
    ({ queue: this.queue, deadLetters: this.deadLetters } = workQueueWithDeadLetters(this, { queue: 'Steps', deadLetters: 'StepDeadLetters', what: 'import steps' }, importQueue));

    this.worker = new CouponFunction(this, 'RunImportStep', {
      entry: importWorker.entry,
      description: 'Runs one step of an import: plan (templates, cut the coupons file into parts), a part, or a verify segment',
      logRetention: props.logRetention,
      timeout: Duration.seconds(importQueue.workerTimeoutSeconds),
      memorySize: 1024,
    }).bindTable(props.table, 'readWrite');
    this.worker.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:${Aws.PARTITION}:s3:::${props.bucketName}/*`] }));
    Validations.of(this.worker).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${importBucketNamePattern(props.stage)}/*]`,
      reason: 'The worker reads the import files the back office names (any key of the import bucket); it neither lists nor writes it.',
    });
    this.worker.addEnvironment(ENV.importBucket, props.bucketName);
    this.worker.addEnvironment(ENV.importQueueUrl, this.queue.queueUrl);
    this.queue.grantSendMessages(this.worker);
    // Ten at a time: each part writes its coupons with 16 calls in flight, so imports leave room for live traffic.
    this.worker.addEventSource(new SqsEventSource(this.queue, { batchSize: importQueue.batchSize, reportBatchItemFailures: true, maxConcurrency: 10 }));

    for (const { route, fn } of props.routeFunctions) {
      if (!route.uses?.includes('importQueue')) continue;
      this.queue.grantSendMessages(fn);
      fn.addEnvironment(ENV.importQueueUrl, this.queue.queueUrl);
    }

    new Rule(this, 'ImportRequested', {
      eventBus: props.bus,
      description: 'Import requests from back-office tools go to the import queue as they are',
      eventPattern: { source: [importRequestRule.source], detailType: [importRequestRule.detailType] },
      targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetters })],
    });

    anyAboveZeroAlarm(this, 'StepDeadLettersAlarm', this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), 'Import steps that failed every delivery: their import will not finish (docs/operations.md)');
  }
}
