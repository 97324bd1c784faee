import { Duration } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV, schedules } from '../../lib/topology';
import { CouponFunction } from './coupon-function';

export interface CouponOrdersProps {
  readonly table: TableV2;
  readonly logRetention: RetentionDays;
  readonly lockTimeoutMinutes: number;
}

/**
 * The system's side of order locks: every minute a function releases the coupons of orders whose lock
 * timed out (the order routes themselves are in the HTTP API). DynamoDB TTL is not used for this: it
 * may delete items up to days late.
 */
export class CouponOrders extends Construct {
  readonly releaser: CouponFunction;

  constructor(scope: Construct, id: string, props: CouponOrdersProps) {
    super(scope, id);
    this.releaser = new CouponFunction(this, 'ReleaseExpiredLocks', {
      entry: schedules.releaseExpiredLocks.entry,
      description: 'Releases coupons of orders whose lock expired',
      logRetention: props.logRetention,
      timeout: Duration.seconds(55),
      environment: { [ENV.lockTimeoutMinutes]: String(props.lockTimeoutMinutes) },
    })
      .bindTable(props.table, 'readWrite')
      .runEvery(schedules.releaseExpiredLocks.everyMinutes);
  }
}
