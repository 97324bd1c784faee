import { Aws, Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { defaultSettings } from '../../lib/config';
import { ENV, lifecycleBacklogMetric, schedules, serviceName } from '../../lib/topology';
import { archiveBucketNamePattern } from '../names';
import { CouponFunction } from './coupon-function';

export interface CouponLifecycleProps {
  readonly table: TableV2;
  readonly stage: string;
  /** The archive bucket's deterministic name (infra/names.ts). */
  readonly archiveBucketName: string;
  readonly logRetention: RetentionDays;
  /** Minutes between expiry runs (deploy parameter `expiryEveryMinutes`). */
  readonly expiryEveryMinutes: number;
  /** Days a settled coupon stays in the table before archival (deploy parameter `archiveRetentionDays`). */
  readonly archiveRetentionDays: number;
  /** Reminder offsets of templates that set none, comma-separated (deploy parameter `reminderOffsets`). */
  readonly reminderOffsets: string;
}

/** Runs that fall behind this many times in a row mean a job no longer keeps up with its schedule. */
const RUNS_BEHIND_IN_A_ROW = 3;

/**
 * Coupons over time (docs/lifecycle.md): the expiry, reminder and archival jobs, each a function on an
 * EventBridge schedule that works for at most its run budget (below the 15-minute timeout) and leaves
 * the rest to its next run. Failed runs are retried by the rule, then go to its dead-letter queue; every
 * function's errors raise an alarm (CouponMonitoring), and so does a job that keeps running out of time.
 */
export class CouponLifecycle extends Construct {
  readonly expiry: CouponFunction;
  readonly reminders: CouponFunction;
  readonly archival: CouponFunction;

  constructor(scope: Construct, id: string, props: CouponLifecycleProps) {
    super(scope, id);
    const job = (name: string, entry: string, description: string, everyMinutes: number, environment: Record<string, string> = {}) =>
      new CouponFunction(this, name, { entry, description, logRetention: props.logRetention, timeout: Duration.minutes(15), memorySize: 1024, environment })
        .bindTable(props.table, 'readWrite')
        .runEvery(everyMinutes);
    this.expiry = job('ExpireCoupons', schedules.expireCoupons.entry, 'Moves coupons whose validity ended to expired', props.expiryEveryMinutes);
    this.reminders = job('SendReminders', schedules.sendReminders.entry, 'Records the day\'s expiry reminders (published as CouponsExpiringSoon)', schedules.sendReminders.everyMinutes, {
      [ENV.reminderOffsets]: props.reminderOffsets,
    });
    this.archival = job('ArchiveCoupons', schedules.archiveCoupons.entry, 'Moves coupons settled longer than the retention ago to the archive bucket', schedules.archiveCoupons.everyMinutes, {
      [ENV.archiveBucket]: props.archiveBucketName,
      [ENV.archiveRetentionDays]: String(props.archiveRetentionDays),
    });
    // Objects are written, read back, and removed when a crashed batch is abandoned; nothing is listed.
    this.archival.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], resources: [`arn:${Aws.PARTITION}:s3:::${props.archiveBucketName}/*`] }));
    Validations.of(this.archival).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${archiveBucketNamePattern(props.stage)}/*]`,
      reason: 'Writes, reads back and removes its own archive objects and manifests (keys by day, template and batch); no listing or bucket access.',
    });

    for (const [name, everyMinutes] of [['expire', props.expiryEveryMinutes], ['remind', schedules.sendReminders.everyMinutes], ['archive', schedules.archiveCoupons.everyMinutes]] as const) {
      new Alarm(this, `${name}-falling-behind`, {
        alarmDescription: `The ${name} job ran out of time ${RUNS_BEHIND_IN_A_ROW} runs in a row: it no longer keeps up (docs/operations.md: raise writesInFlight or the schedule's rate, or look for throttling)`,
        metric: new Metric({
          namespace: lifecycleBacklogMetric.namespace,
          metricName: lifecycleBacklogMetric.name,
          dimensionsMap: { service: serviceName, job: name },
          statistic: 'Minimum',
          period: Duration.minutes(everyMinutes),
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: RUNS_BEHIND_IN_A_ROW,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
  }
}

export const lifecycleDefaults = {
  expiryEveryMinutes: schedules.expireCoupons.everyMinutes,
  archiveRetentionDays: defaultSettings.lifecycle.retentionDays,
  reminderOffsets: defaultSettings.lifecycle.defaultReminderOffsets.join(','),
};
