import { App, Duration, Stack, aws_events as events, aws_iam as iam, aws_sqs as sqs } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CentralEventBus, EventSpoke } from '../../src/core';
import { nagFindings } from '../nag';

const CENTRAL_ARN = 'arn:aws:events:eu-west-1:111111111111:event-bus/central';

function spokeStack(): Stack {
  return new Stack(new App(), 'Spoke', { env: { account: '333333333333', region: 'eu-west-1' } });
}

describe('CentralEventBus', () => {
  test('allows the named accounts and the organization to put events, with the SecureEventBus defaults', () => {
    const stack = new Stack(new App(), 'Platform', { env: { account: '111111111111', region: 'eu-west-1' } });
    new CentralEventBus(stack, 'Central', { eventBusName: 'central', organizationId: 'o-a1b2c3d4e5', sourceAccounts: ['333333333333'] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::EventBus', { Name: 'central' });
    t.hasResourceProperties('AWS::Events::EventBusPolicy', {
      StatementId: 'cdk-AllowOrganizationoa1b2c3d4e5',
      Statement: Match.objectLike({ Principal: { AWS: '*' }, Action: 'events:PutEvents', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
    });
    t.hasResourceProperties('AWS::Events::EventBusPolicy', {
      StatementId: 'cdk-AllowAccounts333333333333',
      Statement: Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::333333333333:root']] } }, Action: 'events:PutEvents' }),
    });
    t.resourceCountIs('AWS::Events::Archive', 1);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 2);
  });

  test('throws when nobody may forward to it', () => {
    const stack = new Stack(new App(), 'Platform');
    expect(() => new CentralEventBus(stack, 'Central', {})).toThrow(
      "CentralEventBus 'Platform/Central': organizationId or sourceAccounts must be given: a central bus needs to know who may forward events to it");
    expect(() => new CentralEventBus(new Stack(new App(), 'P2'), 'Central', { sourceAccounts: [] })).toThrow(/organizationId or sourceAccounts must be given/);
  });

  test('throws on a malformed account or organization ID', () => {
    expect(() => new CentralEventBus(new Stack(new App(), 'P'), 'Central', { sourceAccounts: ['12345'] })).toThrow(/must be 12-digit AWS account IDs, got "12345"/);
    expect(() => new CentralEventBus(new Stack(new App(), 'P'), 'Central', { organizationId: 'org-1' })).toThrow(/must be an AWS Organizations ID like "o-a1b2c3d4e5".*got "org-1"/);
  });
});

describe('EventSpoke', () => {
  const stack = spokeStack();
  const central = events.EventBus.fromEventBusArn(stack, 'Central', CENTRAL_ARN);
  const spoke = new EventSpoke(stack, 'ToCentral', { centralEventBus: central, eventPattern: { source: ['com.example.orders'] } });
  const t = Template.fromStack(stack);

  test('a rule on the default bus targets the central bus with a role, a retry policy and a dead-letter queue', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['com.example.orders'] },
      Targets: [Match.objectLike({
        Arn: CENTRAL_ARN,
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ToCentralRole'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ToCentralRouteDeadLetterQueue'), 'Arn'] } },
      })],
    });
    expect(t.findResources('AWS::Events::Rule')[Object.keys(t.findResources('AWS::Events::Rule'))[0]].Properties.EventBusName).toBeUndefined();
  });

  test('the role may only put events on the central bus and only EventBridge of this account assumes it', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '333333333333' } },
        })],
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: CENTRAL_ARN }] },
    });
    t.resourceCountIs('AWS::IAM::Policy', 1);
  });

  test('the dead-letter queue is encrypted and alarmed', () => {
    t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    expect(spoke.deadLetterQueueAlarm).toBeDefined();
    t.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  });

  test('overrides: local bus, role, retry policy, dead-letter queue, no alarms', () => {
    const s = spokeStack();
    const local = new events.EventBus(s, 'Local', { eventBusName: 'local' });
    const role = new iam.Role(s, 'MyRole', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    const dlq = new sqs.Queue(s, 'MyDlq', { enforceSSL: true });
    new EventSpoke(s, 'ToCentral', {
      centralEventBus: events.EventBus.fromEventBusArn(s, 'Central', CENTRAL_ARN),
      eventPattern: { source: ['x'] },
      eventBus: local,
      role,
      deadLetterQueue: dlq,
      retryAttempts: 3,
      maxEventAge: Duration.hours(1),
      alarms: false,
      ruleName: 'to-central',
    });
    const tt = Template.fromStack(s);
    tt.hasResourceProperties('AWS::Events::Rule', {
      Name: 'to-central',
      EventBusName: { Ref: Match.stringLikeRegexp('^Local') },
      Targets: [Match.objectLike({
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyRole'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyDlq'), 'Arn'] } },
      })],
    });
    tt.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('throws when the central bus is the spoke\'s own bus', () => {
    const s = spokeStack();
    const local = new events.EventBus(s, 'Local', { eventBusName: 'local' });
    expect(() => new EventSpoke(s, 'Loop', { centralEventBus: local, eventBus: local, eventPattern: { source: ['x'] } })).toThrow(
      "EventSpoke 'Spoke/Loop': centralEventBus is the spoke's own eventBus (Spoke/Local): a spoke forwards to another bus");
  });

  test('cdk-nag AwsSolutions and Serverless find nothing unacknowledged', () => {
    const app = new App();
    const s = new Stack(app, 'Nag', { env: { account: '333333333333', region: 'eu-west-1' } });
    new EventSpoke(s, 'ToCentral', { centralEventBus: events.EventBus.fromEventBusArn(s, 'Central', CENTRAL_ARN), eventPattern: { source: ['x'] } });
    const p = new Stack(app, 'Platform', { env: { account: '111111111111', region: 'eu-west-1' } });
    new CentralEventBus(p, 'Central', { eventBusName: 'central', sourceAccounts: ['333333333333'] });
    expect(nagFindings(s)).toEqual([]);
    expect(nagFindings(p)).toEqual([]);
  });
});
