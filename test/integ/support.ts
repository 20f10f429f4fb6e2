/**
 * Shared pieces of the integration test apps (`integ.*.ts` in this folder): the stack every app deploys, SQS probes
 * that subscribe to the events a blueprint emits, stand-ins for the HTTP systems a blueprint calls, and the waits.
 *
 * This file is not an integ app (integ-runner only picks up `integ.*.ts`); the apps import it.
 */
import { ExpectedResult, IApiCall, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import {
  App,
  Aspects,
  CfnResource,
  Duration,
  IAspect,
  RemovalPolicy,
  Stack,
  StackProps,
  aws_events as events,
  aws_events_targets as targets,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { ReliableRoute } from '../../src/core/reliable-route';

/** How long an assertion waits for an asynchronous effect, and how often it looks. */
export const WAIT = { totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) };

/**
 * Removes what the blueprints retain by default (tables, log groups, keys, streams) when the test stack is
 * destroyed, so that a run leaves nothing behind. S3 buckets are left alone: a bucket that still holds objects
 * cannot be deleted by CloudFormation; the apps that write objects empty the bucket themselves or use
 * `autoDeleteObjects`.
 */
class DestroyOnDelete implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof CfnResource && node.cfnResourceType !== 'AWS::S3::Bucket') {
      node.applyRemovalPolicy(RemovalPolicy.DESTROY);
    }
  }
}

/** The stack under test: its resources are destroyed with it (see {@link DestroyOnDelete}). */
export function integStack(app: App, id: string, props: StackProps = {}): Stack {
  const stack = new Stack(app, id, props);
  Aspects.of(stack).add(new DestroyOnDelete());
  return stack;
}

/** The IntegTest of an app: no update workflow (each run deploys the current app from scratch). */
export function integTest(app: App, id: string, stack: Stack): IntegTest {
  return new IntegTest(app, id, {
    testCases: [stack],
    // The update workflow would first deploy the committed snapshot, then this app: twice the time for nothing here.
    stackUpdateWorkflow: false,
    diffAssets: false,
  });
}

/**
 * An SQS queue that receives, through a `ReliableRoute`, the events of `bus` that match `eventPattern`: how a test
 * sees the events a blueprint publishes.
 */
export function probeQueue(scope: Construct, id: string, bus: events.IEventBus, eventPattern: events.EventPattern): sqs.Queue {
  const queue = new sqs.Queue(scope, id, { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
  new ReliableRoute(scope, `${id}Route`, { eventBus: bus, eventPattern, targets: [new targets.SqsQueue(queue)], alarms: false });
  return queue;
}

/**
 * Receive messages of `queue` until one matches `message` (an integ-tests `Match` pattern of an SQS message).
 * Messages stay visible (`VisibilityTimeout: 0`), so every poll sees all of them.
 */
export function awaitMessage(integ: IntegTest, queue: sqs.IQueue, message: Record<string, unknown>): IApiCall {
  const receive = integ.assertions.awsApiCall('SQS', 'receiveMessage', {
    QueueUrl: queue.queueUrl,
    MaxNumberOfMessages: 10,
    VisibilityTimeout: 0,
    WaitTimeSeconds: 5,
    MessageAttributeNames: ['All'],
  });
  receive.expect(ExpectedResult.objectLike({ Messages: Match.arrayWith([Match.objectLike(message)]) }));
  return receive.waitForAssertions(WAIT);
}

/** Search the log group until a log line matches `messageRegexp`; `filterPattern` narrows the search. */
export function awaitLogLine(integ: IntegTest, logGroup: logs.ILogGroup, filterPattern: string, messageRegexp: string): IApiCall {
  const filter = integ.assertions.awsApiCall('CloudWatchLogs', 'filterLogEvents', {
    logGroupName: logGroup.logGroupName,
    filterPattern,
  });
  filter.expect(ExpectedResult.objectLike({ events: Match.arrayWith([Match.objectLike({ message: Match.stringLikeRegexp(messageRegexp) })]) }));
  return filter.waitForAssertions(WAIT);
}

/** Put one event on a bus and check that EventBridge accepted it. */
export function putEvent(integ: IntegTest, bus: events.IEventBus | undefined, source: string, detailType: string, detail: unknown): IApiCall {
  const put = integ.assertions.awsApiCall('EventBridge', 'putEvents', {
    Entries: [{
      ...(bus ? { EventBusName: bus.eventBusArn } : {}),
      Source: source,
      DetailType: detailType,
      Detail: JSON.stringify(detail),
    }],
  });
  put.expect(ExpectedResult.objectLike({ FailedEntryCount: 0 }));
  return put;
}

/**
 * A stand-in for the HTTP system a blueprint calls (a ticketing or marketing API): a Lambda function URL that answers
 * `201 {"ticketId": "INTEG-TICKET", "id": "INTEG-CONTACT"}` and writes one log line per request,
 * `RECORDED <method> <path> idempotency-key=<key> <body>`, to its own log group, where the test looks for it.
 *
 * It is the external system of the test, not a part of the blueprint under test: the blueprint's own handlers run
 * unchanged.
 */
export class HttpRecorder extends Construct {
  /** The base URL, ending in `/`. */
  public readonly url: string;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Log', { retention: logs.RetentionDays.ONE_DAY, removalPolicy: RemovalPolicy.DESTROY });
    const fn = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      timeout: Duration.seconds(10),
      logGroup: this.logGroup,
      code: lambda.Code.fromInline([
        'exports.handler = async (event) => {',
        '  const body = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");',
        '  const method = event.requestContext?.http?.method;',
        '  const key = event.headers?.["idempotency-key"] ?? "-";',
        '  console.log(`RECORDED ${method} ${event.rawPath} idempotency-key=${key} ${body}`);',
        '  return { statusCode: 201, headers: { "content-type": "application/json" }, body: JSON.stringify({ ticketId: "INTEG-TICKET", id: "INTEG-CONTACT" }) };',
        '};',
      ].join('\n')),
    });
    this.url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE }).url;
  }
}
