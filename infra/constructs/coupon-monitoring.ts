import { Aspects, Duration, type IAspect, Stack } from 'aws-cdk-lib';
import { Alarm, CfnAlarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { DefaultDashboardFactory, MonitoringFacade } from 'cdk-monitoring-constructs';
import { Construct, type IConstruct } from 'constructs';
import { BusinessMetric } from '../../lib/telemetry';
import { metricsNamespace, serviceName } from '../../lib/topology';
import { CouponFunction } from './coupon-function';

export interface CouponMonitoringProps {
  readonly stage: string;
  /** Subscribed to the alarm topic by e-mail when given. */
  readonly alarmEmail?: string;
  readonly table: TableV2;
  readonly api: IHttpApi;
  /** Functions whose p99 duration is the latency of a route that shops wait on (claim, lock). */
  readonly latencyCritical: readonly CouponFunction[];
  /** Functions fed by the table's stream: their iterator age says how far behind they are. */
  readonly streamConsumers: readonly CouponFunction[];
  readonly campaignQueue: { readonly queue: Queue; readonly deadLetters: Queue };
  /** Code generation parts: one in the dead-letter queue is a batch that will not finish on its own. */
  readonly codeQueue: { readonly queue: Queue; readonly deadLetters: Queue };
  readonly importQueue: { readonly queue: Queue; readonly deadLetters: Queue };
  readonly stateMachine: StateMachine;
}

/** Alarm thresholds, in one place (docs/operations.md has a runbook row for each alarm). */
export const alarmThresholds = {
  /** Share of API requests answered 5xx over 5 minutes. */
  api5xxPercent: 1,
  apiP99: Duration.millis(1_000),
  /** p99 duration of the claim and lock functions. */
  routeP99: Duration.millis(500),
  /** How far a stream consumer may lag before someone looks. */
  streamIteratorAge: Duration.minutes(5),
} as const;

const businessMetric = (name: string, statistic = 'Sum') => new Metric({ namespace: metricsNamespace, metricName: name, dimensionsMap: { service: serviceName }, statistic, period: Duration.minutes(5) });

/**
 * What an operator watches: one SNS topic that every alarm of the stack notifies (an aspect adds it to
 * alarms made anywhere, so a new alarm cannot forget it), an alarm on every function's errors and
 * throttles, the API's 5xx rate and p99, the claim and lock functions' p99, DynamoDB throttling and
 * system errors, stream iterator age, and one dashboard with request rates, latencies, campaign
 * progress and the business metrics. Built with cdk-monitoring-constructs.
 */
export class CouponMonitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly facade: MonitoringFacade;

  constructor(scope: Construct, id: string, props: CouponMonitoringProps) {
    super(scope, id);
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: `Coupon platform (${props.stage}) alarms`, enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    const prefix = `coupons-${props.stage}`;
    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: { alarmNamePrefix: prefix, actionsEnabled: true },
      metricFactoryDefaults: {},
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', { dashboardNamePrefix: prefix, createDashboard: true, createSummaryDashboard: false, createAlarmDashboard: false }),
    });

    this.facade
      .addLargeHeader(`Coupon platform (${props.stage})`)
      .monitorApiGatewayV2HttpApi({
        api: props.api,
        alarmFriendlyName: 'api',
        add5xxRateAlarm: { Critical: { maxErrorRate: alarmThresholds.api5xxPercent } },
        addLatencyP99Alarm: { Warning: { maxLatency: alarmThresholds.apiP99 } },
      })
      .monitorDynamoTable({
        table: props.table,
        alarmFriendlyName: 'table',
        addReadThrottledEventsCountAlarm: { Warning: { maxThrottledEventsThreshold: 0 } },
        addWriteThrottledEventsCountAlarm: { Warning: { maxThrottledEventsThreshold: 0 } },
        addSystemErrorCountAlarm: { Critical: { maxErrorCount: 0 } },
      })
      .monitorSqsQueueWithDlq({
        queue: props.campaignQueue.queue,
        deadLetterQueue: props.campaignQueue.deadLetters,
        alarmFriendlyName: 'campaign-chunks',
      })
      .monitorSqsQueueWithDlq({
        queue: props.codeQueue.queue,
        deadLetterQueue: props.codeQueue.deadLetters,
        alarmFriendlyName: 'code-parts',
      })
      .monitorSqsQueueWithDlq({
        queue: props.importQueue.queue,
        deadLetterQueue: props.importQueue.deadLetters,
        alarmFriendlyName: 'import-steps',
      })
      .monitorStepFunction({ stateMachine: props.stateMachine, alarmFriendlyName: 'campaign-flow' })
      .monitorCustom({
        alarmFriendlyName: 'business',
        humanReadableName: 'Business metrics',
        metricGroups: [
          { title: 'Coupons issued', metrics: [businessMetric(BusinessMetric.couponsClaimed), businessMetric(BusinessMetric.campaignCouponsIssued)] },
          { title: 'Claims and refusals', metrics: [businessMetric(BusinessMetric.claimContentionRetries), businessMetric(BusinessMetric.requestsRefused)] },
          { title: 'Orders and quotes', metrics: [businessMetric(BusinessMetric.ordersLocked), businessMetric(BusinessMetric.quotesPriced)] },
          { title: 'Codes', metrics: [businessMetric(BusinessMetric.codesRedeemed), businessMetric(BusinessMetric.codeRedemptionFailures), businessMetric(BusinessMetric.codeRedemptionsThrottled)] },
          { title: 'Stock ledger', metrics: [businessMetric(BusinessMetric.stockLedgerImbalances, 'Maximum')] },
        ],
      });

    const latencyCritical = new Set(props.latencyCritical);
    const streamConsumers = new Set(props.streamConsumers);
    const functions = Stack.of(this)
      .node.findAll()
      .filter((node): node is CouponFunction => node instanceof CouponFunction);
    for (const fn of functions) {
      const name = fn.node.path.split('/').slice(1).join('-');
      // One alarm a function for its errors and its throttles together (metric math): two would put the
      // stack past CloudFormation's 500 resources, and either one needs the same look at the function's logs.
      new Alarm(this, `${name}-ErrorsOrThrottles`, {
        alarmName: `${prefix}-${name}-ErrorsOrThrottles`,
        alarmDescription: `${name} failed or was throttled (docs/operations.md: its logs and traces say which; throttles mean the account's concurrency is short)`,
        metric: new MathExpression({
          expression: 'errors + throttles',
          usingMetrics: { errors: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }), throttles: fn.metricThrottles({ statistic: 'Sum', period: Duration.minutes(5) }) },
          period: Duration.minutes(5),
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      this.facade.monitorLambdaFunction({
        lambdaFunction: fn,
        alarmFriendlyName: name,
        ...(latencyCritical.has(fn) ? { addLatencyP99Alarm: { Warning: { maxLatency: alarmThresholds.routeP99 } } } : {}),
        ...(streamConsumers.has(fn) ? { addMaxIteratorAgeAlarm: { Critical: { maxAgeInMillis: alarmThresholds.streamIteratorAge.toMilliseconds() } } } : {}),
      });
    }

    Aspects.of(Stack.of(this)).add(new NotifyTopic(this.alarmTopic));
  }
}

/** Every alarm in the stack notifies the topic when it fires and when it recovers. */
class NotifyTopic implements IAspect {
  constructor(private readonly topic: Topic) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnAlarm)) return;
    node.alarmActions = [this.topic.topicArn];
    node.okActions = [this.topic.topicArn];
  }
}
