/**
 * IoT device management, deployed with its defaults except the analysis bucket (the test's own, emptied and
 * deleted with the stack) and a one-minute Firehose buffer.
 *
 * Asserts, for one fault status (an error code) of a device put on the status queue in the shape the topic rule
 * writes there:
 * - the pipe puts it on the bus and the status route writes it to the status log group;
 * - the fault route starts the maintenance workflow, which opens a ticket (`<deviceId>#<window start>`, status OPEN)
 *   in the tickets table and announces `MaintenanceTicketOpened` (seen by an SQS probe);
 * - Firehose writes it to the analysis bucket under the day of its IoT receive time (`status/day=2030-01-01/`).
 *
 * Not covered: the IoT topic rule itself (MQTT to the status queue). Publishing needs a device or the account's
 * IoT data endpoint, which an integ-tests SDK call cannot be pointed at; the status is sent to the queue as the rule
 * would. The receive time is fixed in 2030 so that the ticket's TTL (90 days after its window) cannot delete it
 * during the test. Not covered either: acknowledgement and escalation (hours of waiting), missed heartbeats
 * (`heartbeatTimeout` is off by default).
 */
import { AwsApiCall, ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, aws_s3 as s3 } from 'aws-cdk-lib';
import { WAIT, awaitLogLine, awaitMessage, integStack, integTest, probeQueue } from './support';
import { IotDeviceManagement } from '../../src/blueprints/iot-devices';

const app = new App();
const stack = integStack(app, 'EventBridgeBlueprintsIntegIotDevices');
const analysisBucket = new s3.Bucket(stack, 'Analysis', {
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  encryption: s3.BucketEncryption.S3_MANAGED,
  removalPolicy: RemovalPolicy.DESTROY,
  autoDeleteObjects: true,
});
const iot = new IotDeviceManagement(stack, 'Devices', { analysisBucket, analysisBufferingInterval: Duration.seconds(60) });
const opened = probeQueue(stack, 'TicketOpened', iot.eventBus, iot.maintenanceTicketOpened.pattern());

const integ = integTest(app, 'IotDevices', stack);

// 2030-01-01T12:05:00Z: the fault window (1 hour) starts at 12:00.
const status = { deviceId: 'integ-pump-1', receivedAt: 1893499500000, state: 'RUNNING', batteryPercent: 80, errorCode: 'E_OVERHEAT', sequence: 1 };
const ticketId = 'integ-pump-1#2030-01-01T12:00:00.000Z';

const ticket = integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: iot.ticketsTable.tableName,
  Key: { ticketId: { S: ticketId } },
  ConsistentRead: true,
});
ticket.expect(ExpectedResult.objectLike({ Item: { ticketId: { S: ticketId }, deviceId: { S: 'integ-pump-1' }, status: { S: 'OPEN' } } }));

const files = integ.assertions.awsApiCall('S3', 'listObjectsV2', { Bucket: analysisBucket.bucketName, Prefix: 'status/day=2030-01-01/' });
files.expect(ExpectedResult.objectLike({ Contents: Match.arrayWith([Match.objectLike({ Key: Match.stringLikeRegexp('^status/day=2030-01-01/') })]) }));

const awaitFiles = files.waitForAssertions(WAIT);
// ListObjectsV2 is authorized by s3:ListBucket (integ-tests would grant the action "s3:ListObjectsV2", which does not exist).
(files as AwsApiCall).waiterProvider!.addToRolePolicy({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [analysisBucket.bucketArn] });

integ.assertions.awsApiCall('SQS', 'sendMessage', { QueueUrl: iot.statusQueue.queueUrl, MessageBody: JSON.stringify(status) })
  .next(awaitLogLine(integ, iot.statusLogGroup, '"integ-pump-1"', '"errorCode":"E_OVERHEAT"'))
  .next(ticket.waitForAssertions(WAIT))
  .next(awaitMessage(integ, opened, {
    Body: Match.serializedJson(Match.objectLike({ 'detail-type': 'MaintenanceTicketOpened', 'detail': Match.objectLike({ ticketId, deviceId: 'integ-pump-1' }) })),
  }))
  .next(awaitFiles);

app.synth();
