import {
  ArnFormat,
  Stack,
  aws_events as events,
  aws_iam as iam,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ReliableRoute } from '../../core/reliable-route';

/**
 * The construct id of the one CloudWatch Logs resource policy per stack, shared by every blueprint that targets a
 * log group. The id (and so the logical ID) is the one the cloudtrail-audit blueprint, its first user, gave it:
 * deployed stacks keep their policy.
 */
const LOGS_RESOURCE_POLICY_ID = 'CloudTrailAuditLogsResourcePolicy';

/**
 * A CloudWatch Logs log group as a rule target, WITHOUT a resource policy of its own.
 *
 * aws-cdk-lib's `targets.CloudWatchLogGroup` creates, for every rule it is bound to, an `AwsCustomResource` (a
 * Lambda function and a `Custom::CloudwatchLogResourcePolicy`) that calls `PutResourcePolicy` with a policy of its
 * own; CloudWatch Logs allows only 10 resource policies per account and region. This target leaves the policy to
 * {@link allowEventBridgeToWrite}, which keeps a single native `AWS::Logs::ResourcePolicy` per stack.
 */
export class LogGroupTarget implements events.IRuleTarget {
  constructor(private readonly logGroup: logs.ILogGroup) {}

  public bind(_rule: events.IRuleRef, _id?: string): events.RuleTargetConfig {
    return {
      arn: Stack.of(this.logGroup).formatArn({
        service: 'logs',
        resource: 'log-group',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: this.logGroup.logGroupName,
      }),
      targetResource: this.logGroup,
    };
  }
}

/**
 * Lets the rules of `route` (and only them: `aws:SourceArn` and `aws:SourceAccount` conditions) write to
 * `logGroup`, through the one CloudWatch Logs resource policy of `scope`'s stack (created on first use, one
 * statement per log group).
 */
export function allowEventBridgeToWrite(scope: Construct, logGroup: logs.ILogGroup, route: ReliableRoute): logs.ResourcePolicy {
  const stack = Stack.of(scope);
  const policy = (stack.node.tryFindChild(LOGS_RESOURCE_POLICY_ID) as logs.ResourcePolicy | undefined)
    ?? new logs.ResourcePolicy(stack, LOGS_RESOURCE_POLICY_ID);
  policy.document.addStatements(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    // logGroupArn ends with ":*", which covers the group's log streams.
    resources: [logGroup.logGroupArn],
    conditions: {
      ArnEquals: { 'aws:SourceArn': route.rules.length === 1 ? route.rule.ruleArn : route.rules.map((rule) => rule.ruleArn) },
      StringEquals: { 'aws:SourceAccount': stack.account },
    },
  }));
  return policy;
}
