import { Stack, type StackProps } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { CouponEvents } from './constructs/coupon-events';
import { CouponHttpApi } from './constructs/coupon-http-api';
import { CouponOrders } from './constructs/coupon-orders';
import { CouponStatistics } from './constructs/coupon-statistics';
import { CouponTable } from './constructs/coupon-table';
import type { DeploySettings } from './settings';

/** What must survive every deploy: the table. Kept apart so the stateless stack can be torn down and rebuilt freely. */
export class CouponDataStack extends Stack {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: StackProps & { settings: DeploySettings }) {
    super(scope, id, props);
    this.table = new CouponTable(this, 'Coupons', { deletionProtection: props.settings.deletionProtection }).table;
  }
}

export interface CouponServiceStackProps extends StackProps {
  readonly settings: DeploySettings;
  readonly table: TableV2;
}

/** Everything stateless: functions, the HTTP API. */
export class CouponServiceStack extends Stack {
  readonly api: CouponHttpApi;
  readonly events: CouponEvents;
  readonly orders: CouponOrders;
  readonly statistics: CouponStatistics;

  constructor(scope: Construct, id: string, props: CouponServiceStackProps) {
    super(scope, id, props);
    const { settings, table } = props;
    this.api = new CouponHttpApi(this, 'Api', {
      table,
      jwtIssuer: settings.jwtIssuer,
      jwtAudience: settings.jwtAudience,
      logRetention: settings.logRetention,
      defaultThrottle: settings.throttle,
      environment: { LOCK_TIMEOUT_MINUTES: String(settings.lockTimeoutMinutes) },
    });
    this.events = new CouponEvents(this, 'Events', { table, logRetention: settings.logRetention });
    this.orders = new CouponOrders(this, 'Orders', { table, logRetention: settings.logRetention, lockTimeoutMinutes: settings.lockTimeoutMinutes });
    this.statistics = new CouponStatistics(this, 'Statistics', { table, logRetention: settings.logRetention });
  }
}
