import { App, CfnParameter, Duration, Stack, aws_cloudwatch_actions as actions, aws_events as events, aws_iam as iam, aws_kms as kms, aws_sns as sns, aws_sqs as sqs } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CentralEventBus, SecureEventBus } from '../../src/core';
import { stableTemplate } from '../helpers';

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
}

describe('SecureEventBus defaults', () => {
  let template: Template;
  let bus: SecureEventBus;
  let stack: Stack;
  beforeAll(() => {
    stack = newStack();
    bus = new SecureEventBus(stack, 'Bus');
    template = Template.fromStack(stack);
  });

  test('creates one event bus without a CMK or bus-level dead-letter queue', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const [props] = Object.values(template.findResources('AWS::Events::EventBus')).map((r) => r.Properties);
    expect(props.KmsKeyIdentifier).toBeUndefined();
    expect(props.DeadLetterConfig).toBeUndefined();
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(bus.encryptionKey).toBeUndefined();
    expect(bus.deadLetterQueue).toBeUndefined();
  });

  test('archives every event for 30 days', () => {
    template.resourceCountIs('AWS::Events::Archive', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] },
      RetentionDays: 30,
      EventPattern: Match.absent(),
      KmsKeyIdentifier: Match.absent(),
    });
    expect(bus.defaultArchive).toBeDefined();
  });

  test('alarms on failed and dead-lettered invocations summed over the bus', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    for (const metric of ['FailedInvocations', 'InvocationsSentToDlq']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Metrics: [Match.objectLike({
          Expression: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`SELECT SUM\\(${metric}\\) FROM SCHEMA\\("AWS/Events", EventBusName, RuleName\\)`)])] },
        })],
      });
    }
  });

  test('has no resource policy until one is asked for', () => {
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  test('matches the snapshot (asset hashes normalized)', () => {
    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});

describe('SecureEventBus with a customer-managed key', () => {
  let template: Template;
  let bus: SecureEventBus;
  beforeAll(() => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    bus = new SecureEventBus(stack, 'Bus', { kmsKey: key, eventBusName: 'orders' });
    template = Template.fromStack(stack);
  });

  test('encrypts the bus and the archive with the key', () => {
    template.hasResourceProperties('AWS::Events::EventBus', {
      KmsKeyIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Events::Archive', {
      KmsKeyIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
  });

  test('lets EventBridge use the key for the archive, bound to the bus by encryption context', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowEventBridgeArchives',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncrypt*', 'kms:DescribeKey'],
          Condition: {
            StringEquals: {
              'aws:SourceAccount': '111111111111',
              'kms:EncryptionContext:aws:events:event-bus:arn': {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:111111111111:event-bus/orders']],
              },
            },
          },
        })]),
      },
    });
  });

  test('creates an encrypted bus-level dead-letter queue that only this bus may write to', () => {
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    template.hasResourceProperties('AWS::Events::EventBus', {
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BusDeadLetterQueue'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Sid: 'AllowEventBusDeadLetters',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] } } },
          }),
        ]),
      },
    });
    expect(bus.deadLetterQueue).toBeDefined();
  });

  test('alarms when the bus-level dead-letter queue is not empty', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BusDeadLetterQueue'), 'QueueName'] } }],
    });
  });

  test('exposes the key', () => {
    expect(bus.encryptionKey).toBeDefined();
  });
});

describe('SecureEventBus overrides', () => {
  test('archive retention, name and pattern can be set', () => {
    const stack = newStack();
    new SecureEventBus(stack, 'Bus', {
      archiveRetention: Duration.days(90),
      archiveName: 'orders-archive',
      archiveEventPattern: { source: ['com.example.orders'], detailType: ['OrderPlaced'] },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Archive', {
      RetentionDays: 90,
      ArchiveName: 'orders-archive',
      EventPattern: { 'source': ['com.example.orders'], 'detail-type': ['OrderPlaced'] },
    });
  });

  test('Duration.days(0) keeps archived events indefinitely', () => {
    const stack = newStack();
    new SecureEventBus(stack, 'Bus', { archiveRetention: Duration.days(0) });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Archive', { RetentionDays: 0 });
  });

  test('the archive can be turned off', () => {
    const stack = newStack();
    const bus = new SecureEventBus(stack, 'Bus', { archive: false });
    Template.fromStack(stack).resourceCountIs('AWS::Events::Archive', 0);
    expect(bus.defaultArchive).toBeUndefined();
  });

  test('alarms can be turned off', () => {
    const stack = newStack();
    new SecureEventBus(stack, 'Bus', { alarms: false, kmsKey: new kms.Key(stack, 'Key') });
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('alarm actions apply to every alarm', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    new SecureEventBus(stack, 'Bus', { kmsKey: new kms.Key(stack, 'Key'), alarmActions: [new actions.SnsAction(topic)] });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
    }
  });

  test('a given bus-level dead-letter queue is used instead of a new one', () => {
    const stack = newStack();
    const dlq = new sqs.Queue(stack, 'MyDlq', { enforceSSL: true });
    const bus = new SecureEventBus(stack, 'Bus', { kmsKey: new kms.Key(stack, 'Key'), deadLetterQueue: dlq });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::Events::EventBus', {
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyDlq'), 'Arn'] } },
    });
    expect(bus.deadLetterQueue).toBe(dlq);
  });

  test('a dead-letter queue can be given without a key', () => {
    const stack = newStack();
    new SecureEventBus(stack, 'Bus', { deadLetterQueue: new sqs.Queue(stack, 'MyDlq') });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::EventBus', { DeadLetterConfig: Match.anyValue() });
  });

  test('name, description and log configuration are passed through', () => {
    const stack = newStack();
    new SecureEventBus(stack, 'Bus', {
      eventBusName: 'orders',
      description: 'Order events',
      logConfig: { level: events.Level.ERROR, includeDetail: events.IncludeDetail.FULL },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::EventBus', {
      Name: 'orders',
      Description: 'Order events',
      LogConfig: { Level: 'ERROR', IncludeDetail: 'FULL' },
    });
  });

  test('an additional archive() keeps its kmsKey (aws/aws-cdk#38298)', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const bus = new SecureEventBus(stack, 'Bus', { archive: false });
    bus.archive('Extra', { eventPattern: { source: ['a'] }, kmsKey: key, retention: Duration.days(7) });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Archive', {
      KmsKeyIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      RetentionDays: 7,
    });
  });

  test('a second archive with the bus key adds no second key-policy statement', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const bus = new SecureEventBus(stack, 'Bus', { kmsKey: key });
    bus.archive('Extra', { eventPattern: { source: ['a'] }, kmsKey: key });
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key')).map((r) => r.Properties.KeyPolicy);
    expect(policy.Statement.filter((st: any) => st.Sid === 'AllowEventBridgeArchives')).toHaveLength(1);
  });

  test('warns when an imported key cannot be given the archive policy', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new SecureEventBus(stack, 'Bus', { kmsKey: key });
    Annotations.fromStack(stack).hasWarning('/Test/Bus', Match.stringLikeRegexp('archive key is imported'));
  });
});

describe('SecureEventBus validation', () => {
  test('throws when archive retention is not whole days', () => {
    const stack = newStack();
    expect(() => new SecureEventBus(stack, 'Bus', { archiveRetention: Duration.hours(36) }))
      .toThrow("SecureEventBus 'Test/Bus': archiveRetention must be a whole number of days, got 1 day 12 hours");
  });

  test('throws when the archive name is invalid', () => {
    const stack = newStack();
    expect(() => new SecureEventBus(stack, 'Bus', { archiveName: 'has space' }))
      .toThrow(/archiveName must be 1 to 48 characters of letters, digits, ".", "-" or "_", got "has space"/);
  });

  test('does not validate a token archive name', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'Name').valueAsString;
    expect(() => new SecureEventBus(stack, 'Bus', { archiveName: name })).not.toThrow();
  });

  test('throws when archive settings are given with archive: false', () => {
    const stack = newStack();
    expect(() => new SecureEventBus(stack, 'Bus', { archive: false, archiveRetention: Duration.days(1) }))
      .toThrow(/archive is false, so archiveRetention, archiveName and archiveEventPattern cannot be set/);
  });

  test('throws when the dead-letter queue is FIFO', () => {
    const stack = newStack();
    const fifo = new sqs.Queue(stack, 'Fifo', { fifo: true });
    expect(() => new SecureEventBus(stack, 'Bus', { deadLetterQueue: fifo }))
      .toThrow(/SecureEventBus 'Test\/Bus': deadLetterQueue must be a standard SQS queue .*got FIFO queue "Test\/Fifo"/);
  });

  test('throws when the dead-letter queue is in another region', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
    const other = new Stack(app, 'Other', { env: { account: '111111111111', region: 'us-east-1' } });
    const queue = new sqs.Queue(other, 'Far');
    expect(() => new SecureEventBus(stack, 'Bus', { deadLetterQueue: queue }))
      .toThrow(/deadLetterQueue must be a queue in the rule's region \(eu-west-1\), got a queue in us-east-1/);
  });
});

describe('SecureEventBus resource policies', () => {
  let template: Template;
  beforeAll(() => {
    const stack = newStack();
    const bus = new SecureEventBus(stack, 'Bus', { archive: false, alarms: false });
    bus.allowPutEventsFromAccounts(['222222222222', '333333333333']);
    bus.allowPutEventsFromOrganization('o-a1b2c3d4e5');
    bus.allowPutEventsFromServicePrincipal('pipes.amazonaws.com');
    bus.allowPutEventsFromServicePrincipal('scheduler.amazonaws.com', {
      sourceAccount: '444444444444',
      sourceArn: 'arn:aws:scheduler:eu-west-1:444444444444:schedule/default/nightly',
    });
    template = Template.fromStack(stack);
  });

  test('accounts are named principals', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Principal: {
          AWS: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::333333333333:root']] },
          ],
        },
      }),
    });
  });

  test('an organization is "*" only with aws:PrincipalOrgID', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Principal: { AWS: '*' },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      }),
    });
  });

  test('a service principal gets aws:SourceAccount (the bus account by default) and optionally aws:SourceArn', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Principal: { Service: 'pipes.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
      }),
    });
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '444444444444' },
          ArnEquals: { 'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:444444444444:schedule/default/nightly' },
        },
      }),
    });
  });

  test('no statement has an open principal without a condition', () => {
    const policies = Object.values(template.findResources('AWS::Events::EventBusPolicy'));
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      const statement = policy.Properties.Statement;
      const open = statement.Principal === '*' || statement.Principal?.AWS === '*';
      expect(open && statement.Condition === undefined).toBe(false);
    }
  });

  test('throws on an open principal without a condition', () => {
    const stack = newStack();
    const bus = new SecureEventBus(stack, 'Bus');
    expect(() => bus.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'Open', principals: [new iam.AnyPrincipal()], actions: ['events:PutEvents'], resources: [bus.eventBusArn],
    }))).toThrow(/resource policy statement "Open" allows every principal \("\*"\) without a condition/);
  });

  test('throws on invalid account IDs, organization IDs and service principals', () => {
    const stack = newStack();
    const bus = new SecureEventBus(stack, 'Bus');
    expect(() => bus.allowPutEventsFromAccounts(['12345'])).toThrow(/allowPutEventsFromAccounts\(accountIds\) must be 12-digit AWS account IDs, got "12345"/);
    expect(() => bus.allowPutEventsFromAccounts([])).toThrow(/must name at least one account, got \[\]/);
    expect(() => bus.allowPutEventsFromOrganization('org-1')).toThrow(/must be an AWS Organizations ID like "o-a1b2c3d4e5" .*got "org-1"/);
    expect(() => bus.allowPutEventsFromServicePrincipal('*')).toThrow(/must be a service principal such as "pipes.amazonaws.com", got "\*"/);
    expect(() => bus.allowPutEventsFromServicePrincipal('pipes.amazonaws.com', { sourceAccount: 'me' }))
      .toThrow(/options.sourceAccount\) must be a 12-digit AWS account ID, got "me"/);
  });

  test('grantPutEvents grants events:PutEvents on the bus', () => {
    const stack = newStack();
    const bus = new SecureEventBus(stack, 'Bus');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    bus.grantPutEvents(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] } }] },
    });
  });

  test('allowAccounts, allowOrganization and allowServicePrincipal write the same statements as their deprecated aliases', () => {
    const render = (allow: (bus: SecureEventBus) => void) => {
      const stack = newStack();
      allow(new SecureEventBus(stack, 'Bus', { archive: false, alarms: false }));
      return Template.fromStack(stack).findResources('AWS::Events::EventBusPolicy');
    };
    const options = { sourceAccount: '444444444444', sourceArn: 'arn:aws:scheduler:eu-west-1:444444444444:schedule/default/nightly' };
    const current = render((bus) => {
      bus.allowAccounts(['222222222222', '333333333333']);
      bus.allowOrganization('o-a1b2c3d4e5');
      bus.allowServicePrincipal('pipes.amazonaws.com');
      bus.allowServicePrincipal('scheduler.amazonaws.com', options);
    });
    const deprecated = render((bus) => {
      bus.allowPutEventsFromAccounts(['222222222222', '333333333333']);
      bus.allowPutEventsFromOrganization('o-a1b2c3d4e5');
      bus.allowPutEventsFromServicePrincipal('pipes.amazonaws.com');
      bus.allowPutEventsFromServicePrincipal('scheduler.amazonaws.com', options);
    });
    expect(Object.keys(current)).toHaveLength(4);
    expect(current).toEqual(deprecated);
  });

  test('the errors of the allow* methods name the method that was called', () => {
    const bus = new SecureEventBus(newStack(), 'Bus');
    expect(() => bus.allowAccounts(['12345'])).toThrow("SecureEventBus 'Test/Bus': allowAccounts(accountIds) must be 12-digit AWS account IDs, got \"12345\"");
    expect(() => bus.allowOrganization('org-1')).toThrow(/SecureEventBus 'Test\/Bus': allowOrganization\(organizationId\) must be an AWS Organizations ID/);
    expect(() => bus.allowServicePrincipal('*')).toThrow(/allowServicePrincipal\(servicePrincipal\) must be a service principal such as "pipes.amazonaws.com", got "\*"/);
    expect(() => bus.allowServicePrincipal('pipes.amazonaws.com', { sourceAccount: 'me' }))
      .toThrow(/allowServicePrincipal\(options.sourceAccount\) must be a 12-digit AWS account ID, got "me"/);
  });

  test('grantPutEventsTo (aws-cdk-lib\'s name) and the deprecated grantPutEvents grant the same, on this bus only', () => {
    const statementsOf = (grant: (bus: SecureEventBus, role: iam.IRole) => void) => {
      const stack = newStack();
      const bus = new SecureEventBus(stack, 'Bus');
      grant(bus, new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
      return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).map((p: any) => p.Properties.PolicyDocument.Statement);
    };
    const current = statementsOf((bus, role) => bus.grantPutEventsTo(role));
    expect(current).toEqual([[{ Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Bus/), 'Arn'] } }]]);
    expect(statementsOf((bus, role) => bus.grantPutEvents(role))).toEqual(current);
  });

  test('the inherited static grantPutEvents, which would grant every bus ("*"), is refused with the grant to use', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const message = "SecureEventBus.grantPutEvents(grantee) is aws-cdk-lib's static EventBus.grantPutEvents, which grants events:PutEvents "
      + 'on every event bus ("*"): call bus.grantPutEventsTo(grantee) on the bus to grant this bus only, or EventBus.grantAllPutEvents(grantee) if you mean every bus.';
    expect(() => (SecureEventBus as any).grantPutEvents(role)).toThrow(message);
    expect(() => (CentralEventBus as any).grantPutEvents(role)).toThrow(message);
    expect(Template.fromStack(stack).findResources('AWS::IAM::Policy')).toEqual({});
    // aws-cdk-lib's own class is left as it is: its static still grants "*" (what this library guards its buses against).
    expect(typeof (events.EventBus as any).grantPutEvents).toBe('function');
    expect((events.EventBus as any).grantPutEvents).not.toBe((SecureEventBus as any).grantPutEvents);
  });

  test('the instance grantPutEvents is still a method of every bus (the static shadow does not reach instances)', () => {
    const stack = newStack();
    const bus = new SecureEventBus(stack, 'Bus');
    expect(bus.grantPutEvents).toBe(SecureEventBus.prototype.grantPutEvents);
    expect(Object.keys(SecureEventBus)).not.toContain('grantPutEvents');
  });

  test('a subclass customises the default archive L1 through createArchiveResource', () => {
    class Tuned extends SecureEventBus {
      protected createArchiveResource(props: events.CfnArchiveProps): events.CfnArchive {
        return super.createArchiveResource({ ...props, description: 'tuned', retentionDays: 7 });
      }
    }
    const stack = newStack();
    const bus = new Tuned(stack, 'Bus', { archiveRetention: Duration.days(90) });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Archive', { Description: 'tuned', RetentionDays: 7 });
    expect(bus.defaultArchive!.node.id).toBe('Archive');
  });

  test('imports by name and ARN', () => {
    const stack = newStack();
    const byName = SecureEventBus.fromEventBusName(stack, 'ByName', 'orders');
    const byArn = SecureEventBus.fromEventBusArn(stack, 'ByArn', 'arn:aws:events:eu-west-1:111111111111:event-bus/audit');
    expect(byName.eventBusName).toBe('orders');
    expect(byArn.eventBusName).toBe('audit');
  });
});

describe('SecureEventBus hardening', () => {
  const open = (bus: SecureEventBus, conditions: Record<string, any>) => new iam.PolicyStatement({
    sid: 'Open', principals: [new iam.AnyPrincipal()], actions: ['events:PutEvents'], resources: [bus.eventBusArn], conditions,
  });

  // What lets the world in, whatever condition dresses it...
  test.each<[string, Record<string, any>]>([
    ['aws:SecureTransport', { Bool: { 'aws:SecureTransport': 'true' } }],
    ['aws:PrincipalOrgID "*"', { StringEquals: { 'aws:PrincipalOrgID': '*' } }],
    ['aws:PrincipalOrgID "o-*" with StringLike', { StringLike: { 'aws:PrincipalOrgID': 'o-*' } }],
    ['aws:PrincipalArn "*:root" with StringLike', { StringLike: { 'aws:PrincipalArn': '*:root' } }],
    ['aws:PrincipalArn with a wildcard account', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } }],
    ['aws:SourceArn with a wildcard account', { ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:*:rule/*' } }],
    ['aws:SourceArn of any bucket', { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::*' } }],
    ['aws:PrincipalAccount with a wildcard', { StringLike: { 'aws:PrincipalAccount': '1111*' } }],
    ['aws:SourceAccount that is no account', { StringEquals: { 'aws:SourceAccount': '12345' } }],
    ['aws:PrincipalOrgPaths under any organization', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-*/r-ab12/*'] } }],
    ['one open value among pinned ones', { StringLike: { 'aws:PrincipalAccount': ['111111111111', '*'] } }],
    ['an empty value list', { StringEquals: { 'aws:PrincipalAccount': [] } }],
    ['a negated operator', { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' } }],
    ['an IfExists operator', { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }],
    ['ForAllValues: (true when the key is absent)', { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }],
    ['ForAllValues: on organization paths', { 'ForAllValues:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/*'] } }],
    ['a key that restricts nobody', { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } }],
  ])('throws on an open principal whose only condition is %s', (_name, conditions) => {
    const bus = new SecureEventBus(newStack(), 'Bus');
    expect(() => bus.addToResourcePolicy(open(bus, conditions)))
      .toThrow(/resource policy statement "Open" allows every principal \("\*"\) without a condition that restricts who the principal is/);
  });

  test('throws on NotPrincipal (everyone but the ones named) without a pinning condition', () => {
    const bus = new SecureEventBus(newStack(), 'Bus');
    const statement = new iam.PolicyStatement({
      sid: 'AllButOne', notPrincipals: [new iam.AccountPrincipal('111111111111')], actions: ['events:PutEvents'], resources: [bus.eventBusArn],
    });
    expect(() => bus.addToResourcePolicy(statement))
      .toThrow(/statement "AllButOne" allows NotPrincipal \(every principal but the ones named\) without a condition that restricts who the principal is/);
    const pinned = new iam.PolicyStatement({
      sid: 'AllButOneOfOurs',
      notPrincipals: [new iam.AccountPrincipal('111111111111')],
      actions: ['events:PutEvents'],
      resources: [bus.eventBusArn],
      conditions: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
    expect(() => bus.addToResourcePolicy(pinned)).not.toThrow();
  });

  // ...and what pins an exact account, organization or resource.
  test.each<[string, Record<string, any>]>([
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }],
    ['aws:PrincipalOrgID, case-insensitive key and operator', { StringEqualsIgnoreCase: { 'aws:principalorgid': 'o-a1b2c3d4e5' } }],
    ['aws:SourceAccount among others', { Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:SourceAccount': '111111111111' } }],
    ['aws:PrincipalAccount, a list of accounts', { StringEquals: { 'aws:PrincipalAccount': ['111111111111', '222222222222'] } }],
    ['aws:PrincipalOrgPaths under a named organization', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/*'] } }],
    ['aws:PrincipalArn of roles in one account', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/*' } }],
    ['aws:SourceArn of rules in one account', { ArnLike: { 'aws:SourceArn': 'arn:aws:events:*:111111111111:rule/*' } }],
    ['aws:SourceArn of one bucket', { ArnEquals: { 'aws:SourceArn': 'arn:aws:s3:::my-bucket' } }],
    ['aws:SourceOrgID', { StringEquals: { 'aws:SourceOrgID': 'o-a1b2c3d4e5' } }],
  ])('accepts an open principal restricted by %s', (_name, conditions) => {
    const bus = new SecureEventBus(newStack(), 'Bus');
    expect(() => bus.addToResourcePolicy(open(bus, conditions))).not.toThrow();
  });

  test('accepts a token for the account (known at deploy time)', () => {
    const stack = newStack();
    const bus = new SecureEventBus(stack, 'Bus');
    expect(() => bus.addToResourcePolicy(open(bus, { StringEquals: { 'aws:SourceAccount': stack.account } }))).not.toThrow();
  });

  test('throws when archiveEventPattern is not a valid event pattern', () => {
    expect(() => new SecureEventBus(newStack(), 'Bus', { archiveEventPattern: { source: ['a'], detail: { price: [{ numeric: ['>', 'x'] }] } as any } }))
      .toThrow(/SecureEventBus 'Test\/Bus': archiveEventPattern is not a valid event pattern: detail\.price/);
  });

  test('archiveEventPattern with tokens is not validated here', () => {
    const stack = newStack();
    expect(() => new SecureEventBus(stack, 'Bus', { archiveEventPattern: { account: [stack.account], source: ['a'] } })).not.toThrow();
  });
});

describe('errors name the class the user wrote', () => {
  test('a CentralEventBus error from a check it inherits names CentralEventBus; a subclass of yours, its library parent', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(() => new CentralEventBus(stack, 'Central', { organizationId: 'o-a1b2c3d4e5', archive: false, archiveName: 'x' }))
      .toThrow("CentralEventBus 'S/Central': archive is false, so archiveRetention, archiveName and archiveEventPattern cannot be set");
    class TeamBus extends SecureEventBus {}
    expect(() => new TeamBus(stack, 'Team', { archive: false, archiveName: 'x' }))
      .toThrow("SecureEventBus 'S/Team': archive is false");
    const central = new CentralEventBus(stack, 'Central2', { organizationId: 'o-a1b2c3d4e5' });
    expect(() => central.allowAccounts(['123'])).toThrow(/^CentralEventBus 'S\/Central2': allowAccounts\(accountIds\)/);
  });
});
