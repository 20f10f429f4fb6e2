import { Duration, Fn, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';

/**
 * A CloudWatch Metrics Insights query that sums one metric over every series whose dimension `dimension` equals
 * `value` (a string or a token): for example every rule of a bus, or every subscriber of a bus.
 */
export function insightsSum(namespace: string, metricName: string, dimensions: string[], dimension: string, value: string,
  props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
  return new cloudwatch.MathExpression({
    expression: Fn.join('', [
      `SELECT SUM(${metricName}) FROM SCHEMA("${namespace}", ${dimensions.join(', ')}) WHERE ${dimension} = '`,
      value,
      '\'',
    ]),
    usingMetrics: {},
    label: props?.label ?? metricName,
    period: props?.period ?? Duration.minutes(1),
    color: props?.color,
  });
}

/** An alarm that fires when a count metric reaches 1 in one period (missing data is not breaching). */
export function countAlarm(scope: import('constructs').Construct, id: string, metric: cloudwatch.IMetric, description: string,
  actions: cloudwatch.IAlarmAction[]): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
  if (actions.length > 0) {
    alarm.addAlarmAction(...actions);
  }
  return alarm;
}
