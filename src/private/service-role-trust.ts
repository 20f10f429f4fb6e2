import { Aspects, IAspect, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { rewriteStatements } from './policy-statements';

/**
 * The condition that ties a role to its own account, by the service that assumes it: what the service's
 * confused-deputy guidance documents for trust policies.
 * - EventBridge (rule targets, API destinations, Pipes): `aws:SourceAccount`
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html).
 * - Firehose: `sts:ExternalId` set to the account, the condition its role examples carry
 *   (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3).
 */
const ACCOUNT_CONDITIONS: Record<string, (account: string) => Record<string, Record<string, string>>> = {
  'events.amazonaws.com': (account) => ({ StringEquals: { 'aws:SourceAccount': account } }),
  'pipes.amazonaws.com': (account) => ({ StringEquals: { 'aws:SourceAccount': account } }),
  'firehose.amazonaws.com': (account) => ({ StringEquals: { 'sts:ExternalId': account } }),
};

/**
 * Gives every role below `scope` that EventBridge, Pipes or Firehose assumes, and whose trust statement has no
 * condition, the account condition above: roles that aws-cdk-lib creates for targets (`EventsRole` of a Kinesis,
 * Firehose, Step Functions or API destination target) and for Firehose destinations carry none. A statement that
 * already has a condition is left as its author wrote it.
 */
export function guardServiceRoleTrust(scope: IConstruct): void {
  Aspects.of(scope).add(new ServiceRoleTrust());
}

class ServiceRoleTrust implements IAspect {
  public visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnRole)) {
      return;
    }
    const account = Stack.of(node).account;
    const document = rewriteStatements(node, node.assumeRolePolicyDocument, (statement) => {
      const service = statement?.Principal?.Service;
      const condition = typeof service === 'string' ? ACCOUNT_CONDITIONS[service] : undefined;
      return statement?.Effect === 'Allow' && statement.Condition === undefined && condition
        ? { ...statement, Condition: Stack.of(node).resolve(condition(account)) } : statement;
    });
    if (document !== undefined) {
      node.assumeRolePolicyDocument = document;
    }
  }
}
