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
