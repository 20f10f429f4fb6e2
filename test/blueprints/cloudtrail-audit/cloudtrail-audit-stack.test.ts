import { App, Stack, aws_events as events } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudTrailAudit, CloudTrailAuditStack } from '../../../src/blueprints/cloudtrail-audit';
import { stableTemplate } from '../../helpers';
import { nagFindings } from '../../nag';

const ENV = { account: '111111111111', region: 'us-east-1' };

describe('CloudTrailAuditStack with its defaults', () => {
  let stack: CloudTrailAuditStack;
  beforeAll(() => {
    stack = new CloudTrailAuditStack(new App(), 'CloudTrailAudit', { env: ENV });
  });

  test('holds the blueprint with the construct id CloudTrailAudit', () => {
    expect(stack.blueprint).toBeInstanceOf(CloudTrailAudit);
    expect(stack.blueprint.node.id).toBe('CloudTrailAudit');
    expect(stack.blueprint.node.scope).toBe(stack);
    expect(stack.region).toBe('us-east-1');
  });

  test('has zero unacknowledged cdk-nag findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('synthesizes the expected template', () => {
    Template.fromStack(stack).resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});

describe('CloudTrailAuditStack with a trail, read-only events and a central audit bus', () => {
  test('has zero unacknowledged cdk-nag findings', () => {
    const app = new App();
    const imports = new Stack(new App(), 'Imports', { env: ENV });
    const stack = new CloudTrailAuditStack(app, 'FullAudit', {
      env: ENV,
      createTrail: true,
      includeReadOnlyEvents: true,
      centralAuditBus: events.EventBus.fromEventBusArn(imports, 'Central', 'arn:aws:events:us-east-1:222222222222:event-bus/audit'),
    });
    expect(nagFindings(stack)).toEqual([]);
    Template.fromStack(stack).resourceCountIs('AWS::CloudTrail::Trail', 1);
  });
});
