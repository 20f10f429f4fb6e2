import {
  CfnResource,
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  Validations,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_lambda_destinations as destinations,
  aws_logs as logs,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { createDeadLetterQueue } from './dead-letter';

/**
 * What a blueprint's default function needs besides its code.
 */
export interface BlueprintFunctionSettings {
  /** The Powertools service name (also used in the log group's name-less description). */
  readonly serviceName: string;
  /** Environment variables of the handler. */
  readonly environment: { [key: string]: string };
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The pieces created for a blueprint's default function, and the options to pass to the projen-generated
 * function class (`new XyzFunction(scope, id, result.options)`).
 */
export interface BlueprintFunctionParts<T extends lambda.Function> {
  readonly function: T;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The on-failure destination of asynchronous invocations that failed after Lambda's own retries. */
  readonly deadLetterQueue: sqs.Queue;
}

/**
 * Creates the role, log group and asynchronous-invocation dead-letter queue of a blueprint's default function,
 * with our defaults: a role with only what the function needs (no managed policies), a log group kept one year,
 * X-Ray tracing, 256 MB, 30 s, JSON logs, Powertools settings, and a dead-letter queue for failed asynchronous
 * invocations (EventBridge invokes Lambda asynchronously).
 */
export function createBlueprintFunction<T extends lambda.Function>(
  scope: Construct,
  id: string,
  settings: BlueprintFunctionSettings,
  create: (scope: Construct, id: string, options: lambda.FunctionOptions) => T,
): BlueprintFunctionParts<T> {
  const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
    retention: settings.logRetention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${scope.node.path}/${id}`,
  });
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  const deadLetterQueue = createDeadLetterQueue(scope, `${id}DeadLetterQueue`);

  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'The only wildcards are the log streams of the function\'s own log group (Lambda names them) and X-Ray '
      + 'PutTraceSegments/PutTelemetryRecords, which support no resource-level permissions.',
  });

  const fn = create(scope, id, {
    role,
    logGroup,
    tracing: lambda.Tracing.ACTIVE,
    memorySize: settings.memorySize ?? 256,
    timeout: settings.timeout ?? Duration.seconds(30),
    loggingFormat: lambda.LoggingFormat.JSON,
    onFailure: new destinations.SqsDestination(deadLetterQueue),
    retryAttempts: 2,
    environment: {
      POWERTOOLS_SERVICE_NAME: settings.serviceName,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      ...settings.environment,
    },
  });
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: 'Failed asynchronous invocations go to an SQS on-failure destination, which supersedes a Lambda '
      + 'dead-letter queue and also records the error.',
  });
  dropRedundantRoleDependency(fn, role);
  return { function: fn, role, logGroup, deadLetterQueue };
}

/**
 * Drops the function's `DependsOn` on its role, which aws-cdk-lib's `Function` always adds although the function
 * already references the role with `Fn::GetAtt` (cfn-lint W3005). Every other dependency, the role's default
 * policy included (so that the function is only created once it may do its job), is kept.
 */
function dropRedundantRoleDependency(fn: lambda.Function, role: iam.Role): void {
  const cfnFunction = fn.node.defaultChild as CfnResource;
  const cfnRole = role.node.defaultChild as CfnResource;
  cfnFunction.addOverride('DependsOn', Lazy.list({
    produce: () => {
      const ids = cfnFunction.obtainDependencies()
        .filter((dep): dep is CfnResource => dep instanceof CfnResource && dep !== cfnRole)
        .map((dep) => Stack.of(dep).resolve(dep.logicalId) as string)
        .sort();
      return ids.length > 0 ? ids : undefined;
    },
  }));
}
