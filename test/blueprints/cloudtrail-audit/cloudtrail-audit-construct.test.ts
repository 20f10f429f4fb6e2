import {
  App,
  Duration,
  RemovalPolicy,
  Stack,
  aws_events as events,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AuditedService, CloudTrailAudit, CloudTrailAuditProps } from '../../../src/blueprints/cloudtrail-audit';
import { EventPatternEngine } from '../../../src/patterns';

const ENV = { account: '111111111111', region: 'us-east-1' };

function newStack(env = ENV): Stack {
  return new Stack(new App(), 'Test', { env });
}

function synth(props: (stack: Stack) => CloudTrailAuditProps = () => ({})) {
  const stack = newStack();
  const blueprint = new CloudTrailAudit(stack, 'Audit', props(stack));
  return { stack, blueprint, template: Template.fromStack(stack) };
}

function rulePattern(template: Template): any {
  const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
  expect(rules).toHaveLength(1);
  return rules[0].Properties.EventPattern;
}

describe('CloudTrailAudit with its defaults', () => {
  let blueprint: CloudTrailAudit;
  let template: Template;
  beforeAll(() => {
    ({ blueprint, template } = synth());
  });

  test('one rule on the DEFAULT bus, enabled, for CloudTrail API calls', () => {
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'default', State: 'ENABLED' });
    expect(rulePattern(template)['detail-type']).toEqual(['AWS API Call via CloudTrail']);
  });

  test('matches the default services: IAM write calls, KMS, S3 bucket policies, EC2 security groups, CloudTrail', () => {
    const pattern = rulePattern(template);
    expect(pattern.source).toEqual(['aws.iam', 'aws.kms', 'aws.s3', 'aws.ec2', 'aws.cloudtrail']);
    const branches = pattern.detail.$or;
    expect(branches).toContainEqual({ eventSource: ['iam.amazonaws.com'], readOnly: [false, { exists: false }] });
    expect(branches).toContainEqual({ eventSource: ['kms.amazonaws.com'], eventName: expect.arrayContaining(['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'CreateGrant']) });
    expect(branches).toContainEqual({ eventSource: ['s3.amazonaws.com'], eventName: expect.arrayContaining(['PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock']) });
    expect(branches).toContainEqual({ eventSource: ['ec2.amazonaws.com'], eventName: expect.arrayContaining(['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup']) });
    expect(branches).toContainEqual({ eventSource: ['cloudtrail.amazonaws.com'], eventName: expect.arrayContaining(['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors']) });
    expect(blueprint.eventPattern.detail).toEqual(pattern.detail);
  });

  test('logs to a KMS-encrypted log group kept one year and retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AuditKey'), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  test('the key policy lets CloudWatch Logs of this region use the key for this account\'s log groups', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Action: Match.arrayWith(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']),
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
        })]),
      },
    });
  });

  test('targets the log group directly, with the route\'s dead-letter queue and retry policy', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [{
        Id: 'Target0',
        Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:111111111111:log-group:', { Ref: Match.stringLikeRegexp('AuditLogGroup') }]] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AuditRouteDeadLetterQueue'), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      }],
    });
    expect(blueprint.route.deadLetterQueueAlarm).toBeDefined();
  });

  test('one native CloudWatch Logs resource policy, no custom resource and no Lambda function', () => {
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    template.resourceCountIs('Custom::CloudwatchLogResourcePolicy', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    const policy = Object.values(template.findResources('AWS::Logs::ResourcePolicy'))[0] as any;
    const document = JSON.stringify(policy.Properties.PolicyDocument);
    expect(document).toContain('events.amazonaws.com');
    expect(document).toContain('logs:PutLogEvents');
    expect(document).toContain('logs:CreateLogStream');
  });

  test('the resource policy lets only the route\'s rules of this account write (aws:SourceArn, aws:SourceAccount)', () => {
    const policy = Object.values(template.findResources('AWS::Logs::ResourcePolicy'))[0] as any;
    // The document is a JSON string joined with the rule's ARN: unescape the inner quotes to read it.
    const document = JSON.stringify(policy.Properties.PolicyDocument).replace(/\\"/g, '"');
    const [ruleId] = Object.keys(template.findResources('AWS::Events::Rule'));
    expect(document).toContain('"ArnEquals":{"aws:SourceArn":"');
    expect(document).toContain(`{"Fn::GetAtt":["${ruleId}","Arn"]}`);
    expect(document).toContain('"StringEquals":{"aws:SourceAccount":"111111111111"}');
  });

  test('matches IAM write calls whose readOnly field is absent (AWS\'s own CreateUser sample has none)', () => {
    const createUser = {
      'source': 'aws.iam',
      'detail-type': 'AWS API Call via CloudTrail',
      'detail': { eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', requestParameters: { userName: 'Bob' } },
    };
    const pattern = rulePattern(template);
    expect(EventPatternEngine.matches(pattern, createUser)).toBe(true);
    expect(EventPatternEngine.matches(pattern, { ...createUser, detail: { ...createUser.detail, readOnly: false } })).toBe(true);
    expect(EventPatternEngine.matches(pattern, { ...createUser, detail: { ...createUser.detail, eventName: 'GetUser', readOnly: true } })).toBe(false);
  });

  test('no trail and no forwarding', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(blueprint.trail).toBeUndefined();
    expect(blueprint.route.targetCount).toBe(1);
  });
});

describe('CloudTrailAudit overrides', () => {
  test('services: one service gives a pattern without $or', () => {
    const { template } = synth(() => ({ services: [AuditedService.CLOUDTRAIL] }));
    expect(rulePattern(template)).toEqual({
      'source': ['aws.cloudtrail'],
      'detail-type': ['AWS API Call via CloudTrail'],
      'detail': { eventSource: ['cloudtrail.amazonaws.com'], eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors'] },
    });
  });

  test('AuditedService.of: derived eventSource, your event names, duplicates removed', () => {
    const { template } = synth(() => ({
      services: [AuditedService.of({ source: 'aws.secretsmanager', eventNames: ['DeleteSecret', 'PutResourcePolicy', 'DeleteSecret'] })],
    }));
    expect(rulePattern(template).detail).toEqual({ eventSource: ['secretsmanager.amazonaws.com'], eventName: ['DeleteSecret', 'PutResourcePolicy'] });
  });

  test('AuditedService.of: explicit eventSource, every write call', () => {
    const service = AuditedService.of({ source: 'aws.sso', eventSource: 'sso.amazonaws.com' });
    expect(service.eventSource).toBe('sso.amazonaws.com');
    expect(service.eventNames).toBeUndefined();
    const { template } = synth(() => ({ services: [service] }));
    expect(rulePattern(template).detail).toEqual({ eventSource: ['sso.amazonaws.com'], readOnly: [false, { exists: false }] });
  });

  test('includeReadOnlyEvents sets the rule state and drops the readOnly filter', () => {
    const { template } = synth(() => ({ includeReadOnlyEvents: true }));
    template.hasResourceProperties('AWS::Events::Rule', { State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' });
    expect(rulePattern(template).detail.$or).toContainEqual({ eventSource: ['iam.amazonaws.com'] });
  });

  test('enabled: false disables the rule; ruleName names it', () => {
    const { template } = synth(() => ({ enabled: false, ruleName: 'security-audit' }));
    template.hasResourceProperties('AWS::Events::Rule', { State: 'DISABLED', Name: 'security-audit' });
  });

  test('eventBus: a custom bus (central account receiving forwarded events)', () => {
    const { template } = synth((s) => ({ eventBus: events.EventBus.fromEventBusName(s, 'Central', 'org-audit') }));
    template.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'org-audit' });
  });

  test('logRetention, logGroupName, removalPolicy and encryptionKey', () => {
    const { template, blueprint } = synth((s) => ({
      logRetention: logs.RetentionDays.TEN_YEARS,
      logGroupName: '/aws/events/audit',
      removalPolicy: RemovalPolicy.DESTROY,
      encryptionKey: new kms.Key(s, 'MyKey', { enableKeyRotation: true }),
    }));
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 3653, LogGroupName: '/aws/events/audit', KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyKey'), 'Arn'] } },
      DeletionPolicy: 'Delete',
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(blueprint.encryptionKey).toBeDefined();
  });

  test('your own log group: no log group or key created; the resource policy covers it', () => {
    const { template, blueprint } = synth((s) => ({ logGroup: new logs.LogGroup(s, 'Mine', { retention: logs.RetentionDays.ONE_MONTH }) }));
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(blueprint.encryptionKey).toBeUndefined();
    const policy = Object.values(template.findResources('AWS::Logs::ResourcePolicy'))[0] as any;
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('Mine');
  });

  test('logResourcePolicy: false creates no resource policy', () => {
    const { template, blueprint } = synth(() => ({ logResourcePolicy: false }));
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
    expect(blueprint.logResourcePolicy).toBeUndefined();
  });

  test('two audits in one stack share ONE resource policy with a statement each', () => {
    const stack = newStack();
    const a = new CloudTrailAudit(stack, 'A');
    const b = new CloudTrailAudit(stack, 'B', { services: [AuditedService.IAM] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    expect(a.logResourcePolicy).toBe(b.logResourcePolicy);
    expect(a.logResourcePolicy!.document.statementCount).toBe(2);
  });

  test('centralAuditBus: forwards with a role allowed to put events on that bus only', () => {
    const { template, blueprint } = synth((s) => ({
      centralAuditBus: events.EventBus.fromEventBusArn(s, 'Central', 'arn:aws:events:us-east-1:222222222222:event-bus/audit'),
    }));
    expect(blueprint.route.targetCount).toBe(2);
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: Match.arrayWith([Match.objectLike({
        Arn: 'arn:aws:events:us-east-1:222222222222:event-bus/audit',
        RoleArn: Match.anyValue(),
        DeadLetterConfig: Match.anyValue(),
        RetryPolicy: Match.anyValue(),
      })]),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: 'arn:aws:events:us-east-1:222222222222:event-bus/audit' }] },
    });
  });

  test('centralAuditBusRole is used for the forwarding', () => {
    const { template } = synth((s) => ({
      centralAuditBus: events.EventBus.fromEventBusArn(s, 'Central', 'arn:aws:events:us-east-1:222222222222:event-bus/audit'),
      centralAuditBusRole: iam.Role.fromRoleArn(s, 'Forwarder', 'arn:aws:iam::111111111111:role/forwarder'),
    }));
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: Match.arrayWith([Match.objectLike({ RoleArn: 'arn:aws:iam::111111111111:role/forwarder' })]),
    });
  });

  test('retryAttempts and maxEventAge reach the targets', () => {
    const { template } = synth(() => ({ retryAttempts: 10, maxEventAge: Duration.hours(2) }));
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 } })],
    });
  });
});

describe('CloudTrailAudit with createTrail', () => {
  let template: Template;
  let blueprint: CloudTrailAudit;
  beforeAll(() => {
    ({ template, blueprint } = synth(() => ({ createTrail: true, trailName: 'audit' })));
  });

  test('a multi-region trail with global events, log file validation and KMS encryption', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'audit',
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsLogging: true,
      KMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AuditKey'), 'Arn'] },
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
    });
    expect(blueprint.trail).toBeDefined();
  });

  const TRAIL_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:us-east-1:111111111111:trail/audit']] };

  test('the key policy lets CloudTrail encrypt for this trail only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'kms:GenerateDataKey*',
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': TRAIL_ARN },
            StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL_ARN },
          },
        })]),
      },
    });
  });

  test('the bucket policy lets CloudTrail in for this trail only (aws:SourceArn on every statement for it)', () => {
    const policies = Object.values<any>(template.findResources('AWS::S3::BucketPolicy'));
    const forCloudTrail = policies.flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => st.Principal?.Service === 'cloudtrail.amazonaws.com');
    expect(forCloudTrail.map((st: any) => st.Action).sort()).toEqual(['s3:GetBucketAcl', 's3:PutObject']);
    for (const st of forCloudTrail) {
      expect(st.Condition.StringEquals['aws:SourceArn']).toEqual(TRAIL_ARN);
    }
  });

  test('without trailName the trail gets a name unique to the construct, fixed at synth', () => {
    const { template: t } = synth(() => ({ createTrail: true }));
    const [trail] = Object.values<any>(t.findResources('AWS::CloudTrail::Trail'));
    expect(trail.Properties.TrailName).toMatch(/^Test-Audit-[A-F0-9]{8}-Trail$/);
    const statement = Object.values<any>(t.findResources('AWS::S3::BucketPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement)
      .find((st: any) => st.Action === 's3:PutObject' && st.Principal?.Service === 'cloudtrail.amazonaws.com');
    expect(JSON.stringify(statement.Condition.StringEquals['aws:SourceArn'])).toContain(`:trail/${trail.Properties.TrailName}`);
  });

  test('the trail bucket: encrypted, TLS only, public access blocked, versioned, access logs via bucket policy', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('TrailAccessLogsBucket') }, LogFilePrefix: 'trail-bucket/' },
    });
    const buckets = Object.values(template.findResources('AWS::S3::Bucket')) as any[];
    for (const bucket of buckets) {
      expect(bucket.Properties.AccessControl).toBeUndefined();
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
  });

  test('your own log group with createTrail still gets a key for the trail', () => {
    const { template: t } = synth((s) => ({ createTrail: true, logGroup: logs.LogGroup.fromLogGroupName(s, 'L', 'mine') }));
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.resourceCountIs('AWS::CloudTrail::Trail', 1);
  });
});

describe('CloudTrailAudit warnings', () => {
  test('warns that IAM events reach EventBridge in us-east-1 only', () => {
    const stack = newStack({ account: '111111111111', region: 'eu-west-1' });
    new CloudTrailAudit(stack, 'Audit');
    Annotations.fromStack(stack).hasWarning('/Test/Audit', Match.stringLikeRegexp('IAM is a global service.*us-east-1'));
  });

  test('no IAM warning in us-east-1 or without IAM', () => {
    const stack = newStack();
    new CloudTrailAudit(stack, 'Audit');
    const other = newStack({ account: '111111111111', region: 'eu-west-1' });
    new CloudTrailAudit(other, 'Audit', { services: [AuditedService.KMS] });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('IAM'))).toHaveLength(0);
    expect(Annotations.fromStack(other).findWarning('*', Match.stringLikeRegexp('IAM'))).toHaveLength(0);
  });

  test('warns about read-only event names without includeReadOnlyEvents', () => {
    const stack = newStack();
    new CloudTrailAudit(stack, 'Audit', { services: [AuditedService.of({ source: 'aws.secretsmanager', eventNames: ['GetSecretValue'] })] });
    Annotations.fromStack(stack).hasWarning('/Test/Audit', Match.stringLikeRegexp('GetSecretValue.*includeReadOnlyEvents'));
  });
});

describe('CloudTrailAudit errors', () => {
  test.each<[string, (stack: Stack) => CloudTrailAuditProps, RegExp]>([
    ['services is empty', () => ({ services: [] }), /services must list at least one service/],
    ['a service source is not an AWS one', () => ({ services: [AuditedService.of({ source: 'com.example.app' })] }), /source must be an AWS service source like "aws.iam".*got "com.example.app"/],
    ['eventNames is empty', () => ({ services: [AuditedService.of({ source: 'aws.kms', eventNames: [] })] }), /eventNames of aws.kms must not be empty/],
    ['includeReadOnlyEvents is combined with enabled: false', () => ({ includeReadOnlyEvents: true, enabled: false }), /includeReadOnlyEvents cannot be combined with enabled: false/],
    ['the bus is a partner bus', (s) => ({ eventBus: events.EventBus.fromEventBusName(s, 'P', 'aws.partner/saas.com/123/bus') }), /eventBus must be the default bus or a custom bus: partner event buses receive no AWS events/],
    ['logGroupName is given with logGroup', (s) => ({ logGroup: logs.LogGroup.fromLogGroupName(s, 'L', 'x'), logGroupName: 'y' }), /logGroupName configures the log group the blueprint creates/],
    ['logRetention is given with logGroup', (s) => ({ logGroup: logs.LogGroup.fromLogGroupName(s, 'L', 'x'), logRetention: logs.RetentionDays.ONE_DAY }), /logRetention configures/],
    ['encryptionKey is given with logGroup and no trail', (s) => ({ logGroup: logs.LogGroup.fromLogGroupName(s, 'L', 'x'), encryptionKey: new kms.Key(s, 'K') }), /encryptionKey encrypts the log group the blueprint creates/],
    ['trailName is given without createTrail', () => ({ trailName: 'x' }), /trailName needs createTrail: true/],
    ['trailName is not a trail name', () => ({ createTrail: true, trailName: 'my trail' }),
      /trailName must be 3 to 128 letters, digits, "\.", "_" and "-", starting with a letter or digit, got "my trail"/],
    ['logGroupName has a space', () => ({ logGroupName: 'audit log' }), /logGroupName must be 1 to 512 characters of letters, digits, ".", "-", "_", "\/" or "#", not starting with "aws\/", got "audit log"/],
    ['logGroupName is 513 characters', () => ({ logGroupName: 'a'.repeat(513) }), /logGroupName must be 1 to 512 characters/],
    ['logRetention is 2 days', () => ({ logRetention: 2 as logs.RetentionDays }), /logRetention must be one of CloudWatch Logs' retention periods \(logs.RetentionDays: 1, 3, 5, 7, 14, 30, ... 3653 days\), got 2/],
    ['centralAuditBusRole is given without centralAuditBus', (s) => ({ centralAuditBusRole: iam.Role.fromRoleArn(s, 'R', 'arn:aws:iam::111111111111:role/r') }), /centralAuditBusRole needs centralAuditBus/],
  ])('throws when %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => new CloudTrailAudit(stack, 'Audit', props(stack))).toThrow(message);
  });

  test('error messages name the construct', () => {
    expect(() => new CloudTrailAudit(newStack(), 'Audit', { services: [] })).toThrow(/^CloudTrailAudit 'Test\/Audit': /);
  });
});
