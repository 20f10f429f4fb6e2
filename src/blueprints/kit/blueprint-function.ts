import {
  CfnResource,
  Duration,
  RemovalPolicy,
  Token,
  Validations,
  aws_cloudwatch as cloudwatch,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_lambda_destinations as destinations,
  aws_logs as logs,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkAlarmOptions } from '../../private/alarm-options';
import { createQueueNotEmptyAlarm } from '../../private/alarms';
import { createDeadLetterQueue } from '../../private/dead-letter';
import { propError, show } from '../../private/errors';
import { checkLogRetention } from '../../private/log-checks';
import { dropRedundantRoleDependency } from '../../private/role-dependency';

const TYPE = 'BlueprintFunction';

/**
 * Properties of a {@link BlueprintFunction}.
 */
export interface BlueprintFunctionProps {
  /**
   * The function's code, e.g. `lambda.Code.fromAsset('dist/my-handler')`.
   */
  readonly code: lambda.Code;

  /**
   * The handler, `<file>.<export>`.
   *
   * @default 'index.handler'
   */
  readonly handler?: string;

  /**
   * The runtime.
   *
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;

  /**
   * The service name of the function's logs, traces and metrics (`POWERTOOLS_SERVICE_NAME`).
   */
  readonly serviceName: string;

  /**
   * A description of the function.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Environment variables of the function.
   *
   * @default - only the Powertools settings (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_LOG_LEVEL=INFO`)
   */
  readonly environment?: { [key: string]: string };

  /**
   * How long an invocation may run.
   *
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;

  /**
   * Memory of the function, in MB (128 to 10240).
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * How long the function's log group keeps its logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The function's reserved concurrency: at most this many instances run at once, which protects the systems
   * it calls; events beyond it are throttled, and EventBridge (then Lambda's asynchronous queue) retries them.
   *
   * No reservation is the default because Lambda refuses a reservation that would leave the account's
   * unreserved concurrency below its minimum of 100, and new accounts often have a total concurrency of 10:
   * a default reservation would make the first deployment in such an account fail. Set it once your account's
   * concurrency quota allows it (1 or more).
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   * @default - no reserved concurrency: the function shares the account's unreserved pool
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * How many times Lambda retries a failed asynchronous invocation (0 to 2) before sending it to the
   * on-failure queue. EventBridge invokes Lambda asynchronously.
   *
   * @default 2
   */
  readonly retryAttempts?: number;

  /**
   * The maximum age of an asynchronous invocation that Lambda still runs (1 minute to 6 hours); older ones go
   * to the on-failure queue.
   *
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;

  /**
   * Whether to create an alarm that fires when the on-failure queue holds a message (an invocation failed
   * after Lambda's retries).
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * Actions to run when the on-failure alarm goes into ALARM.
   * Cannot be combined with `alarms: false`, which creates no alarm to act on (a synth error).
   *
   * @default - no actions
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * A Lambda function with the defaults of our blueprints, for the blueprints' default functions and for your own
 * consumers: its own least-privilege role (no managed policies), a log group kept one year, JSON logs, X-Ray
 * tracing, 256 MB, 30 seconds, and failed asynchronous invocations sent to an encrypted SQS on-failure queue
 * **with an alarm** that follows `alarms` / `alarmActions`. The cdk-nag acknowledgements of these choices are made
 * here, once.
 */
export class BlueprintFunction extends Construct implements iam.IGrantable {
  /** The function. */
  public readonly function: lambda.Function;

  /** The function's execution role. */
  public readonly role: iam.Role;

  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;

  /** Where failed asynchronous invocations go after Lambda's retries (the function's on-failure destination). */
  public readonly onFailureQueue: sqs.Queue;

  /** The alarm on `onFailureQueue` (unless `alarms: false`). */
  public readonly onFailureAlarm?: cloudwatch.Alarm;

  /** The principal to grant permissions to: the function's role. */
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: BlueprintFunctionProps) {
    super(scope, id);
    checkProps(this, props);
    checkAlarmOptions(this, TYPE, props.alarms, props.alarmActions);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = this.createRole(this.logGroup);
    this.grantPrincipal = this.role;
    this.onFailureQueue = createDeadLetterQueue(this, 'OnFailureQueue');

    const retryAttempts = props.retryAttempts ?? 2;
    this.function = new lambda.Function(this, 'Resource', {
      code: props.code,
      handler: props.handler ?? 'index.handler',
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      onFailure: new destinations.SqsDestination(this.onFailureQueue),
      // aws-cdk-lib before 2.262.0 range-checks a token too (and throws): a token goes onto the L1 below instead.
      retryAttempts: Token.isUnresolved(retryAttempts) ? undefined : retryAttempts,
      maxEventAge: props.maxEventAge,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Failed asynchronous invocations go to an SQS on-failure destination, which supersedes a Lambda '
        + 'dead-letter queue and also records the error.',
    });
    dropRedundantRoleDependency(this.function.node.defaultChild as CfnResource, this.role);
    if (Token.isUnresolved(retryAttempts)) {
      (this.function.node.findChild('EventInvokeConfig').node.defaultChild as CfnResource)
        .addPropertyOverride('MaximumRetryAttempts', retryAttempts);
    }

    if (props.alarms ?? true) {
      this.onFailureAlarm = createQueueNotEmptyAlarm(this, 'OnFailureAlarm', this.onFailureQueue,
        `Invocations of ${this.node.path} failed after Lambda's retries; the events wait in its on-failure queue.`,
        props.alarmActions);
    }
  }

  /** The execution role: writes to the function's own log group only (and X-Ray, added by Lambda's tracing). */
  private createRole(logGroup: logs.ILogGroup): iam.Role {
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The only wildcards are the log streams of the function\'s own log group (Lambda names them) and X-Ray '
        + 'PutTraceSegments/PutTelemetryRecords, which support no resource-level permissions.',
    });
    return role;
  }

  /**
   * Adds an environment variable to the function.
   *
   * @param key the variable's name
   * @param value its value
   */
  public addEnvironment(key: string, value: string): void {
    this.function.addEnvironment(key, value);
  }
}

function checkProps(scope: Construct, props: BlueprintFunctionProps): void {
  const reserved = props.reservedConcurrentExecutions;
  if (reserved !== undefined && !Token.isUnresolved(reserved) && (!Number.isInteger(reserved) || reserved < 1)) {
    throw propError(scope, TYPE, 'reservedConcurrentExecutions',
      `must be a whole number of 1 or more (0 would throttle every invocation into the on-failure queue), got ${show(reserved)}`);
  }
  const retries = props.retryAttempts;
  if (retries !== undefined && !Token.isUnresolved(retries) && (!Number.isInteger(retries) || retries < 0 || retries > 2)) {
    throw propError(scope, TYPE, 'retryAttempts', `must be 0, 1 or 2 (Lambda's asynchronous retries), got ${show(retries)}`);
  }
  const age = props.maxEventAge;
  if (age !== undefined && !Token.isUnresolved(age.toSeconds())) {
    const seconds = age.toSeconds();
    if (seconds < 60 || seconds > 6 * 3600) {
      throw propError(scope, TYPE, 'maxEventAge', `must be between 1 minute and 6 hours, got ${seconds} seconds`);
    }
  }
  const memory = props.memorySize;
  if (memory !== undefined && !Token.isUnresolved(memory) && (!Number.isInteger(memory) || memory < 128 || memory > 10_240)) {
    throw propError(scope, TYPE, 'memorySize', `must be a whole number of MB between 128 and 10240, got ${show(memory)}`);
  }
  checkLogRetention(scope, TYPE, 'logRetention', props.logRetention);
  if (props.serviceName !== undefined && !Token.isUnresolved(props.serviceName) && props.serviceName.trim() === '') {
    throw propError(scope, TYPE, 'serviceName', 'must not be empty');
  }
}
