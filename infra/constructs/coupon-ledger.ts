import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV, ledgerImbalanceMetric, schedules, serviceName } from '../../lib/topology';
import { anyAboveZeroAlarm } from './alarms';
import { CouponFunction } from './coupon-function';

export interface CouponLedgerProps {
  readonly table: TableV2;
  readonly bus: EventBus;
  readonly logRetention: RetentionDays;
}

/**
 * The stock ledger's daily audit: every active template's ledger is checked; an imbalance is a
 * StockLedgerImbalanced event on the bus and a count on a metric that an alarm watches.
 */
export class CouponLedger extends Construct {
  readonly auditor: CouponFunction;

  constructor(scope: Construct, id: string, props: CouponLedgerProps) {
    super(scope, id);
    this.auditor = new CouponFunction(this, 'AuditStockLedgers', {
      entry: schedules.auditStockLedgers.entry,
      description: 'Checks every active template\'s stock ledger',
      logRetention: props.logRetention,
      timeout: Duration.minutes(15),
      environment: { [ENV.eventBusName]: props.bus.eventBusName },
    })
      .bindTable(props.table, 'read')
      .runEvery(schedules.auditStockLedgers.everyMinutes);
    props.bus.grantPutEventsTo(this.auditor);
    anyAboveZeroAlarm(
      this,
      'StockLedgerImbalancedAlarm',
      new Metric({ namespace: ledgerImbalanceMetric.namespace, metricName: ledgerImbalanceMetric.name, dimensionsMap: { service: serviceName }, statistic: 'Maximum', period: Duration.days(1) }),
      'A template\'s stock ledger does not balance (see the StockLedgerImbalanced event and GET /v1/admin/templates/{id}/ledger)',
    );
    anyAboveZeroAlarm(this, 'AuditErrorsAlarm', this.auditor.metricErrors({ period: Duration.days(1) }), 'The stock ledger audit failed: the ledgers were not checked today');
  }
}
