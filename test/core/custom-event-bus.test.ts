import { CfnResource, Duration, Lazy, Stack, Tags, aws_iam as iam, aws_kms as kms, aws_sqs as sqs } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CustomEventBus, CustomEventBusAccess, CustomEventBusProps, SubscriberTarget } from '../../src/core';
import { nagFindings } from '../nag';

function stack(): Stack {
  return new Stack(undefined, 'Stack', { env: { account: '111122223333', region: 'us-east-1' } });
}

describe('CustomEventBus', () => {
  test('defaults: 30 days retention, a generated name, AWS owned key, two alarms', () => {
    const s = stack();
    const bus = new CustomEventBus(s, 'Bus');
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::EventsV2::EventBus', {
      Name: Match.stringLikeRegexp('^StackBus[0-9A-F]{8}$'),
      StorageConfiguration: { RetentionPeriodInDays: 30 },
      EncryptionConfiguration: Match.absent(),
    });
    expect(bus.retention.toDays()).toBe(30);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    t.resourceCountIs('AWS::EventsV2::ResourcePolicy', 0);
  });

  test('retention, name and description override the defaults', () => {
    const s = stack();
    new CustomEventBus(s, 'Bus', { eventBusName: 'orders', retention: Duration.days(1), description: 'Orders' });
    Template.fromStack(s).hasResourceProperties('AWS::EventsV2::EventBus', {
      Name: 'orders', Description: 'Orders', StorageConfiguration: { RetentionPeriodInDays: 1 },
    });
  });

  test.each([
    [Duration.days(0), 'retention must be a whole number of days between 1 and 365, got 0 days'],
    [Duration.days(366), 'retention must be a whole number of days between 1 and 365, got 366 days'],
    [Duration.hours(36), 'retention must be a whole number of days between 1 and 365, got 1 day 12 hours'],
  ])('throws when retention is %s', (retention, message) => {
    expect(() => new CustomEventBus(stack(), 'Bus', { retention })).toThrow(`CustomEventBus 'Stack/Bus': ${message}`);
  });

  test('throws when the name has characters EventBridge does not allow', () => {
    expect(() => new CustomEventBus(stack(), 'Bus', { eventBusName: '-orders' }))
      .toThrow(/CustomEventBus 'Stack\/Bus': eventBusName must be 1 to 256 characters, the first a letter or digit.*got "-orders"/);
  });

  test('skips name validation for a token', () => {
    const s = stack();
    new CustomEventBus(s, 'Bus', { eventBusName: Lazy.string({ produce: () => '-x' }) });
    Template.fromStack(s).hasResourceProperties('AWS::EventsV2::EventBus', { Name: '-x' });
  });

  test('a customer-managed key encrypts the bus and lets EventBridge use it for this account', () => {
    const s = stack();
    const key = new kms.Key(s, 'Key');
    new CustomEventBus(s, 'Bus', { kmsKey: key });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::EventsV2::EventBus', {
      EncryptionConfiguration: { KmsKeyIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowEventBridgeCustomEventBus',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
        })]),
      },
    });
  });

  test('an imported key gets a warning instead of a key policy statement', () => {
    const s = stack();
    const key = kms.Key.fromKeyArn(s, 'Key', 'arn:aws:kms:us-east-1:111122223333:key/1234');
    new CustomEventBus(s, 'Bus', { kmsKey: key });
    Annotations.fromStack(s).hasWarning('/Stack/Bus', Match.stringLikeRegexp('The bus key is imported'));
  });

  test('alarms: false creates no alarm', () => {
    const s = stack();
    new CustomEventBus(s, 'Bus', { alarms: false });
    Template.fromStack(s).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('the alarms sum the delivery metrics of every subscriber of the bus', () => {
    const s = stack();
    new CustomEventBus(s, 'Bus');
    const alarms = Template.fromStack(s).findResources('AWS::CloudWatch::Alarm');
    const expressions = Object.values(alarms).map((a: any) => JSON.stringify(a.Properties.Metrics[0].Expression));
    expect(expressions.some((e) => e.includes('SELECT SUM(EventsDropped) FROM SCHEMA(\\"AWS/EventsV2\\", EventBus, Subscriber) WHERE EventBus = '))).toBe(true);
    expect(expressions.some((e) => e.includes('SUM(OnFailureDestinationDelivered)'))).toBe(true);
  });

  describe('resource policy', () => {
    test('allowAccounts writes account principals as ARNs with the chosen actions', () => {
      const s = stack();
      const bus = new CustomEventBus(s, 'Bus');
      bus.allowAccounts(['444455556666'], CustomEventBusAccess.PUBLISH);
      Template.fromStack(s).hasResourceProperties('AWS::EventsV2::ResourcePolicy', {
        EventBusArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'EventBusArn'] },
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{
            Sid: 'AllowPublishAccounts1',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::444455556666:root']] } },
            Action: ['events:PutEvents', 'events:PutRawEvents', 'events:DescribeEventBus'],
            Resource: { 'Fn::GetAtt': [Match.anyValue(), 'EventBusArn'] },
          }],
        },
      });
    });

    test('allowOrganization conditions on aws:PrincipalOrgID; one policy holds every statement', () => {
      const s = stack();
      const bus = new CustomEventBus(s, 'Bus');
      bus.allowOrganization('o-a1b2c3d4e5', CustomEventBusAccess.SUBSCRIBE);
      bus.allowAccounts(['444455556666'], CustomEventBusAccess.PUBLISH_AND_SUBSCRIBE);
      const t = Template.fromStack(s);
      t.resourceCountIs('AWS::EventsV2::ResourcePolicy', 1);
      t.hasResourceProperties('AWS::EventsV2::ResourcePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Sid: 'AllowSubscribeOrganization1',
            Principal: { AWS: '*' },
            Action: ['events:CreateSubscriber', 'events:UpdateSubscriber', 'events:DescribeEventBus'],
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
          })]),
        },
      });
    });

    test('throws when a statement allows every principal without a condition', () => {
      const bus = new CustomEventBus(stack(), 'Bus');
      expect(() => bus.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'Open', principals: [new iam.AnyPrincipal()], actions: ['events:PutEvents'], resources: [bus.eventBusArn],
      }))).toThrow('CustomEventBus \'Stack/Bus\': resource policy statement "Open" allows every principal ("*") without a condition');
    });

    test.each([
      [[], 'allowAccounts(PUBLISH) accountIds must name at least one account, got []'],
      [['12345'], 'allowAccounts(PUBLISH) accountIds must be 12-digit AWS account IDs, got "12345"'],
    ])('throws on bad account IDs %j', (ids, message) => {
      const bus = new CustomEventBus(stack(), 'Bus');
      expect(() => bus.allowAccounts(ids, CustomEventBusAccess.PUBLISH)).toThrow(message);
    });

    test('throws on a bad organization ID', () => {
      const bus = new CustomEventBus(stack(), 'Bus');
      expect(() => bus.allowOrganization('org-1', CustomEventBusAccess.PUBLISH))
        .toThrow('allowOrganization(PUBLISH) organizationId must be an AWS Organizations ID like "o-a1b2c3d4e5"');
    });
  });

  test('grantPublish gives PutEvents, PutRawEvents and DescribeEventBus on the bus only', () => {
    const s = stack();
    const bus = new CustomEventBus(s, 'Bus');
    const role = new iam.Role(s, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    bus.grantPublish(role);
    Template.fromStack(s).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: ['events:PutEvents', 'events:PutRawEvents', 'events:DescribeEventBus'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'EventBusArn'] },
        }],
      },
    });
  });

  describe('fromEventBusArn', () => {
    test('reads the name from the ARN', () => {
      const bus = CustomEventBus.fromEventBusArn(stack(), 'Imported',
        'arn:aws:events:us-east-1:111122223333:event-busv2/orders/exampleid0123456789abcdef');
      expect(bus.eventBusName).toBe('orders');
      expect(bus.env.account).toBe('111122223333');
    });

    test('throws for a Classic bus ARN', () => {
      expect(() => CustomEventBus.fromEventBusArn(stack(), 'Imported', 'arn:aws:events:us-east-1:111122223333:event-bus/orders'))
        .toThrow("CustomEventBus.fromEventBusArn 'Stack/Imported': eventBusArn must be a Custom Event Bus ARN");
    });
  });

  describe('fromEventBusName and fromEventBusAttributes', () => {
    const ARN = 'arn:aws:events:us-east-1:111122223333:event-busv2/orders/exampleid0123456789abcdef';

    test('fromEventBusName formats the ARN of the stack\'s account and Region from the name and the id', () => {
      const s = stack();
      const bus = CustomEventBus.fromEventBusName(s, 'Imported', 'orders', 'exampleid0123456789abcdef');
      expect(bus.eventBusName).toBe('orders');
      expect(s.resolve(bus.eventBusArn)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:111122223333:event-busv2/orders/exampleid0123456789abcdef']],
      });
    });

    test('fromEventBusAttributes with name, id, account and Region: the bus of that account', () => {
      const s = stack();
      const bus = CustomEventBus.fromEventBusAttributes(s, 'Imported', {
        eventBusName: 'orders', eventBusId: 'a1b2c3', account: '444455556666', region: 'eu-west-1',
      });
      expect(s.resolve(bus.eventBusArn)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:444455556666:event-busv2/orders/a1b2c3']],
      });
      expect(bus.env.account).toBe('444455556666');
      expect(bus.env.region).toBe('eu-west-1');
    });

    test('fromEventBusAttributes with the ARN is fromEventBusArn', () => {
      const s = stack();
      const byAttributes = CustomEventBus.fromEventBusAttributes(s, 'A', { eventBusArn: ARN });
      const byArn = CustomEventBus.fromEventBusArn(s, 'B', ARN);
      expect([byAttributes.eventBusArn, byAttributes.eventBusName]).toEqual([byArn.eventBusArn, byArn.eventBusName]);
      expect(CustomEventBus.fromEventBusAttributes(s, 'C', { eventBusArn: ARN, eventBusName: 'orders' }).eventBusName).toBe('orders');
    });

    test('a token ARN with a literal name keeps the name', () => {
      const s = stack();
      const arn = Lazy.string({ produce: () => ARN });
      const bus = CustomEventBus.fromEventBusAttributes(s, 'Imported', { eventBusArn: arn, eventBusName: 'orders' });
      expect(bus.eventBusName).toBe('orders');
      expect(bus.eventBusArn).toBe(arn);
    });

    test('a token name and id are not checked and reach the ARN', () => {
      const s = stack();
      const name = Lazy.string({ produce: () => 'orders' });
      const busId = Lazy.string({ produce: () => 'x/y' });
      const bus = CustomEventBus.fromEventBusAttributes(s, 'Imported', { eventBusName: name, eventBusId: busId });
      expect(s.resolve(bus.eventBusArn)['Fn::Join'][1]).toContain(':events:us-east-1:111122223333:event-busv2/orders/x/y');
    });

    test('subscribers and grants use the formatted ARN', () => {
      const s = stack();
      const bus = CustomEventBus.fromEventBusName(s, 'Imported', 'orders', 'a1b2c3');
      bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(new sqs.Queue(s, 'Target', { enforceSSL: true })) });
      const role = new iam.Role(s, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      bus.grantPutEvents(role);
      const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:111122223333:event-busv2/orders/a1b2c3']] };
      const t = Template.fromStack(s);
      t.hasResourceProperties('AWS::EventsV2::Subscriber', { EventBusArn: arn });
      t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: [Match.objectLike({ Resource: arn })] } });
    });

    test.each([
      ['nothing', {}, "CustomEventBus.fromEventBusAttributes 'Stack/Imported': eventBusArn must be given: a Custom Event Bus is imported by its ARN, or by its name and the id EventBridge generated for it (the ARN ends in event-busv2/<name>/<id>)"],
      ['a name without an id', { eventBusName: 'orders' }, "CustomEventBus.fromEventBusAttributes 'Stack/Imported': eventBusId must be given: a Custom Event Bus is imported by its ARN"],
      ['an id without a name', { eventBusId: 'a1b2c3' }, "CustomEventBus.fromEventBusAttributes 'Stack/Imported': eventBusArn must be given"],
      ['an invalid name', { eventBusName: '-orders', eventBusId: 'a1' }, 'eventBusName must be 1 to 256 characters, the first a letter or digit, then letters, digits, ".", "-" or "_", got "-orders"'],
      ['an id with a slash', { eventBusName: 'orders', eventBusId: 'a/b' }, 'eventBusId must be the last segment of the bus\'s ARN (letters, digits, "-" or "_"), got "a/b"'],
      ['an account that is not 12 digits', { eventBusName: 'orders', eventBusId: 'a1', account: 'me' }, 'account must be a 12-digit AWS account ID, got "me"'],
      ['an ARN with an id', { eventBusArn: ARN, eventBusId: 'other' }, 'eventBusId cannot be combined with eventBusArn, which already says it, got "other"'],
      ['an ARN with an account', { eventBusArn: ARN, account: '444455556666' }, 'account cannot be combined with eventBusArn, which already says it, got "444455556666"'],
      ['an ARN and another name', { eventBusArn: ARN, eventBusName: 'payments' }, 'eventBusName must be the name in eventBusArn ("orders"), got "payments"'],
      ['a Classic bus ARN', { eventBusArn: 'arn:aws:events:us-east-1:111122223333:event-bus/orders' }, "CustomEventBus.fromEventBusAttributes 'Stack/Imported': eventBusArn must be a Custom Event Bus ARN like arn:aws:events:us-east-1:111122223333:event-busv2/<name>/<id>, got"],
    ])('fromEventBusAttributes throws for %s', (_, attrs, message) => {
      expect(() => CustomEventBus.fromEventBusAttributes(stack(), 'Imported', attrs)).toThrow(message);
    });

    test('fromEventBusName names itself in its errors', () => {
      expect(() => CustomEventBus.fromEventBusName(stack(), 'Imported', 'orders', ''))
        .toThrow("CustomEventBus.fromEventBusName 'Stack/Imported': eventBusId must be the last segment of the bus's ARN");
    });
  });

  describe('L1s in protected methods, a read-only resourcePolicy', () => {
    test('a subclass can replace the bus and policy L1s through createResource and createResourcePolicy', () => {
      class Tuned extends CustomEventBus {
        protected createResource(eventBusName: string, retentionDays: number, props: CustomEventBusProps): CfnResource {
          const resource = super.createResource(`${eventBusName}-tuned`, retentionDays * 2, props);
          resource.addPropertyOverride('Description', 'tuned');
          return resource;
        }
        protected createResourcePolicy(policyDocument: iam.PolicyDocument): CfnResource {
          const policy = super.createResourcePolicy(policyDocument);
          policy.addMetadata('tuned', true);
          return policy;
        }
      }
      const s = stack();
      const bus = new Tuned(s, 'Bus', { eventBusName: 'orders', retention: Duration.days(10) });
      bus.allowAccounts(['444455556666']);
      const t = Template.fromStack(s);
      t.hasResourceProperties('AWS::EventsV2::EventBus', { Name: 'orders-tuned', Description: 'tuned', StorageConfiguration: { RetentionPeriodInDays: 20 } });
      t.hasResource('AWS::EventsV2::ResourcePolicy', { Metadata: { tuned: true } });
      expect(bus.resource.node.id).toBe('Resource');
    });

    test('resourcePolicy is undefined before the first statement, then the policy resource, and cannot be assigned', () => {
      const bus = new CustomEventBus(stack(), 'Bus');
      expect(bus.resourcePolicy).toBeUndefined();
      bus.allowAccounts(['444455556666']);
      expect(bus.resourcePolicy).toBe(bus.node.findChild('Policy'));
      expect(bus.resourcePolicy!.cfnResourceType).toBe('AWS::EventsV2::ResourcePolicy');
      expect(() => { (bus as any).resourcePolicy = undefined; }).toThrow(TypeError);
      expect(bus.resourcePolicy).toBe(bus.node.findChild('Policy'));
    });

    test('allowAccounts and allowOrganization default to PUBLISH, as SecureEventBus\'s allowAccounts means publish', () => {
      const policyOf = (allow: (bus: CustomEventBus) => void) => {
        const s = stack();
        allow(new CustomEventBus(s, 'Bus'));
        return Template.fromStack(s).findResources('AWS::EventsV2::ResourcePolicy');
      };
      expect(policyOf((bus) => { bus.allowAccounts(['444455556666']); bus.allowOrganization('o-a1b2c3d4e5'); }))
        .toEqual(policyOf((bus) => {
          bus.allowAccounts(['444455556666'], CustomEventBusAccess.PUBLISH);
          bus.allowOrganization('o-a1b2c3d4e5', CustomEventBusAccess.PUBLISH);
        }));
    });
  });

  describe('subscriber deployment chain', () => {
    test('each subscriber of a bus depends on the one added before it, and only on it', () => {
      const s = stack();
      const bus = new CustomEventBus(s, 'Bus');
      const other = new CustomEventBus(s, 'Other');
      const queue = new sqs.Queue(s, 'Queue', { enforceSSL: true });
      const a = bus.addSubscriber('A', { target: SubscriberTarget.sqs(queue) });
      const b = bus.addSubscriber('B', { target: SubscriberTarget.sqs(queue) });
      const c = bus.addSubscriber('C', { target: SubscriberTarget.sqs(queue) });
      const x = other.addSubscriber('X', { target: SubscriberTarget.sqs(queue) });
      const resources = Template.fromStack(s).findResources('AWS::EventsV2::Subscriber');
      const id = (sub: any) => s.getLogicalId(sub.resource);
      const dependsOnSubscribers = (sub: any) => (resources[id(sub)].DependsOn ?? []).filter((d: string) => resources[d] !== undefined);
      expect(dependsOnSubscribers(a)).toEqual([]);
      expect(dependsOnSubscribers(b)).toEqual([id(a)]);
      expect(dependsOnSubscribers(c)).toEqual([id(b)]);
      expect(dependsOnSubscribers(x)).toEqual([]);
    });

    test('two imports of one bus ARN share one chain', () => {
      const s = stack();
      const arn = 'arn:aws:events:us-east-1:111122223333:event-busv2/orders/exampleid0123456789abcdef';
      const queue = new sqs.Queue(s, 'Queue', { enforceSSL: true });
      const a = CustomEventBus.fromEventBusArn(s, 'I1', arn).addSubscriber('A', { target: SubscriberTarget.sqs(queue) });
      const b = CustomEventBus.fromEventBusArn(s, 'I2', arn).addSubscriber('B', { target: SubscriberTarget.sqs(queue) });
      const resources = Template.fromStack(s).findResources('AWS::EventsV2::Subscriber');
      expect(resources[s.getLogicalId(b.resource)].DependsOn).toContain(s.getLogicalId(a.resource));
    });
  });

  // The resources are plain CfnResources (no aws_eventsv2 L1 below aws-cdk-lib 2.264): tags and overrides still reach them.
  test('Tags.of reaches the bus and its subscribers (as with the L1 classes), not the resource policy', () => {
    const s = stack();
    const bus = new CustomEventBus(s, 'Bus');
    bus.allowAccounts(['444455556666'], CustomEventBusAccess.PUBLISH);
    bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(new sqs.Queue(s, 'Target', { enforceSSL: true })) });
    Tags.of(s).add('team', 'orders');
    Tags.of(s).add('cost-center', '42');
    const tags = [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'orders' }];
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::EventsV2::EventBus', { Tags: tags });
    t.hasResourceProperties('AWS::EventsV2::Subscriber', { Tags: tags });
    t.hasResourceProperties('AWS::EventsV2::ResourcePolicy', { Tags: Match.absent() });
  });

  test('no Tags property without tags', () => {
    const s = stack();
    new CustomEventBus(s, 'Bus').addSubscriber('Sub', { target: SubscriberTarget.sqs(new sqs.Queue(s, 'Target', { enforceSSL: true })) });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::EventsV2::EventBus', { Tags: Match.absent() });
    t.hasResourceProperties('AWS::EventsV2::Subscriber', { Tags: Match.absent() });
  });

  test('addPropertyOverride on resource changes the bus and the subscriber', () => {
    const s = stack();
    const bus = new CustomEventBus(s, 'Bus');
    const sub = bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(new sqs.Queue(s, 'Target', { enforceSSL: true })) });
    bus.resource.addPropertyOverride('StorageConfiguration.RetentionPeriodInDays', 7);
    sub.resource.addPropertyOverride('RetryPolicy.RetryStrategy', 'EXPONENTIAL');
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::EventsV2::EventBus', { StorageConfiguration: { RetentionPeriodInDays: 7 } });
    t.hasResourceProperties('AWS::EventsV2::Subscriber', {
      RetryPolicy: { MaxRetryAttempts: 185, MaxEventAgeInSeconds: 86400, RetryStrategy: 'EXPONENTIAL' },
    });
  });

  test('cdk-nag AwsSolutions and Serverless find nothing on a bus with a key, a policy and a subscriber', () => {
    const s = stack();
    const bus = new CustomEventBus(s, 'Bus', { kmsKey: new kms.Key(s, 'Key', { enableKeyRotation: true }) });
    bus.allowAccounts(['444455556666'], CustomEventBusAccess.PUBLISH);
    bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(new sqs.Queue(s, 'Target', { enforceSSL: true })) });
    expect(nagFindings(s, ['Stack/Target'])).toEqual([]);
  });
});
