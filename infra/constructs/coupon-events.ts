import { Duration, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { streamConsumers, streamFilterPattern, ENV } from '../../lib/topology';
import { anyAboveZeroAlarm } from './alarms';
import { CouponFunction } from './coupon-function';
import { eventBusName } from '../names';

export interface CouponEventsProps {
  /** Part of the bus name (`coupons-<stage>`), the name marketing tools put CampaignRequested on. */
  readonly stage: string;
  readonly table: TableV2;
  readonly logRetention: RetentionDays;
}

/**
 * Events for downstream systems: the table's stream drives a publisher that puts domain events on the
 * `coupons` event bus. Events exist exactly when a write committed (they come from the stream); records
 * that still fail after retries go to a dead-letter queue with an alarm.
 */
export class CouponEvents extends Construct {
  readonly bus: EventBus;
  readonly publisher: CouponFunction;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: CouponEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: eventBusName(props.stage) });
    this.deadLetters = new Queue(this, 'PublisherDeadLetters', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({ id: 'AwsSolutions::AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter destination of the stream publisher.' });

    this.publisher = new CouponFunction(this, 'StreamPublisher', {
      entry: streamConsumers.publisher.entry,
      description: 'DynamoDB stream -> domain events on the coupons event bus',
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
      environment: { [ENV.eventBusName]: this.bus.eventBusName },
    });
    this.bus.grantPutEventsTo(this.publisher);
    this.publisher.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: streamConsumers.publisher.batchSize,
        maxBatchingWindow: Duration.seconds(streamConsumers.publisher.maxBatchingWindowSeconds),
        bisectBatchOnError: true,
        retryAttempts: streamConsumers.publisher.retryAttempts,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetters),
        // Only coupon items produce events; stock, counters and idempotency records never wake the function.
        filters: [FilterCriteria.filter(streamFilterPattern(streamConsumers.publisher))],
      }),
    );

    anyAboveZeroAlarm(this, 'PublisherDeadLettersAlarm', this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), 'Stream records whose events could not be published after every retry');
  }

  /** Lets these functions put events on the bus, and tells them its name. */
  grantPublish(functions: readonly CouponFunction[]): void {
    for (const fn of functions) {
      this.bus.grantPutEventsTo(fn);
      fn.addEnvironment(ENV.eventBusName, this.bus.eventBusName);
    }
  }
}
