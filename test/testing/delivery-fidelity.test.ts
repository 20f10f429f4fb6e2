import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, aws_events as events, aws_events_targets as targets, aws_iam as iam, aws_kinesis as kinesis, aws_lambda as lambda, aws_s3 as s3, aws_sqs as sqs, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AuditedService, CloudTrailAudit } from '../../src/blueprints';
import { ReliableRoute } from '../../src/core';
import { EventRouter, NonDeliveryReason, RouteAssertions, TargetHandlers } from '../../src/testing';
import { main } from '../../src/testing/cli';

// Each case models a documented EventBridge behaviour; the page is cited in src/testing/route-explanation.ts,
// src/private/target-kinds.ts and the README's "What the router models" list.

const ENV = { account: '111111111111', region: 'eu-west-1' };
const ORDER = { 'source': 'com.example.orders', 'detail-type': 'OrderPlaced', 'detail': { orderId: 'o-1' } };

function apiCall(eventName: string, extra: { [k: string]: any } = {}, source = 'aws.iam'): any {
  return { 'source': source, 'detail-type': 'AWS API Call via CloudTrail', 'detail': { eventSource: 'iam.amazonaws.com', eventName, readOnly: true, ...extra } };
}

function newStack(id = 'S'): Stack {
  return new Stack(new App(), id, { env: ENV });
}

describe('rule state (eb-service-event-cloudtrail-management.html, API_PutRule.html)', () => {
  const stack = newStack();
  const queue = new sqs.Queue(stack, 'Q');
  const pattern = { source: ['aws.iam', 'aws.sts', 'com.example.orders'] };
  new events.CfnRule(stack, 'Enabled', { eventPattern: pattern, state: 'ENABLED', targets: [{ id: 'T', arn: queue.queueArn }] });
  new events.CfnRule(stack, 'All', { eventPattern: pattern, state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS', targets: [{ id: 'T', arn: queue.queueArn }] });
  new events.CfnRule(stack, 'Off', { eventPattern: pattern, state: 'DISABLED', targets: [{ id: 'T', arn: queue.queueArn }] });
  const router = EventRouter.fromStack(stack);
  const rulesOf = (event: any) => router.route(event).map((d) => d.rule.logicalId);

  test('a DISABLED rule receives nothing, and explain() says why', () => {
    const result = router.explain(ORDER);
    expect(result.deliveries.map((d) => d.rule.logicalId)).toEqual(['Enabled', 'All']);
    expect(result.notDelivered).toEqual([expect.objectContaining({
      reason: NonDeliveryReason.RULE_DISABLED,
      message: 'rule S/Off matches the event but its state is DISABLED: EventBridge does not match events against it',
      documentation: 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html',
    })]);
    expect(result.notDelivered[0].rule.logicalId).toBe('Off');
    expect(result.notDelivered[0].target).toBeUndefined();
  });

  test('a read-only management event reaches only ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS rules', () => {
    expect(rulesOf(apiCall('GetRole'))).toEqual(['All']);
    const why = router.explain(apiCall('ListUsers')).notDelivered.find((n) => n.rule.logicalId === 'Enabled')!;
    expect(why.reason).toBe(NonDeliveryReason.READ_ONLY_MANAGEMENT_EVENT);
    expect(why.message).toBe('rule S/Enabled matches the event, but ListUsers is a read-only CloudTrail management event and the rule\'s state is ENABLED: only rules in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS receive it');
  });

  test('write calls, read-only calls not named Describe/Get/List, the STS Get* change events and data events reach ENABLED rules', () => {
    expect(rulesOf(apiCall('CreateUser', { readOnly: false }))).toEqual(['Enabled', 'All']);
    expect(rulesOf(apiCall('DescribeThing', { readOnly: false }))).toEqual(['Enabled', 'All']);
    expect(rulesOf(apiCall('Decrypt'))).toEqual(['Enabled', 'All']);
    expect(rulesOf(apiCall('GetSessionToken', {}, 'aws.sts'))).toEqual(['Enabled', 'All']);
    expect(rulesOf(apiCall('GetObject', { eventCategory: 'Data' }))).toEqual(['Enabled', 'All']);
  });

  test('RouteAssertions names the reason when a target is not reached', () => {
    expect(() => RouteAssertions.assertRoutes(router, apiCall('GetRole'), 'Enabled/T'))
      .toThrow(/not delivered \(READ_ONLY_MANAGEMENT_EVENT\): rule S\/Enabled matches the event, but GetRole is a read-only/);
  });
});

describe('the CloudTrail-audit blueprint picks the rule state for what it records', () => {
  const getRole = { ...apiCall('GetRole'), account: ENV.account, region: ENV.region };
  const createUser = { ...apiCall('CreateUser', { readOnly: false }), account: ENV.account, region: ENV.region };

  test('includeReadOnlyEvents: a read-only call reaches the log group', () => {
    const stack = newStack();
    const audit = new CloudTrailAudit(stack, 'Audit', { includeReadOnlyEvents: true });
    const router = EventRouter.fromStack(stack);
    expect(router.rules.find((r) => r.logicalId === EventRouter.logicalIdOf(audit.rule))!.state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(router.route(getRole).map((d) => d.target.logicalId)).toContain(EventRouter.logicalIdOf(audit.logGroup));
  });

  test('by default, write calls reach the log group and read-only calls do not', () => {
    const stack = newStack();
    const audit = new CloudTrailAudit(stack, 'Audit');
    const router = EventRouter.fromStack(stack);
    expect(router.route(createUser).map((d) => d.target.logicalId)).toContain(EventRouter.logicalIdOf(audit.logGroup));
    expect(router.route(getRole)).toEqual([]);
  });

  test('does not warn about the STS Get* calls that EventBridge delivers as change events', () => {
    const stack = newStack();
    new CloudTrailAudit(stack, 'Audit', { services: [AuditedService.of({ source: 'aws.sts', eventNames: ['GetSessionToken', 'GetCallerIdentity'] })] });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('read-only calls'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringContaining('read-only calls (GetCallerIdentity) that EventBridge only delivers with includeReadOnlyEvents: true')]);
  });
});

describe('target constraints (eb-service-cross-account.html, eb-cross-region.html, eb-events-iam-roles.html)', () => {
  const stack = newStack();
  const role = 'arn:aws:iam::111111111111:role/events';
  const rule = (id: string, target: any) => new events.CfnRule(stack, id, { eventPattern: { detail: { case: [id] } }, targets: [{ id: 'T', ...target }] });
  rule('LambdaOtherRegion', { arn: 'arn:aws:lambda:us-east-1:111111111111:function:f' });
  rule('QueueOtherAccountNoRole', { arn: 'arn:aws:sqs:eu-west-1:222222222222:q' });
  rule('QueueOtherAccountRole', { arn: 'arn:aws:sqs:eu-west-1:222222222222:q', roleArn: role });
  rule('StateMachineOtherAccount', { arn: 'arn:aws:states:eu-west-1:222222222222:stateMachine:m', roleArn: role });
  rule('StreamNoRole', { arn: new kinesis.Stream(stack, 'Stream').streamArn });
  rule('StreamRole', { arn: 'arn:aws:kinesis:eu-west-1:111111111111:stream/s', roleArn: role });
  rule('BusOtherRegion', { arn: 'arn:aws:events:us-east-1:111111111111:event-bus/default', roleArn: role });
  rule('DlqOtherRegion', { arn: new sqs.Queue(stack, 'Target').queueArn, deadLetterConfig: { arn: 'arn:aws:sqs:us-east-1:111111111111:dlq' } });
  const router = EventRouter.fromStack(stack);
  const explain = (c: string) => router.explain({ ...ORDER, region: ENV.region, detail: { case: c } });

  test.each([
    ['LambdaOtherRegion', NonDeliveryReason.TARGET_REGION_NOT_SUPPORTED, 'target T: a Lambda function in us-east-1 cannot receive events of a rule in eu-west-1: EventBridge sends events to another Region only through an event bus there'],
    ['QueueOtherAccountNoRole', NonDeliveryReason.TARGET_ROLE_MISSING, 'target T: a SQS queue in account 222222222222 needs an execution role (RoleArn) of the rule\'s account 111111111111: EventBridge delivers to another account\'s targets only with one'],
    ['StateMachineOtherAccount', NonDeliveryReason.TARGET_ACCOUNT_NOT_SUPPORTED, 'target T: a Step Functions state machine in account 222222222222 cannot receive events of a rule in account 111111111111: EventBridge sends to other accounts only API Gateway APIs, Kinesis streams, Lambda functions, SNS topics, SQS queues and event buses'],
    ['StreamNoRole', NonDeliveryReason.TARGET_ROLE_MISSING, 'target T: a Kinesis data stream needs an execution role (RoleArn): EventBridge calls it only with the IAM role given in the target'],
    ['DlqOtherRegion', NonDeliveryReason.DEAD_LETTER_QUEUE_REGION, 'target T: its dead-letter queue arn:aws:sqs:us-east-1:111111111111:dlq is in us-east-1, the rule in eu-west-1; the user guide does not state this limit, and aws-cdk-lib refuses such a queue'],
  ])('%s is a routing failure with a reason, never a delivery', (c, reason, message) => {
    const result = explain(c);
    expect(result.deliveries).toEqual([]);
    expect(result.notDelivered).toEqual([expect.objectContaining({ reason, message })]);
    expect(result.notDelivered[0].target!.id).toBe('T');
    expect(router.warnings).toContain(`rule S/${c}: ${message}`);
  });

  test.each(['QueueOtherAccountRole', 'StreamRole', 'BusOtherRegion'])('%s is delivered', (c) => {
    expect(explain(c)).toMatchObject({ deliveries: [expect.objectContaining({ target: expect.objectContaining({ id: 'T' }) })], notDelivered: [] });
  });

  test('ReliableRoute refuses a target EventBridge cannot reach', () => {
    const s = newStack('Synth');
    const fn = lambda.Function.fromFunctionArn(s, 'Fn', 'arn:aws:lambda:us-east-1:111111111111:function:f');
    expect(() => new ReliableRoute(s, 'Route', { eventPattern: { source: ['x'] }, targets: [new targets.LambdaFunction(fn)] })).toThrow(/^ReliableRoute 'Synth\/Route': target Target0 "arn:aws:lambda:us-east-1:111111111111:function:f": a Lambda function in us-east-1 cannot receive events of a rule in eu-west-1: EventBridge sends events to another Region only through an event bus there \(https:\/\/docs.aws.amazon.com\/eventbridge\/latest\/userguide\/eb-cross-region.html\)/);
  });

  test('ReliableRoute accepts a same-Region state machine (aws-cdk-lib gives it a role)', () => {
    const s = newStack('Ok');
    const machine = new sfn.StateMachine(s, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(s, 'P')) });
    new ReliableRoute(s, 'Route', { eventPattern: { source: ['x'] }, targets: [new targets.SfnStateMachine(machine)] });
    expect(() => App.of(s)!.synth()).not.toThrow();
    expect(EventRouter.fromStack(s).explain({ ...ORDER, source: 'x' }).notDelivered).toEqual([]);
  });

  test('ReliableRoute refuses a queue of another account without an execution role', () => {
    const s = newStack('Acct');
    const q = sqs.Queue.fromQueueArn(s, 'Q', 'arn:aws:sqs:eu-west-1:222222222222:q');
    expect(() => new ReliableRoute(s, 'Route', { eventPattern: { source: ['x'] }, targets: [new targets.SqsQueue(q)] })).toThrow(/target Target0 "arn:aws:sqs:eu-west-1:222222222222:q": a SQS queue in account 222222222222 needs an execution role/);
  });
});

describe('templates that cannot deploy (API_RetryPolicy.html, API_InputTransformer.html)', () => {
  const stack = newStack();
  const queue = new sqs.Queue(stack, 'Q');
  const fifo = new sqs.Queue(stack, 'Fifo', { fifo: true });
  const rule = (id: string, target: any) => new events.CfnRule(stack, id, { eventPattern: { detail: { case: [id] } }, targets: [{ id: 'T', arn: queue.queueArn, ...target }] });
  rule('TooManyRetries', { retryPolicy: { maximumRetryAttempts: 186 } });
  rule('TooYoung', { retryPolicy: { maximumEventAgeInSeconds: 59 } });
  rule('TooOld', { retryPolicy: { maximumEventAgeInSeconds: 86_401 } });
  rule('Reserved', { inputTransformer: { inputPathsMap: { 'aws.events.rule-arn': '$.id' }, inputTemplate: '"<aws.events.rule-arn>"' } });
  rule('AwsPrefix', { inputTransformer: { inputPathsMap: { 'AWS.mine': '$.id' }, inputTemplate: '"<AWS.mine>"' } });
  rule('Placeholder', { inputTransformer: { inputPathsMap: { id: '$.id' }, inputTemplate: '"<nope>"' } });
  rule('FifoDlq', { deadLetterConfig: { arn: fifo.queueArn } });
  rule('Edges', { retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 } });
  const router = EventRouter.fromStack(stack);

  test.each([
    ['TooManyRetries', 'target T: RetryPolicy.MaximumRetryAttempts must be an integer from 0 to 185, got 186'],
    ['TooYoung', 'target T: RetryPolicy.MaximumEventAgeInSeconds must be an integer from 60 to 86400, got 59'],
    ['TooOld', 'target T: RetryPolicy.MaximumEventAgeInSeconds must be an integer from 60 to 86400, got 86401'],
    ['Reserved', 'target T: InputPathsMap of target T uses the reserved variable name aws.events.rule-arn'],
    ['AwsPrefix', 'target T: InputPathsMap variable "AWS.mine" starts with "AWS.", which is reserved'],
    ['Placeholder', 'target T: InputTemplate for target T contains invalid placeholder nope.'],
    ['FifoDlq', expect.stringMatching(/^target T: the dead-letter queue \$\{GetAtt:Fifo[0-9A-F]+\.Arn\} is a FIFO queue; EventBridge dead-letter queues are standard SQS queues$/)],
  ])('%s is reported as undeployable, not simulated as valid', (c, message) => {
    const info = router.rules.find((r) => r.logicalId === c)!;
    expect(info.deployErrors).toEqual([message]);
    const event = { ...ORDER, detail: { case: c } };
    const result = router.explain(event);
    expect(result.deliveries).toEqual([]);
    expect(result.notDelivered).toEqual([expect.objectContaining({ reason: NonDeliveryReason.TEMPLATE_CANNOT_DEPLOY })]);
    expect(result.notDelivered[0].target).toBeUndefined();
    expect(router.warnings.some((w) => w.startsWith(`rule S/${c} cannot deploy, so it routes nothing: `))).toBe(true);
    expect(router.simulate([event])).toMatchObject({
      delivered: 0, deliveries: [], notDelivered: [expect.objectContaining({ reason: NonDeliveryReason.TEMPLATE_CANNOT_DEPLOY })],
    });
  });

  test('the limits themselves deploy', () => {
    expect(router.rules.find((r) => r.logicalId === 'Edges')!.deployErrors).toEqual([]);
    expect(router.route({ ...ORDER, detail: { case: 'Edges' } })).toHaveLength(1);
  });
});

describe('errors that are not retried (eb-rule-dlq.html)', () => {
  const stack = newStack();
  const dlq = new sqs.Queue(stack, 'Dlq');
  new events.Rule(stack, 'Rule', {
    eventPattern: { source: ['com.example.orders'] },
    targets: [new targets.SqsQueue(new sqs.Queue(stack, 'Q'), { deadLetterQueue: dlq, retryAttempts: 10, maxEventAge: Duration.hours(2) })],
  });
  new events.Rule(stack, 'NoDlq', { eventPattern: { source: ['com.example.orders'] }, targets: [new targets.SqsQueue(new sqs.Queue(stack, 'Q2'), { retryAttempts: 10 })] });
  const router = EventRouter.fromStack(stack);

  test.each([
    ['NO_RESOURCE', TargetHandlers.noResource('the queue was deleted'), 'the queue was deleted'],
    ['NO_PERMISSIONS', TargetHandlers.noPermissions(), 'EventBridge is not allowed to call the target'],
    // Any jsii language: the message starts with the code.
    ['NO_PERMISSIONS', { handle: () => { throw new Error('NO_PERMISSIONS: denied by the queue policy'); } }, 'NO_PERMISSIONS: denied by the queue policy'],
  ])('%s goes to the dead-letter queue after one attempt, without the retry schedule', (code, handler, message) => {
    const report = router.simulate([ORDER], { defaultHandler: handler });
    const [withDlq, dropped] = report.deliveries;
    expect(withDlq).toMatchObject({ outcome: 'DEAD_LETTERED', attempts: 1, elapsedSeconds: 0, notRetried: true, exhaustedRetryCondition: undefined, errorMessage: message });
    expect(withDlq.deadLetter!.attributes).toEqual({ ERROR_CODE: code, ERROR_MESSAGE: message, RETRY_ATTEMPTS: '0', RULE_ARN: withDlq.rule.arn, TARGET_ARN: withDlq.target.arn });
    expect(dropped).toMatchObject({ outcome: 'DROPPED', attempts: 1, notRetried: true });
    expect(report.totalAttempts).toBe(2);
  });

  test('a retried error keeps the retry schedule', () => {
    const report = router.simulate([ORDER], { defaultHandler: TargetHandlers.fail('busy', 'THROTTLING') });
    expect(report.deliveries[0]).toMatchObject({ outcome: 'DEAD_LETTERED', attempts: 11, notRetried: false, exhaustedRetryCondition: 'MaximumRetryAttempts' });
  });
});

describe('values only known at deploy time in patterns', () => {
  const app = new App();
  const storage = new Stack(app, 'Storage', { env: ENV });
  const bucket = new s3.Bucket(storage, 'Uploads');
  const team = new Stack(app, 'Team', { env: ENV });
  const queue = new sqs.Queue(team, 'Q');
  new events.Rule(team, 'OnUpload', {
    eventPattern: { source: ['aws.s3'], detail: { bucket: { name: [bucket.bucketName] } } },
    targets: [new targets.SqsQueue(queue)],
  });
  new events.Rule(storage, 'OnUploadHere', {
    eventPattern: { source: ['aws.s3'], resources: [bucket.bucketArn] },
    targets: [new targets.SqsQueue(new sqs.Queue(storage, 'Q'))],
  });
  const upload = (name: any, arn: any = 'arn:aws:s3:::other') => ({ 'source': 'aws.s3', 'detail-type': 'Object Created', 'resources': [arn], 'detail': { bucket: { name } } });
  const logicalId = EventRouter.logicalIdOf(bucket);

  test('the router warns, naming the rule and the value (across stacks, through Fn::ImportValue)', () => {
    const router = EventRouter.fromStacks([storage, team]);
    expect(router.warnings).toContain(`rule Team/OnUpload: its event pattern holds values only known at deploy time: \${Ref:${logicalId}} (Ref ${logicalId} is AWS::S3::Bucket, known only at deploy time). `
      + 'An event matches only if it carries the same placeholder; bind each value (EventRouterOptions.deployTimeValues, or --bind <construct path or logical ID>=<value>)');
    expect(router.rules.find((r) => r.logicalId.startsWith('OnUpload') && r.stackName === 'Team')!.unresolvedPatternValues).toHaveLength(1);
  });

  test('a literal value is never a silent miss: explain() says the pattern holds a deploy-time value', () => {
    const router = EventRouter.fromStacks([storage, team]);
    const result = router.explain(upload('my-uploads'));
    expect(result.deliveries).toEqual([]);
    expect(result.notDelivered.map((n) => [n.rule.stackName, n.reason])).toEqual([
      ['Storage', NonDeliveryReason.UNRESOLVED_PATTERN_VALUE], // its resources: [bucket.bucketArn]
      ['Team', NonDeliveryReason.UNRESOLVED_PATTERN_VALUE],
    ]);
    expect(result.notDelivered[1].message).toMatch(/^rule Team\/OnUpload would match the event but for values of its pattern only known at deploy time \(\$\{Ref:Uploads[0-9A-F]+\} \(Ref Uploads[0-9A-F]+ is AWS::S3::Bucket, known only at deploy time\)\); bind them/);
    // An event without the field would not match even with the value bound: no reason to give.
    expect(router.explain(upload(undefined)).notDelivered.map((n) => n.rule.stackName)).toEqual(['Storage']);
  });

  test('a CDK token in a test event resolves to the same value as in the pattern', () => {
    const router = EventRouter.fromStacks([storage, team]);
    expect(router.route(upload(bucket.bucketName)).map((d) => d.rule.stackName)).toEqual(['Team']);
    expect(router.route(upload('x', bucket.bucketArn)).map((d) => d.rule.stackName)).toEqual(['Storage']);
  });

  test.each([
    ['the construct path', 'Storage/Uploads', 'Storage/Uploads.Arn'],
    ['the logical ID', logicalId, `${logicalId}.Arn`],
    ['<stack>/<logicalId>', `Storage/${logicalId}`, `Storage/${logicalId}.Arn`],
  ])('a value bound by %s matches the literal value, and the token resolves to it too', (_how, ref, arn) => {
    const router = EventRouter.fromStacks([storage, team], { deployTimeValues: { [ref]: 'my-uploads', [arn]: 'arn:aws:s3:::my-uploads' } });
    expect(router.warnings.filter((w) => w.includes('deploy time'))).toEqual([]);
    expect(router.route(upload('my-uploads')).map((d) => d.rule.stackName)).toEqual(['Team']);
    expect(router.route(upload(bucket.bucketName)).map((d) => d.rule.stackName)).toEqual(['Team']);
    expect(router.route(upload('x', 'arn:aws:s3:::my-uploads')).map((d) => d.rule.stackName)).toEqual(['Storage']);
    expect(router.route(upload('other-bucket'))).toEqual([]);
  });

  test('a binding that names nothing is a warning', () => {
    const router = EventRouter.fromStacks([storage, team], { deployTimeValues: { 'Storage/Nope': 'x' } });
    expect(router.warnings).toContain('deploy-time values "Storage/Nope" name no resource that a rule refers to (use a construct path, a logical ID or <stack>/<logicalId>, with .Attr for Fn::GetAtt)');
  });

  test('the CLI binds with --bind RESOURCE=VALUE', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-bind-'));
    const outdir = path.join(dir, 'cdk.out');
    const cliApp = new App({ outdir });
    const s = new Stack(cliApp, 'Cli', { env: ENV });
    const b = new s3.Bucket(s, 'Uploads');
    new events.Rule(s, 'OnUpload', { eventPattern: { source: ['aws.s3'], detail: { bucket: { name: [b.bucketName] } } }, targets: [new targets.SqsQueue(new sqs.Queue(s, 'Q'))] });
    cliApp.synth();
    const eventFile = path.join(dir, 'upload.json');
    fs.writeFileSync(eventFile, JSON.stringify(upload('my-uploads')));
    const run = async (...extra: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['route', '--app', outdir, '--event', eventFile, '--json', ...extra], { out: (t) => out.push(t), err: (t) => err.push(t) });
      return { code, out: out.join(''), err: err.join('') };
    };
    const unbound = await run();
    expect(unbound.out).toBe('[]\n');
    expect(unbound.err).toMatch(/warning: rule Cli\/OnUpload[0-9A-F]+: its event pattern holds values only known at deploy time/);
    const bound = await run('--bind', 'Cli/Uploads=my-uploads');
    expect(bound.err).not.toContain('deploy time');
    expect(JSON.parse(bound.out).map((d: any) => d.rule)).toEqual([expect.stringMatching(/^OnUpload/)]);
    expect(await run('--bind', 'no-equals-sign')).toMatchObject({ code: 2, err: expect.stringMatching(/^--bind needs RESOURCE=VALUE/) });

    // diff binds the value in both apps: bound, the event matches the rule on either side (no change, no unmatched event).
    const diff = async (...extra: string[]) => {
      const out: string[] = [];
      const code = await main(['diff', '--before', outdir, '--after', outdir, '--events', eventFile, '--json', ...extra], { out: (t) => out.push(t), err: () => undefined });
      return { code, report: code === 2 ? undefined : JSON.parse(out.join('')) };
    };
    expect((await diff()).report.unmatchedEvents).toHaveLength(1);
    const boundDiff = await diff('--bind', 'Cli/Uploads=my-uploads');
    expect(boundDiff.code).toBe(0);
    expect(boundDiff.report.unmatchedEvents).toEqual([]);
    expect((await diff('--bind', '=x')).code).toBe(2);
  });
});

test('the CLI prints why an event is not delivered: in the text, and on stderr beside --json', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-why-'));
  try {
    const outdir = path.join(dir, 'cdk.out');
    const cliApp = new App({ outdir });
    const s = new Stack(cliApp, 'Why', { env: ENV });
    new events.Rule(s, 'Paused', { enabled: false, eventPattern: { source: ['com.example.orders'] }, targets: [new targets.SqsQueue(new sqs.Queue(s, 'Q'))] });
    cliApp.synth();
    const eventFile = path.join(dir, 'order.json');
    fs.writeFileSync(eventFile, JSON.stringify(ORDER));
    const run = async (...extra: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['route', '--app', outdir, '--event', eventFile, ...extra], { out: (t) => out.push(t), err: (t) => err.push(t) });
      return { code, out: out.join(''), err: err.join('') };
    };
    const text = await run();
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^No target on bus "default" receives the event\.\n\nNot delivered \(EventBridge would not deliver to these, though their rules are on the event's path\):\n  ✗ Why\/Paused[0-9A-F]+ \(every target\): RULE_DISABLED: rule Why\/Paused[0-9A-F]+ matches the event but its state is DISABLED/);
    expect(text.out).toContain('(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html)');
    const json = await run('--json');
    expect(json.out).toBe('[]\n');
    expect(json.err).toMatch(/^not delivered: Why\/Paused[0-9A-F]+ \(every target\): RULE_DISABLED: /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a role on a same-account Lambda target does not block it (eb-use-resource-based.html allows either)', () => {
  const stack = newStack();
  const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
  new events.CfnRule(stack, 'Rule', { eventPattern: { source: ['com.example.orders'] }, targets: [{ id: 'T', arn: fn.functionArn, roleArn: role.roleArn }] });
  expect(EventRouter.fromStack(stack).route(ORDER)).toHaveLength(1);
});

test('deploy-time values inside anything-but and $or: the router builds, explains, and binds a parameter by name', () => {
  const template = {
    Parameters: { Env: { Type: 'String' } },
    Resources: {
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: { $or: [{ detail: { env: [{ Ref: 'Env' }] } }, { detail: { other: [{ 'anything-but': [{ Ref: 'Env' }] }] } }] },
          Targets: [{ Id: 'T', Arn: 'arn:aws:sqs:us-east-1:123456789012:q' }],
        },
      },
    },
  };
  const router = EventRouter.fromTemplate(template);
  expect(router.explain({ ...ORDER, detail: { env: 'prod' } }).notDelivered.map((n) => n.reason)).toEqual([NonDeliveryReason.UNRESOLVED_PATTERN_VALUE]);
  const bound = EventRouter.fromTemplate(template, { deployTimeValues: { Env: 'prod' } });
  expect(bound.route({ ...ORDER, detail: { env: 'prod' } })).toHaveLength(1);
  expect(bound.route({ ...ORDER, detail: { other: 'prod' } })).toHaveLength(0);
  expect(bound.route({ ...ORDER, detail: { other: 'dev' } })).toHaveLength(1);
});
