/**
 * Error to ticket, deployed with Lambda delivery (the real open-ticket handler and its deduplication table) to a
 * stand-in ticketing API (an HTTP recorder: a function URL that logs each request and answers with a ticket id).
 *
 * Asserts:
 * - an `ErrorReported` event opens a ticket: the ticketing API receives a POST whose body carries the fingerprint and
 *   the title, and the deduplication table records the fingerprint as `opened` with the ticket id the API returned;
 * - a CloudWatch alarm of the stack set to ALARM (SetAlarmState) reaches the alarm route on the default bus and
 *   opens a ticket too (the ticketing API receives a POST naming the alarm).
 *
 * Not covered: the API destination delivery (`TicketDelivery.apiDestination()`), which would need a public endpoint
 * that accepts EventBridge's connection authorization; it has the same routes.
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { App, SecretValue, aws_cloudwatch as cloudwatch, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { HttpRecorder, WAIT, awaitLogLine, integStack, integTest, putEvent } from './support';
import { ErrorToTicket } from '../../src/blueprints/error-to-ticket';

const app = new App();
const stack = integStack(app, 'EventBridgeBlueprintsIntegErrorToTicket');
const ticketing = new HttpRecorder(stack, 'TicketingApi');
const secret = new secretsmanager.Secret(stack, 'TicketingSecret', {
  secretObjectValue: {
    endpoint: SecretValue.unsafePlainText(`${ticketing.url}tickets`),
    authorization: SecretValue.unsafePlainText('Bearer integ-test'),
  },
});
// An alarm on a metric nobody writes: it stays INSUFFICIENT_DATA until the test sets it to ALARM.
const alarm = new cloudwatch.Alarm(stack, 'ProbeAlarm', {
  metric: new cloudwatch.Metric({ namespace: 'EventBridgeBlueprintsInteg', metricName: 'NeverWritten' }),
  threshold: 1,
  evaluationPeriods: 1,
});
const errors = new ErrorToTicket(stack, 'ErrorToTicket', {
  errorSource: 'com.example.integ.shop',
  ticketingSecret: secret,
  // Generated alarm names start with the stack name: only this stack's alarms open tickets during the test.
  alarmNamePrefixes: [`${stack.stackName}-`],
});

const integ = integTest(app, 'ErrorToTicket', stack);

const dedup = integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: errors.dedupTable!.tableName,
  Key: { fingerprint: { S: 'custom:integ-checkout-timeout' } },
  ConsistentRead: true,
});
dedup.expect(ExpectedResult.objectLike({ Item: { status: { S: 'opened' }, ticketId: { S: 'INTEG-TICKET' } } }));

putEvent(integ, errors.eventBus, 'com.example.integ.shop', 'ErrorReported', {
  service: 'checkout', errorType: 'TimeoutError', message: 'Payment provider timed out', severity: 'high', fingerprint: 'integ-checkout-timeout',
})
  .next(awaitLogLine(integ, ticketing.logGroup, '"RECORDED POST"',
    '^RECORDED POST /tickets idempotency-key=\\S+ .*"fingerprint":"custom:integ-checkout-timeout"'))
  .next(dedup.waitForAssertions(WAIT));

integ.assertions.awsApiCall('CloudWatch', 'setAlarmState', { AlarmName: alarm.alarmName, StateValue: 'ALARM', StateReason: 'integration test' })
  .next(awaitLogLine(integ, ticketing.logGroup, '"RECORDED POST"', `^RECORDED POST /tickets (?=.*"kind":"alarm")(?=.*${alarm.alarmName})`));

app.synth();
