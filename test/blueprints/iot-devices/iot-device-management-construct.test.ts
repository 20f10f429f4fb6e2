import {
  App,
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  aws_cloudwatch_actions as actions,
  aws_logs as logs,
  aws_s3 as s3,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { stateMachineDefinition } from './state-machine-definition';
import { IotDeviceManagement, IotDeviceManagementProps } from '../../../src/blueprints/iot-devices';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: ENV });
}

function synth(props: (stack: Stack) => IotDeviceManagementProps = () => ({})) {
  const stack = newStack();
  const blueprint = new IotDeviceManagement(stack, 'Iot', props(stack));
  return { stack, blueprint, template: Template.fromStack(stack) };
}

const definition = stateMachineDefinition;

function ruleByDescription(template: Template, text: RegExp): any {
  const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
  const found = rules.filter((r) => text.test(r.Properties.Description));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

describe('IotDeviceManagement with its defaults', () => {
  let blueprint: IotDeviceManagement;
  let template: Template;
  let stack: Stack;
  beforeAll(() => {
    ({ blueprint, template, stack } = synth());
  });

  test('an IoT topic rule on devices/+/status: device id from the topic, receive time, the known fields only', () => {
    template.resourceCountIs('AWS::IoT::TopicRule', 1);
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: {
        Sql: "SELECT topic(2) AS deviceId, timestamp() AS receivedAt, state, batteryPercent, errorCode, firmwareVersion, sequence, sentAt, metrics FROM 'devices/+/status'",
        AwsIotSqlVersion: '2016-03-23',
        RuleDisabled: false,
      },
    });
  });

  test('the rule sends to the encrypted status queue and its error action to the error queue, with one role', () => {
    const id = (c: any) => stack.resolve(c.node.defaultChild.logicalId);
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: {
        Actions: [{ Sqs: { QueueUrl: { Ref: id(blueprint.statusQueue) }, RoleArn: { 'Fn::GetAtt': [id(blueprint.statusRuleRole), 'Arn'] }, UseBase64: false } }],
        ErrorAction: { Sqs: { QueueUrl: { Ref: id(blueprint.statusRuleErrorQueue) }, RoleArn: { 'Fn::GetAtt': [id(blueprint.statusRuleRole), 'Arn'] }, UseBase64: false } },
      },
    });
  });

  test('the rule role trusts AWS IoT of this account only and may send to the two queues only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Principal: { Service: 'iot.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
        }],
      },
    });
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p.Properties.Roles).includes('StatusRuleRole')) as any;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => s.Action)).toEqual([
      ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
    ]);
  });

  test('the status queue: SSE-SQS, TLS only, dead-letter queue after 5 receives; both other queues are dead-letter queues', () => {
    const id = (c: any) => stack.resolve(c.node.defaultChild.logicalId);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 60,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [id(blueprint.statusDeadLetterQueue), 'Arn'] }, maxReceiveCount: 5 },
    });
    for (const queue of [blueprint.statusDeadLetterQueue, blueprint.statusRuleErrorQueue]) {
      expect(template.toJSON().Resources[id(queue)].Properties).toEqual({ MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
    }
  });

  test('the pipe: status queue to the bus as DeviceStatusReported from com.example.iot, the body as detail, batches of 10', () => {
    template.resourceCountIs('AWS::Pipes::Pipe', 1);
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      Source: { 'Fn::GetAtt': [Match.stringLikeRegexp('IotStatusQueue'), 'Arn'] },
      SourceParameters: { SqsQueueParameters: { BatchSize: 10 } },
      Target: { 'Fn::GetAtt': [Match.stringLikeRegexp('IotEventBus'), 'Arn'] },
      TargetParameters: {
        InputTemplate: '<$.body>',
        EventBridgeEventBusParameters: { DetailType: 'DeviceStatusReported', Source: 'com.example.iot' },
      },
      LogConfiguration: { Level: 'ERROR', CloudwatchLogsLogDestination: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('IotStatusPipeLogGroup'), 'Arn'] } } },
    });
  });

  test('the pipe role: consume the status queue, put events on the bus, write the pipe log; created before the pipe', () => {
    const resources = template.toJSON().Resources;
    const pipe = Object.values<any>(resources).find((r) => r.Type === 'AWS::Pipes::Pipe');
    const policyId = pipe.DependsOn[0];
    expect(pipe.DependsOn).toEqual([expect.stringMatching(/StatusPipeRoleDefaultPolicy/)]);
    const actionsOf = resources[policyId].Properties.PolicyDocument.Statement.map((s: any) => s.Action);
    expect(actionsOf).toHaveLength(3);
    expect(actionsOf).toEqual(expect.arrayContaining([
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']),
      'events:PutEvents',
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
    ]));
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'pipes.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }] },
    });
  });

  test('every status goes to Firehose and to the status log group (one rule, two targets, dead-letter queue)', () => {
    const rule = ruleByDescription(template, /Every device status/);
    expect(rule.EventPattern).toEqual({ 'source': ['com.example.iot'], 'detail-type': ['DeviceStatusReported'] });
    expect(rule.Targets).toHaveLength(2);
    expect(rule.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/IotAnalysisStream/), 'Arn'] });
    expect(JSON.stringify(rule.Targets[1].Arn)).toMatch(/log-group:.*IotStatusLogGroup/);
    for (const target of rule.Targets) {
      expect(target.DeadLetterConfig.Arn['Fn::GetAtt'][0]).toMatch(/IotStatusRouteDeadLetterQueue/);
    }
  });

  test('ONE CloudWatch Logs resource policy, scoped to the status route\'s rule and this account', () => {
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    expect(blueprint.logResourcePolicy).toBeDefined();
    const policy = JSON.parse(Object.values<any>(template.findResources('AWS::Logs::ResourcePolicy'))[0].Properties.PolicyDocument['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : 'X')).join(''));
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
    template.resourceCountIs('Custom::CloudwatchLogResourcePolicy', 0);
  });

  test('Firehose: encrypted, GZIP, partitioned by the IoT receive day, newline-delimited records, 64 MiB / 5 minutes', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CompressionFormat: 'GZIP',
        Prefix: 'status/day=!{partitionKeyFromQuery:day}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/',
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 64 },
        DynamicPartitioningConfiguration: { Enabled: true },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            { Type: 'MetadataExtraction', Parameters: Match.arrayWith([{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{"day":(.detail.receivedAt / 1000 | floor | todate | .[0:10])}' }]) },
            { Type: 'AppendDelimiterToRecord', Parameters: [] },
          ],
        },
      }),
    });
  });

  test('the analysis bucket is private, TLS only, versioned, retained, with server access logs', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        LoggingConfiguration: { LogFilePrefix: 'analysis-bucket/' },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('the status log group keeps one month; the pipe log one year', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    const id = stack.resolve((blueprint.pipeLogGroup.node.defaultChild as logs.CfnLogGroup).logicalId);
    expect(template.toJSON().Resources[id].Properties.RetentionInDays).toBe(365);
  });

  test('faults (any error code, battery below 20) go to the maintenance state machine', () => {
    const rule = ruleByDescription(template, /Faulty device statuses/);
    expect(rule.EventPattern).toEqual({
      'source': ['com.example.iot'],
      'detail-type': ['DeviceStatusReported'],
      'detail': { $or: [{ errorCode: [{ wildcard: '*' }] }, { batteryPercent: [{ numeric: ['<', 20] }] }] },
    });
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { Ref: expect.stringMatching(/IotMaintenanceWorkflow/) }, RoleArn: expect.anything(), DeadLetterConfig: expect.anything() })]);
    expect(blueprint.faultPattern.detail).toEqual(rule.EventPattern.detail);
  });

  test('the tickets table: partition key ticketId, TTL expiresAt, on-demand, PITR, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'ticketId', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('the state machine: standard, JSONata, X-Ray, logs ALL without execution data under /aws/vendedlogs/', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/') });
    const def = definition(template);
    expect(def.QueryLanguage).toBe('JSONata');
    expect(def.TimeoutSeconds).toBe(4 * 3600 + 300 + 3600);
  });

  test('the workflow: classify, conditional ticket put, announce, poll every 5 minutes, escalate', () => {
    const def = definition(template);
    expect(def.StartAt).toBe('Classify');
    expect(def.States.RecordTicket.Arguments.ConditionExpression).toBe('attribute_not_exists(ticketId)');
    expect(def.States.RecordTicket.Catch).toEqual([{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'CountRepeat' }]);
    expect(def.States.RecordTicket.Next).toBe('AnnounceTicket');
    expect(def.States.AnnounceTicket.Arguments.Entries[0]).toMatchObject({ DetailType: 'MaintenanceTicketOpened', Source: 'com.example.maintenance' });
    expect(def.States.WaitForAcknowledgement).toEqual({ Type: 'Wait', Seconds: 300, Next: 'ReadTicket' });
    expect(def.States.ReadTicket.Arguments.ConsistentRead).toBe(true);
    expect(def.States.AcknowledgedYet.Choices.map((c: any) => c.Next)).toEqual(['Acknowledged', 'Escalate']);
    expect(def.States.AcknowledgedYet.Default).toBe('WaitForAcknowledgement');
    expect(def.States.Escalate.Arguments).toMatchObject({ ConditionExpression: '#status = :open', UpdateExpression: 'SET #status = :escalated' });
    expect(def.States.Escalate.Catch).toEqual([{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'Acknowledged' }]);
    expect(def.States.AnnounceEscalation.Next).toBe('Escalated');
    expect(def.States.NotifyEscalation).toBeUndefined();
  });

  test('alarms: status dead-letter queue, rule error queue, failed executions, and the routes\' dead-letter queues', () => {
    expect(blueprint.alarms).toHaveLength(3);
    // + the bus's alarms and one per route dead-letter queue
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed', Threshold: 1 });
  });

  test('contracts of the three events are published in a new registry', () => {
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.resourceCountIs('AWS::EventSchemas::Schema', 3);
    expect([blueprint.deviceStatusReported, blueprint.maintenanceTicketOpened, blueprint.maintenanceEscalated].map((c) => `${c.source}/${c.detailType}`))
      .toEqual(['com.example.iot/DeviceStatusReported', 'com.example.maintenance/MaintenanceTicketOpened', 'com.example.maintenance/MaintenanceEscalated']);
  });
});

describe('IotDeviceManagement overrides', () => {
  test('statusTopic with the device id at another level', () => {
    const { template } = synth(() => ({ statusTopic: 'fleet/eu-1/+/telemetry/status' }));
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: { Sql: Match.stringLikeRegexp("^SELECT topic\\(3\\) AS deviceId, .* FROM 'fleet/eu-1/\\+/telemetry/status'$") },
    });
  });

  test('faultErrorCodes and lowBatteryThreshold shape the fault pattern (duplicates removed)', () => {
    const { blueprint } = synth(() => ({ faultErrorCodes: ['E42', 'OVERHEAT', 'E42'], lowBatteryThreshold: 15.5 }));
    expect(blueprint.faultPattern.detail).toEqual({ $or: [{ errorCode: ['E42', 'OVERHEAT'] }, { batteryPercent: [{ numeric: ['<', 15.5] }] }] });
  });

  test('statusSource and maintenanceSource', () => {
    const { template } = synth(() => ({ statusSource: 'com.acme.devices', maintenanceSource: 'com.acme.maintenance' }));
    template.hasResourceProperties('AWS::Pipes::Pipe', { TargetParameters: { EventBridgeEventBusParameters: { Source: 'com.acme.devices' } } });
    expect(ruleByDescription(template, /Faulty/).EventPattern.source).toEqual(['com.acme.devices']);
    expect(definition(template).States.AnnounceTicket.Arguments.Entries[0].Source).toBe('com.acme.maintenance');
  });

  test('acknowledgement timeout and poll interval reach the workflow; faultWindow the ticket id', () => {
    const { template } = synth(() => ({
      acknowledgementTimeout: Duration.hours(1), acknowledgementPollInterval: Duration.minutes(1), faultWindow: Duration.minutes(15),
    }));
    const def = definition(template);
    expect(def.States.WaitForAcknowledgement.Seconds).toBe(60);
    expect(def.States.Classify.Assign.deadlineMs).toContain('+ 3600000');
    expect(def.States.Classify.Assign.ticketId).toContain('/ 900000) * 900000');
    expect(def.TimeoutSeconds).toBe(3600 + 60 + 3600);
  });

  test('escalationTopic gets a notification after the escalation event', () => {
    const { template } = synth((s) => ({ escalationTopic: new sns.Topic(s, 'Topic', { enforceSSL: true }) }));
    const def = definition(template);
    expect(def.States.AnnounceEscalation.Next).toBe('NotifyEscalation');
    expect(def.States.NotifyEscalation.Next).toBe('Escalated');
    expect(def.States.NotifyEscalation.Resource).toContain(':states:::sns:publish');
  });

  test('your own bucket: no bucket created, the stream writes to yours', () => {
    const { template } = synth((s) => ({ analysisBucket: s3.Bucket.fromBucketName(s, 'B', 'my-analysis') }));
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(JSON.stringify(template.findResources('AWS::KinesisFirehose::DeliveryStream'))).toContain('my-analysis');
  });

  test('your own log group gets the resource policy statement; logResourcePolicy: false creates none', () => {
    const own = synth((s) => ({ statusLogGroup: logs.LogGroup.fromLogGroupName(s, 'L', 'device-statuses') }));
    own.template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    expect(JSON.stringify(own.template.findResources('AWS::Logs::ResourcePolicy'))).toContain('device-statuses');
    const none = synth(() => ({ logResourcePolicy: false }));
    none.template.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
    expect(none.blueprint.logResourcePolicy).toBeUndefined();
  });

  test('two blueprints in one stack share ONE logs resource policy, a statement each', () => {
    const stack = newStack();
    new IotDeviceManagement(stack, 'A');
    new IotDeviceManagement(stack, 'B', { statusTopic: 'b/+/status' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    const doc = JSON.stringify(Object.values<any>(template.findResources('AWS::Logs::ResourcePolicy'))[0].Properties.PolicyDocument);
    expect(doc.match(/events\.amazonaws\.com/g)).toHaveLength(2);
  });

  test('batchSize and maximumBatchingWindow reach the pipe', () => {
    const { template } = synth(() => ({ batchSize: 1, maximumBatchingWindow: Duration.seconds(0) }));
    template.hasResourceProperties('AWS::Pipes::Pipe', { SourceParameters: { SqsQueueParameters: { BatchSize: 1, MaximumBatchingWindowInSeconds: 0 } } });
  });

  test('statusLogRetention, analysisBufferingInterval and removalPolicy', () => {
    const { template } = synth(() => ({
      statusLogRetention: logs.RetentionDays.ONE_WEEK, analysisBufferingInterval: Duration.seconds(60), removalPolicy: RemovalPolicy.DESTROY,
    }));
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({ BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 64 } }),
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  test('alarms: false creates none of the blueprint\'s alarms; alarmActions reach them', () => {
    const off = synth(() => ({ alarms: false }));
    off.template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(off.blueprint.alarms).toEqual([]);
    const on = synth((s) => ({ alarmActions: [new actions.SnsAction(new sns.Topic(s, 'Ops'))] }));
    for (const alarm of on.blueprint.alarms) {
      expect(on.stack.resolve((alarm.node.defaultChild as any).alarmActions)).toEqual([{ Ref: expect.stringMatching(/^Ops/) }]);
    }
  });

  test('tokens: batchSize and the batching window are passed through unchecked', () => {
    const lazy = Lazy.number({ produce: () => 4 });
    const { template } = synth(() => ({ batchSize: lazy }));
    template.hasResourceProperties('AWS::Pipes::Pipe', { SourceParameters: { SqsQueueParameters: { BatchSize: 4 } } });
  });
});

describe('IotDeviceManagement with heartbeatTimeout', () => {
  let blueprint: IotDeviceManagement;
  let template: Template;
  let stack: Stack;
  beforeAll(() => {
    ({ blueprint, template, stack } = synth(() => ({ heartbeatTimeout: Duration.minutes(15) })));
  });

  test('without it: no last-seen table, no check function, no schedule, one rule action', () => {
    const { blueprint: plain, template: t } = synth();
    const optional = [
      plain.lastSeenTable, plain.lastSeenRule, plain.heartbeatCheckFunction,
      plain.heartbeatSchedule, plain.heartbeatRoute, plain.deviceHeartbeatMissed,
    ];
    expect(optional).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
    t.resourceCountIs('AWS::Lambda::Function', 0);
    t.resourceCountIs('AWS::DynamoDB::Table', 1);
  });

  test('a last-seen rule puts each device\'s id and receive time, nothing the device sends, into the last-seen table (partition key deviceId)', () => {
    const id = (c: any) => stack.resolve(c.node.defaultChild.logicalId);
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: {
        Sql: "SELECT topic(2) AS deviceId, timestamp() AS receivedAt FROM 'devices/+/status'",
        Actions: [
          { DynamoDBv2: { PutItem: { TableName: { Ref: id(blueprint.lastSeenTable) } }, RoleArn: { 'Fn::GetAtt': [id(blueprint.statusRuleRole), 'Arn'] } } },
        ],
        ErrorAction: { Sqs: Match.objectLike({ RoleArn: { 'Fn::GetAtt': [id(blueprint.statusRuleRole), 'Arn'] } }) },
      },
    });
    expect(blueprint.lastSeenRule).toBeDefined();
    // The status rule keeps its one action (the queue).
    template.hasResourceProperties('AWS::IoT::TopicRule', { TopicRulePayload: { Actions: [Match.objectLike({ Sqs: Match.anyValue() })] } });
    template.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'deviceId', KeyType: 'HASH' }] });
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p.Properties.Roles).includes('StatusRuleRole')) as any;
    expect(policy.Properties.PolicyDocument.Statement.map((st: any) => st.Action)).toContainEqual('dynamodb:PutItem');
  });

  test('the check function: every 5 minutes, timeout and table in its environment, Scan/UpdateItem and PutEvents only', () => {
    const fn = blueprint.heartbeatCheckFunction!;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      Environment: { Variables: Match.objectLike({ HEARTBEAT_TIMEOUT_SECONDS: '900', EVENT_SOURCE: 'com.example.iot', LAST_SEEN_TABLE_NAME: { Ref: stack.resolve((blueprint.lastSeenTable!.node.defaultChild as any).logicalId) } }) },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [stack.resolve((fn.function.node.defaultChild as any).logicalId), 'Arn'] } })] });
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p.Properties.Roles).includes('HeartbeatCheckRole')) as any;
    const granted = policy.Properties.PolicyDocument.Statement.flatMap((st: any) => [st.Action].flat());
    expect(granted).toEqual(expect.arrayContaining(['dynamodb:Scan', 'dynamodb:UpdateItem', 'events:PutEvents']));
    // Scan and mark, and the scan cursor a run leaves for the next (GetItem, UpdateItem); no delete.
    expect(granted.filter((a: string) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:Scan', 'dynamodb:UpdateItem', 'dynamodb:GetItem']);
  });

  test('DeviceHeartbeatMissed has a contract and a route to the state machine', () => {
    expect(`${blueprint.deviceHeartbeatMissed!.source}/${blueprint.deviceHeartbeatMissed!.detailType}`).toBe('com.example.iot/DeviceHeartbeatMissed');
    const rule = ruleByDescription(template, /Missed heartbeats/);
    expect(rule.EventPattern).toEqual({ 'source': ['com.example.iot'], 'detail-type': ['DeviceHeartbeatMissed'] });
    expect(rule.Targets[0].Arn).toEqual({ Ref: expect.stringMatching(/IotMaintenanceWorkflow/) });
    template.resourceCountIs('AWS::EventSchemas::Schema', 4);
  });

  test('heartbeatCheckInterval sets the schedule', () => {
    const { template: t } = synth(() => ({ heartbeatTimeout: Duration.hours(1), heartbeatCheckInterval: Duration.minutes(10) }));
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(10 minutes)' });
  });
});

describe('IotDeviceManagement errors', () => {
  test.each<[string, (stack: Stack) => IotDeviceManagementProps, RegExp]>([
    ['statusTopic has no + level', () => ({ statusTopic: 'devices/status' }), /statusTopic must have exactly one "\+" level, the device id \(thing name\), got 0; got "devices\/status"/],
    ['statusTopic has two + levels', () => ({ statusTopic: '+/+/status' }), /statusTopic must have exactly one "\+" level.*got 2/],
    ['statusTopic has #', () => ({ statusTopic: 'devices/+/#' }), /statusTopic must not contain "#": the device id level must have a fixed position/],
    ['statusTopic is reserved', () => ({ statusTopic: '$aws/things/+/shadow' }), /statusTopic must not start with "\$" \(reserved AWS IoT topics\)/],
    ['statusTopic has a quote (SQL injection)', () => ({ statusTopic: "devices/+/status' OR '1" }), /statusTopic has the level "status' OR '1"; levels are "\+" or letters, digits/],
    ['statusTopic has an empty level', () => ({ statusTopic: 'devices//+' }), /statusTopic has the level ""/],
    ['statusTopic has 9 levels', () => ({ statusTopic: 'a/b/c/d/e/f/g/h/+' }), /statusTopic must have at most 8 levels \(AWS IoT allows 7 forward slashes\), got 9/],
    ['statusTopic is longer than 256 bytes', () => ({ statusTopic: `${'a'.repeat(255)}/+` }), /statusTopic must be at most 256 bytes/],
    ['statusTopic is empty', () => ({ statusTopic: '' }), /statusTopic must not be empty/],
    ['statusTopic is a token', () => ({ statusTopic: Lazy.string({ produce: () => 'a/+' }) }), /statusTopic must be a literal topic filter/],
    ['faultErrorCodes is empty', () => ({ faultErrorCodes: [] }), /faultErrorCodes must list 1 to 100 error codes \(omit it to make any error code a fault\), got 0/],
    ['faultErrorCodes has 101 codes', () => ({ faultErrorCodes: Array.from({ length: 101 }, (_, i) => `E${i}`) }), /faultErrorCodes must list 1 to 100 error codes.*got 101/],
    ['a fault error code has a space', () => ({ faultErrorCodes: ['E1', 'bad code'] }), /faultErrorCodes entries must be literal codes of 1 to 64 letters, digits, "_", ".", ":" or "-", got "bad code"/],
    ['a fault error code could close a JSONata block', () => ({ faultErrorCodes: ['%}'] }), /faultErrorCodes entries must be literal codes.*got "%}"/],
    ['lowBatteryThreshold is 0', () => ({ lowBatteryThreshold: 0 }), /lowBatteryThreshold must be a battery percentage from 1 to 100 \(a level strictly below it is a fault\), got 0/],
    ['lowBatteryThreshold is 101', () => ({ lowBatteryThreshold: 101 }), /lowBatteryThreshold must be a battery percentage from 1 to 100.*got 101/],
    ['lowBatteryThreshold is NaN', () => ({ lowBatteryThreshold: NaN }), /lowBatteryThreshold must be a battery percentage.*got null/],
    ['lowBatteryThreshold is a token', () => ({ lowBatteryThreshold: Lazy.number({ produce: () => 10 }) }), /lowBatteryThreshold must be a literal number/],
    ['batchSize is 11', () => ({ batchSize: 11 }), /batchSize must be a whole number from 1 to 10 \(PutEvents takes at most 10 entries\), got 11/],
    ['batchSize is 0', () => ({ batchSize: 0 }), /batchSize must be a whole number from 1 to 10.*got 0/],
    ['maximumBatchingWindow is 301 seconds', () => ({ maximumBatchingWindow: Duration.seconds(301) }), /maximumBatchingWindow must be between 0 and 300 seconds, got 301 seconds/],
    ['analysisBufferingInterval is 901 seconds', () => ({ analysisBufferingInterval: Duration.seconds(901) }), /analysisBufferingInterval must be between 60 and 900 seconds \(Firehose's range with dynamic partitioning\), got 901 seconds/],
    ['analysisBufferingInterval is 59 seconds', () => ({ analysisBufferingInterval: Duration.seconds(59) }), /analysisBufferingInterval must be between 60 and 900 seconds.*got 59 seconds/],
    ['faultWindow is 90 seconds', () => ({ faultWindow: Duration.seconds(90) }), /faultWindow must be a whole number of minutes from 1 to 10080 \(7 days\), got 1 minute 30 seconds/],
    ['faultWindow is 8 days', () => ({ faultWindow: Duration.days(8) }), /faultWindow must be a whole number of minutes from 1 to 10080/],
    ['acknowledgementTimeout is 31 days', () => ({ acknowledgementTimeout: Duration.days(31) }), /acknowledgementTimeout must be a whole number of minutes from 1 to 43200 \(30 days\), got 31 days/],
    ['acknowledgementPollInterval is longer than the timeout', () => ({ acknowledgementTimeout: Duration.minutes(10), acknowledgementPollInterval: Duration.minutes(11) }), /acknowledgementPollInterval must be at most acknowledgementTimeout \(10 minutes\), got 11 minutes/],
    ['statusLogRetention is given with statusLogGroup', (s) => ({ statusLogGroup: logs.LogGroup.fromLogGroupName(s, 'L', 'x'), statusLogRetention: logs.RetentionDays.ONE_DAY }), /statusLogRetention configures the log group the blueprint creates; it cannot be used with statusLogGroup/],
    ['heartbeatTimeout is 1 minute', () => ({ heartbeatTimeout: Duration.minutes(1) }), /heartbeatTimeout must be a whole number of minutes from 2 to 10080/],
    ['heartbeatCheckInterval is longer than heartbeatTimeout', () => ({ heartbeatTimeout: Duration.minutes(5), heartbeatCheckInterval: Duration.minutes(6) }), /heartbeatCheckInterval must be at most heartbeatTimeout \(5 minutes\), got 6 minutes/],
    ['heartbeatCheckInterval is given without heartbeatTimeout', () => ({ heartbeatCheckInterval: Duration.minutes(6) }), /heartbeatCheckInterval needs heartbeatTimeout/],
    ['statusLogRetention is 2 days', () => ({ statusLogRetention: 2 as logs.RetentionDays }), /statusLogRetention must be one of CloudWatch Logs' retention periods/],
  ])('throws when %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => new IotDeviceManagement(stack, 'Iot', props(stack))).toThrow(message);
  });

  test('error messages name the construct', () => {
    expect(() => new IotDeviceManagement(newStack(), 'Iot', { batchSize: 0 })).toThrow(/^IotDeviceManagement 'Test\/Iot': batchSize /);
  });
});
