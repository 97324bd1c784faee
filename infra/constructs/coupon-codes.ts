import { Arn, ArnFormat, Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../lib/http/route';
import { codeFailureMetric, codeQueue, codeWorker, ENV, serviceName } from '../../lib/topology';
import { codeExportBucketNamePattern, codeSecretName } from '../names';
import { anyAboveZeroAlarm } from './alarms';
import { CouponFunction } from './coupon-function';
import { workQueueWithDeadLetters } from './work-queue';

export interface CouponCodesProps {
  readonly stage: string;
  readonly table: TableV2;
  /** The export bucket's deterministic name (infra/names.ts). */
  readonly exportBucketName: string;
  readonly logRetention: RetentionDays;
  /** The HTTP API's functions and the code resources their routes use (lib/http/route.ts `uses`). */
  readonly routeFunctions: ReadonlyArray<{ readonly route: RouteDefinition; readonly fn: CouponFunction }>;
  /** Failed redemptions allowed per user and per address in the window (deploy parameters). */
  readonly failuresPerUser: number;
  readonly failuresPerAddress: number;
  readonly failureWindowMinutes: number;
  /** Failed redemptions a minute (all users) above which someone should look: a guessing campaign. */
  readonly failureAlarmPerMinute: number;
}

/**
 * Redemption codes (docs/codes.md): the generation queue and its worker, the grants each code route's
 * function needs (the secret, the export bucket, the queue: exactly what its route says it uses), and
 * the alarms: parts in the dead-letter queue (a batch that will not finish) and a failure rate that says
 * somebody is guessing codes.
 */
export class CouponCodes extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly worker: CouponFunction;

  constructor(scope: Construct, id: string, props: CouponCodesProps) {
    super(scope, id);
    const secretName = codeSecretName(props.stage);
    // The secret lives in the data stack; by its name, any version (Secrets Manager appends six characters to the ARN).
    const secretArn = Arn.format({ service: 'secretsmanager', resource: 'secret', resourceName: `${secretName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }, Stack.of(this));
    const exportObjects = `arn:${Aws.PARTITION}:s3:::${props.exportBucketName}/*`;

    ({ queue: this.queue, deadLetters: this.deadLetters } = workQueueWithDeadLetters(this, { queue: 'Parts', deadLetters: 'PartDeadLetters', what: 'code generation parts' }, codeQueue));

    const grant = (fn: CouponFunction, uses: NonNullable<RouteDefinition['uses']>, exportActions: readonly string[]) => {
      if (uses.includes('codeSecret')) {
        fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }));
        fn.addEnvironment(ENV.codeSecretId, secretName);
      }
      if (uses.includes('codeExports')) {
        fn.addToRolePolicy(new PolicyStatement({ actions: [...exportActions], resources: [exportObjects] }));
        fn.addEnvironment(ENV.codeExportBucket, props.exportBucketName);
        Validations.of(fn).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${codeExportBucketNamePattern(props.stage)}/*]`,
          reason: 'Export objects are keyed by batch (code-exports/{batchId}-{request}.csv); no listing or bucket access.',
        });
      }
      if (uses.includes('codeQueue')) {
        this.queue.grantSendMessages(fn);
        fn.addEnvironment(ENV.codeQueueUrl, this.queue.queueUrl);
      }
    };

    this.worker = new CouponFunction(this, 'GenerateCodes', {
      entry: codeWorker.entry,
      description: 'Generates one part of a code batch (hashes, writes, counts it); the last part writes the export',
      logRetention: props.logRetention,
      timeout: Duration.seconds(codeQueue.workerTimeoutSeconds),
      memorySize: 1024,
    }).bindTable(props.table, 'readWrite');
    grant(this.worker, ['codeSecret', 'codeExports'], ['s3:PutObject']);
    this.worker.addEventSource(new SqsEventSource(this.queue, { batchSize: codeQueue.batchSize, reportBatchItemFailures: true, maxConcurrency: 10 }));

    for (const { route, fn } of props.routeFunctions) {
      // The shared code's export is written when its batch is created; exports are only read (pre-signed) afterwards.
      if (route.uses) grant(fn, route.uses, route.uses.includes('codeQueue') ? ['s3:PutObject'] : ['s3:GetObject']);
      if (route.uses?.includes('codeSecret') && route.scope === 'user') {
        fn.addEnvironment(ENV.codeFailuresPerUser, String(props.failuresPerUser));
        fn.addEnvironment(ENV.codeFailuresPerAddress, String(props.failuresPerAddress));
        fn.addEnvironment(ENV.codeFailureWindowMinutes, String(props.failureWindowMinutes));
      }
    }

    anyAboveZeroAlarm(this, 'PartDeadLettersAlarm', this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), 'Code generation parts that failed every delivery: their batch will not become ready (docs/operations.md)');
    new Alarm(this, 'GuessingCodes', {
      alarmDescription: `More than ${props.failureAlarmPerMinute} failed code redemptions a minute for 5 minutes: somebody may be guessing codes (docs/operations.md: look at the failures by reason and the throttled count; lower the limits or block the addresses in front of the API)`,
      metric: new Metric({ namespace: codeFailureMetric.namespace, metricName: codeFailureMetric.name, dimensionsMap: { service: serviceName }, statistic: 'Sum', period: Duration.minutes(1) }),
      threshold: props.failureAlarmPerMinute,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
