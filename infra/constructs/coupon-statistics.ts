import { Duration, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { streamConsumers, streamFilterPattern } from '../../lib/topology';
import { anyAboveZeroAlarm } from './alarms';
import { CouponFunction } from './coupon-function';

export interface CouponStatisticsProps {
  readonly table: TableV2;
  readonly logRetention: RetentionDays;
}

/** Per-template counters, kept by a consumer of the table's stream in sharded counter items. */
export class CouponStatistics extends Construct {
  readonly consumer: CouponFunction;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: CouponStatisticsProps) {
    super(scope, id);
    const deadLetters = new Queue(this, 'DeadLetters', { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED, retentionPeriod: Duration.days(14) });
    this.deadLetters = deadLetters;
    Validations.of(deadLetters).acknowledge({ id: 'AwsSolutions::AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter destination of the statistics consumer.' });
    this.consumer = new CouponFunction(this, 'Consumer', {
      entry: streamConsumers.statistics.entry,
      description: 'DynamoDB stream -> per-template statistics counters',
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
    }).bindTable(props.table, 'readWrite');
    this.consumer.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: streamConsumers.statistics.batchSize,
        maxBatchingWindow: Duration.seconds(streamConsumers.statistics.maxBatchingWindowSeconds),
        retryAttempts: streamConsumers.statistics.retryAttempts,
        // The handler adds a batch in one transaction and reports the batch's first record when it fails;
        // halving a failing batch isolates a record that keeps failing, which then goes to the DLQ alone.
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(deadLetters),
        filters: [FilterCriteria.filter(streamFilterPattern(streamConsumers.statistics))],
      }),
    );
    anyAboveZeroAlarm(this, 'DeadLettersAlarm', deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), 'Stream records the statistics consumer could not count after every retry: counters are short until they are redriven');
  }
}
