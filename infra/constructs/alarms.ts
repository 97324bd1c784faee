import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/** An alarm that fires as soon as the metric is above zero in one period (dead letters, failed executions). */
export const anyAboveZeroAlarm = (scope: Construct, id: string, metric: IMetric, description: string): Alarm =>
  new Alarm(scope, id, {
    alarmDescription: description,
    metric,
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });

