import {
  App,
  Lazy,
  RemovalPolicy,
  Size,
  Stack,
  aws_cloudwatch_actions as actions,
  aws_dynamodb as dynamodb,
  aws_events_targets as targets,
  aws_lambda as lambda,
  aws_s3 as s3,
  aws_s3_notifications as s3n,
  aws_sns as sns,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PhotoUpload, PhotoUploadProps } from '../../../src/blueprints/photo-upload';
import { SchemaRegistry } from '../../../src/core/schema-registry';
import { nagFindings } from '../../nag';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function build(props: PhotoUploadProps = {}): { stack: Stack; blueprint: PhotoUpload; template: Template } {
  const stack = new Stack(new App(), 'Test', { env: ENV });
  const blueprint = new PhotoUpload(stack, 'Photos', props);
  return { stack, blueprint, template: Template.fromStack(stack) };
}

/** The one rule's properties. */
function ruleOf(template: Template): any {
  const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
  expect(rules).toHaveLength(1);
  return rules[0].Properties;
}

/** An input transformer's template with each placeholder replaced by `path:<its JSONPath>`. */
function transformed(target: any): any {
  const { InputPathsMap: paths, InputTemplate: text } = target.InputTransformer;
  return JSON.parse(text.replace(/<([^>]+)>/g, (_: string, name: string) => JSON.stringify(`path:${paths[name]}`)));
}

/** Every IAM statement attached to a role (its inline default policy). */
function statementsOfRole(stack: Stack, template: Template, role: { roleName: string }): any[] {
  const roleRef = stack.resolve(role.roleName);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => JSON.stringify(r) === JSON.stringify(roleRef)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

const UPLOAD_INPUT = {
  eventId: 'path:$.id',
  bucket: 'path:$.detail.bucket.name',
  key: 'path:$.detail.object.key',
  size: 'path:$.detail.object.size',
  etag: 'path:$.detail.object.etag',
  sequencer: 'path:$.detail.object.sequencer',
  time: 'path:$.time',
};

describe('PhotoUpload defaults', () => {
  let stack: Stack;
  let blueprint: PhotoUpload;
  let template: Template;
  beforeAll(() => {
    ({ stack, blueprint, template } = build());
  });

  test('the uploads bucket blocks public access, is encrypted, refuses plain HTTP and TLS below 1.2', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: { Rules: [{ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }] },
      }),
      DeletionPolicy: 'Retain',
    });
    const statements = (Object.values(template.findResources('AWS::S3::BucketPolicy'))[0] as any).Properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
    ]));
  });

  test('EventBridge notifications are the native bucket setting, not the custom resource (aws/aws-cdk#26772)', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    // Only the two consumers: no BucketNotificationsHandler function.
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });

  test('why: aws-cdk-lib 2.276\'s eventBridgeEnabled still adds the custom resource and its handler function', () => {
    const other = new Stack(new App(), 'Other', { env: ENV });
    new s3.Bucket(other, 'Bucket', { eventBridgeEnabled: true });
    const otherTemplate = Template.fromStack(other);
    otherTemplate.resourceCountIs('Custom::S3BucketNotifications', 1);
    otherTemplate.hasResourceProperties('AWS::Lambda::Function', { Description: 'AWS CloudFormation handler for "Custom::S3BucketNotifications" resources (@aws-cdk/aws-s3)' });
    otherTemplate.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: Match.absent() });
  });

  test('one rule on the default bus: Object Created in this bucket, images under uploads/, 1 byte to 15 MiB', () => {
    const rule = ruleOf(template);
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual({
      'source': ['aws.s3'],
      'detail-type': ['Object Created'],
      'detail': {
        bucket: { name: [stack.resolve(blueprint.uploadsBucket.bucketName)] },
        object: {
          key: ['jpg', 'JPG', 'jpeg', 'JPEG', 'png', 'PNG'].map((ext) => ({ wildcard: `uploads/*.${ext}` })),
          size: [{ numeric: ['>', 0, '<=', 15 * 1024 * 1024] }],
        },
      },
    });
  });

  test('three reliable targets: thumbnail and profile functions get the upload fields, the topic a notification', () => {
    const [thumbnail, profile, topic] = ruleOf(template).Targets;
    expect(thumbnail.Arn).toEqual(stack.resolve(blueprint.thumbnailFunction.function.functionArn));
    expect(profile.Arn).toEqual(stack.resolve(blueprint.profileFunction.function.functionArn));
    expect(topic.Arn).toEqual(stack.resolve(blueprint.notificationTopic.topicArn));
    expect(transformed(thumbnail)).toEqual(UPLOAD_INPUT);
    expect(transformed(profile)).toEqual(UPLOAD_INPUT);
    expect(transformed(topic)).toEqual({
      type: 'PhotoUploaded',
      eventId: 'path:$.id',
      bucket: 'path:$.detail.bucket.name',
      key: 'path:$.detail.object.key',
      size: 'path:$.detail.object.size',
      uploadedAt: 'path:$.time',
    });
    for (const target of [thumbnail, profile, topic]) {
      expect(target.DeadLetterConfig).toEqual({ Arn: stack.resolve(blueprint.route.deadLetterQueue.queueArn) });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
    }
    expect(blueprint.route.deadLetterQueueAlarm).toBeDefined();
  });

  test('EventBridge publishes to the topic with a role of its own (no topic policy for the whole service)', () => {
    const topic = ruleOf(template).Targets[2];
    expect(topic.RoleArn).toBeDefined();
    const policy = (Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0] as any).Properties.PolicyDocument;
    expect(JSON.stringify(policy)).not.toContain('events.amazonaws.com');
    expect(topic.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PhotosNotificationRole/), 'Arn'] });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })] },
      Description: 'EventBridge publishes the follower notifications of Test/Photos',
    });
    const roleId = topic.RoleArn['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'sns:Publish', Resource: stack.resolve(blueprint.notificationTopic.topicArn) }),
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: stack.resolve(blueprint.notificationKey!.keyArn) }),
    ]));
  });

  test('the topic is encrypted with a rotated key and enforces TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: stack.resolve(blueprint.notificationKey!.keyArn) });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the thumbnail function reads only under uploads/ and writes only under thumbnails/', () => {
    const statements = statementsOfRole(stack, template, blueprint.thumbnailFunction.role);
    const s3Statements = statements.filter((s) => JSON.stringify(s.Action).includes('s3:'));
    const bucketArn = stack.resolve(blueprint.uploadsBucket.bucketArn);
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] });
    expect(s3Statements).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects('uploads/') },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: objects('thumbnails/') },
    ]);
  });

  test('the profile function may only UpdateItem on the profile table', () => {
    const statements = statementsOfRole(stack, template, blueprint.profileFunction.role)
      .filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    expect(statements).toEqual([expect.objectContaining({ Action: 'dynamodb:UpdateItem', Resource: [stack.resolve(blueprint.profileTable.tableArn)] })]);
  });

  test('the functions get the settings their handlers read; the thumbnail function has memory for 24 megapixels (1216 MB) and 60 seconds', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Writes the thumbnail of an uploaded photo (photo-upload blueprint)',
      MemorySize: 1216,
      Timeout: 60,
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'photo-upload',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          UPLOAD_PREFIX: 'uploads/',
          THUMBNAIL_PREFIX: 'thumbnails/',
          THUMBNAIL_SIZE: '256',
          MAX_IMAGE_BYTES: '15728640',
          MAX_IMAGE_PIXELS: '24000000',
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Makes an uploaded photo the user\'s latest profile photo (photo-upload blueprint)',
      MemorySize: 256,
      Timeout: 30,
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'photo-upload',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          UPLOAD_PREFIX: 'uploads/',
          THUMBNAIL_PREFIX: 'thumbnails/',
          PROFILE_TABLE_NAME: stack.resolve(blueprint.profileTable.tableName),
        },
      },
    });
  });

  test('profile table (userId) with the blueprint table defaults, kept on delete', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('the registry holds the schemas of the S3 event and of the notification', () => {
    expect(blueprint.registry).toBeInstanceOf(SchemaRegistry);
    template.resourceCountIs('AWS::EventSchemas::Schema', 2);
    template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'aws.s3@ObjectCreated', Type: 'JSONSchemaDraft4' });
    template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'photo-upload@PhotoUploadedNotification', Type: 'JSONSchemaDraft4' });
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('PhotoUpload overrides', () => {
  test('prefixes, thumbnail size and limits reach the rule and the functions', () => {
    const { template } = build({
      uploadPrefix: 'in/photos/', thumbnailPrefix: 'out/thumbs/', thumbnailSize: 128, maxImageSize: Size.mebibytes(2), maxImagePixels: 1_000_000,
    });
    const rule = ruleOf(template);
    expect(rule.EventPattern.detail.object.key[0]).toEqual({ wildcard: 'in/photos/*.jpg' });
    expect(rule.EventPattern.detail.object.size).toEqual([{ numeric: ['>', 0, '<=', 2 * 1024 * 1024] }]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ UPLOAD_PREFIX: 'in/photos/', THUMBNAIL_PREFIX: 'out/thumbs/', THUMBNAIL_SIZE: '128', MAX_IMAGE_BYTES: '2097152', MAX_IMAGE_PIXELS: '1000000' }) },
    });
  });

  test('your own profile table, topic and registry are used; none is created', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const profileTable = new dynamodb.Table(stack, 'Profiles', { partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING } });
    const notificationTopic = new sns.Topic(stack, 'Followers');
    const registry = new SchemaRegistry(stack, 'Registry');
    const blueprint = new PhotoUpload(stack, 'Photos', { profileTable, notificationTopic, registry });
    const template = Template.fromStack(stack);
    expect(blueprint.profileTable).toBe(profileTable);
    expect(blueprint.notificationTopic).toBe(notificationTopic);
    expect(blueprint.notificationKey).toBeUndefined();
    expect(blueprint.registry).toBe(registry);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    expect(ruleOf(template).Targets[2].Arn).toEqual(stack.resolve(notificationTopic.topicArn));
  });

  test('server access logs go to the given bucket', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const logs = new s3.Bucket(stack, 'Logs');
    new PhotoUpload(stack, 'Photos', { serverAccessLogsBucket: logs });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: stack.resolve(logs.bucketName) },
      NotificationConfiguration: Match.anyValue(),
    });
  });

  test('removalPolicy applies to the bucket and the table', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  test('retries, event age and alarm actions reach the route and the functions', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const topic = new sns.Topic(stack, 'Alarms');
    const blueprint = new PhotoUpload(stack, 'Photos', { retryAttempts: 3, alarmActions: [new actions.SnsAction(topic)] });
    const template = Template.fromStack(stack);
    for (const target of ruleOf(template).Targets) {
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 86400 });
    }
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
    // The route's dead-letter queue and the two functions' on-failure queues.
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([stack.resolve(topic.topicArn)]);
    expect(blueprint.route.deadLetterQueueAlarm).toBeDefined();
  });

  test('alarms: false creates no alarm', () => {
    const { template } = build({ alarms: false });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('addConsumer adds a reliable target that gets the whole S3 event', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const blueprint = new PhotoUpload(stack, 'Photos');
    const queue = new sqs.Queue(stack, 'Audit');
    blueprint.addConsumer(new targets.SqsQueue(queue));
    const extra = ruleOf(Template.fromStack(stack)).Targets[3];
    expect(extra.Arn).toEqual(stack.resolve(queue.queueArn));
    expect(extra.InputTransformer).toBeUndefined();
    expect(extra.DeadLetterConfig).toEqual({ Arn: stack.resolve(blueprint.route.deadLetterQueue.queueArn) });
  });

  test.each([
    [1_000_000, 512, 60],
    [12_000_000, 768, 60],
    [24_000_000, 1216, 60],
    [50_000_000, 2176, 60],
    [75_000_000, 3136, 70],
    [100_000_000, 4096, 83],
  ])('the thumbnail function\'s memory and timeout follow maxImagePixels: %i pixels, %i MB, %i s', (maxImagePixels, memory, timeout) => {
    const { blueprint, stack } = build({ maxImagePixels });
    const fn = blueprint.thumbnailFunction.function.node.defaultChild as lambda.CfnFunction;
    expect(stack.resolve(fn.memorySize)).toBe(memory);
    expect(stack.resolve(fn.timeout)).toBe(timeout);
  });

  test('tokens are not checked at synth', () => {
    const lazy = Lazy.number({ produce: () => 512 });
    const { template } = build({ thumbnailSize: lazy, maxImagePixels: lazy, maxImageSize: Size.bytes(lazy) });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ THUMBNAIL_SIZE: '512', MAX_IMAGE_PIXELS: '512', MAX_IMAGE_BYTES: '512' }) },
    });
    // Memory and timeout for the largest pixel limit allowed.
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 4096, Timeout: 83 });
    // The rule cannot hold an unresolved size: it keeps only the lower bound, the function checks the rest.
    expect(ruleOf(template).EventPattern.detail.object.size).toEqual([{ numeric: ['>', 0] }]);
  });
});

describe('PhotoUpload validation', () => {
  test.each([
    ['uploadPrefix', { uploadPrefix: 'uploads' }, 'uploadPrefix must be 1 to 100 characters of letters, digits, ".", "_", "-" and "/", not starting with "/", without "//", ending in "/", got "uploads"'],
    ['uploadPrefix', { uploadPrefix: '/uploads/' }, 'got "/uploads/"'],
    ['uploadPrefix', { uploadPrefix: 'up*loads/' }, 'got "up*loads/"'],
    ['thumbnailPrefix', { thumbnailPrefix: 'a//b/' }, 'thumbnailPrefix must be 1 to 100 characters'],
    ['thumbnailPrefix', { thumbnailPrefix: `${'x'.repeat(100)}/` }, 'thumbnailPrefix must be 1 to 100 characters'],
  ])('throws when %s is malformed (%j)', (_prop, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('throws when thumbnails would be written under the upload prefix (recursion)', () => {
    expect(() => build({ uploadPrefix: 'photos/', thumbnailPrefix: 'photos/thumbnails/' })).toThrow(
      "PhotoUpload 'Test/Photos': thumbnailPrefix must lie outside uploadPrefix (\"photos/\") and not contain it, got \"photos/thumbnails/\": "
      + 'thumbnails written there would match the upload rule and trigger the thumbnail function again, for ever');
  });

  test('throws when the upload prefix lies inside the thumbnail prefix', () => {
    expect(() => build({ uploadPrefix: 'media/uploads/', thumbnailPrefix: 'media/' })).toThrow(/thumbnailPrefix must lie outside uploadPrefix/);
  });

  test('throws when a prefix is a token', () => {
    expect(() => build({ uploadPrefix: Lazy.string({ produce: () => 'uploads/' }) }))
      .toThrow("PhotoUpload 'Test/Photos': uploadPrefix must be a literal string: it is compiled into the rule's wildcard pattern at synth, got a token");
  });

  test.each([
    [{ thumbnailSize: 15 }, 'thumbnailSize must be a whole number between 16 and 2048, got 15'],
    [{ thumbnailSize: 100.5 }, 'thumbnailSize must be a whole number between 16 and 2048, got 100.5'],
    [{ maxImagePixels: 0 }, 'maxImagePixels must be a whole number between 1 and 100000000, got 0'],
    [{ maxImageSize: Size.mebibytes(51) }, 'maxImageSize must be a whole number between 1 and 52428800 bytes, got 53477376 bytes'],
  ])('throws on %j', (props, message) => {
    expect(() => build(props)).toThrow(`PhotoUpload 'Test/Photos': ${message}`);
  });

  test('throws when the profile table has another key', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const profileTable = new dynamodb.Table(stack, 'Profiles', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    expect(() => new PhotoUpload(stack, 'Photos', { profileTable }))
      .toThrow(/PhotoUpload 'Test\/Photos': profileTable must have partition key "userId" \(S\) and sort key none, got partition key "id" \(S\)/);
  });

  test('fails synth when addEventNotification() would replace the native EventBridge setting', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const blueprint = new PhotoUpload(stack, 'Photos');
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    blueprint.uploadsBucket.addEventNotification(s3.EventType.OBJECT_REMOVED, new s3n.LambdaDestination(fn));
    expect(() => Template.fromStack(stack)).toThrow(/the uploads bucket's notifications are set natively \(EventBridge\); do not call addEventNotification\(\) on it/);
  });
});

describe('PhotoUpload uploadsBucketName', () => {
  test('names the bucket and goes into the rule as a literal', () => {
    const { template } = build({ uploadsBucketName: 'example-photos' });
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'example-photos' });
    expect(ruleOf(template).EventPattern.detail.bucket).toEqual({ name: ['example-photos'] });
  });

  test('throws on a name S3 refuses', () => {
    expect(() => build({ uploadsBucketName: 'Example_Photos' })).toThrow(
      "PhotoUpload 'Test/Photos': uploadsBucketName must be 3 to 63 lower-case letters, digits, \".\" and \"-\", starting and ending with a letter or digit, got \"Example_Photos\"");
  });

  test('a token name is not checked, and the rule refers to the bucket', () => {
    const { stack, blueprint, template } = build({ uploadsBucketName: Lazy.string({ produce: () => 'Not_Checked' }) });
    expect(ruleOf(template).EventPattern.detail.bucket).toEqual({ name: [stack.resolve(blueprint.uploadsBucket.bucketName)] });
  });
});
