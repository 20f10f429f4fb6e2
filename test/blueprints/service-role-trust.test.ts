import { App, Stack, Stage, aws_iam as iam } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addExampleStacks } from '../../examples/stacks';
import { guardServiceRoleTrust } from '../../src/private/service-role-trust';

const SERVICES = ['events.amazonaws.com', 'pipes.amazonaws.com', 'firehose.amazonaws.com'];

/** Every role of every stack of the example app (its Stages included) that one of SERVICES assumes. */
function serviceRoles(): Array<{ stack: string; role: string; service: string; condition: any }> {
  const app = new App();
  addExampleStacks(app);
  const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  const roles: Array<{ stack: string; role: string; service: string; condition: any }> = [];
  for (const stack of stacks) {
    const resources = Template.fromStack(stack).findResources('AWS::IAM::Role');
    for (const [role, resource] of Object.entries<any>(resources)) {
      for (const statement of resource.Properties.AssumeRolePolicyDocument.Statement) {
        const service = statement.Principal?.Service;
        if (SERVICES.includes(service)) {
          roles.push({ stack: stack.node.path, role, service, condition: statement.Condition });
        }
      }
    }
  }
  return roles;
}

describe('roles that EventBridge, Pipes and Firehose assume', () => {
  const roles = serviceRoles();

  test('the example app has them: target roles of aws-cdk-lib, Firehose destinations, pipes and our own', () => {
    expect(new Set(roles.map((r) => r.service))).toEqual(new Set(SERVICES));
    expect(roles.length).toBeGreaterThanOrEqual(15);
  });

  test('every one is tied to its own account in its trust policy', () => {
    const open = roles.filter((r) => {
      const c = r.condition ?? {};
      const keys = Object.values<any>(c).flatMap((byKey) => Object.keys(byKey));
      return !keys.some((k) => ['aws:SourceAccount', 'aws:SourceArn', 'sts:ExternalId'].includes(k));
    });
    expect(open).toEqual([]);
  });
});

describe('guardServiceRoleTrust', () => {
  test('adds the account condition to a statement without one, and leaves a written condition alone', () => {
    const stack = new Stack(new Stage(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Trust');
    new iam.Role(stack, 'Events', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    new iam.Role(stack, 'Firehose', { assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com') });
    new iam.Role(stack, 'Lambda', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new iam.Role(stack, 'Written', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:111111111111:rule/x' } } }),
    });
    guardServiceRoleTrust(stack);
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    const conditionOf = (prefix: string) => Object.entries<any>(roles).find(([id]) => id.startsWith(prefix))![1]
      .Properties.AssumeRolePolicyDocument.Statement[0].Condition;
    expect(conditionOf('Events')).toEqual({ StringEquals: { 'aws:SourceAccount': '111111111111' } });
    expect(conditionOf('Firehose')).toEqual({ StringEquals: { 'sts:ExternalId': '111111111111' } });
    expect(conditionOf('Lambda')).toBeUndefined();
    expect(conditionOf('Written')).toEqual({ ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:111111111111:rule/x' } });
  });
});
