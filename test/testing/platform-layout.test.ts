import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, CustomResource, Fn, Stack, Stage, aws_events as events, aws_events_targets as targets, aws_sqs as sqs } from 'aws-cdk-lib';
import { addPlatformExamples } from '../../examples/platform-layout';
import { ReliableRoute } from '../../src/core';
import { DeliveryOutcome, EventFlowDiagram, EventRouter, NonDeliveryReason, RouteExpectation, TargetHandlers } from '../../src/testing';

// One multi-stack, multi-account app, synthesized once: the example's platform layout (a Stage per environment with
// a central bus, a team stack attached by cross-stack reference and a spoke account), plus stacks for each way a rule
// can name its bus.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-platform-'));
const app = new App({ outdir: dir, context: { 'aws:cdk:enable-path-metadata': true } });
const { dev, prod } = addPlatformExamples(app);

const DEV = { account: '111111111111', region: 'eu-west-1' };
// Rules that name their bus in every way CloudFormation allows.
const ways = new Stack(dev, 'Ways', { env: DEV });
const queue = new sqs.Queue(ways, 'Queue');
const shared = events.EventBus.fromEventBusArn(ways, 'Shared', 'arn:aws:events:eu-west-1:111111111111:event-bus/shared');
new events.Rule(ways, 'OnImportedArn', { eventBus: shared, eventPattern: { source: ['by.arn'] }, targets: [new targets.SqsQueue(queue)] });
new events.CfnRule(ways, 'BySub', {
  eventBusName: Fn.sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/platform'),
  eventPattern: { source: ['by.sub'] },
  targets: [{ id: 'Q', arn: queue.queueArn }],
});
new events.CfnRule(ways, 'ByJoin', {
  eventBusName: Fn.join('', ['arn:', Fn.ref('AWS::Partition'), ':events:eu-west-1:', Fn.ref('AWS::AccountId'), ':event-bus/platform']),
  eventPattern: { source: ['by.join'] },
  targets: [{ id: 'Q', arn: queue.queueArn }],
});
const busParameter = new CfnParameter(ways, 'BusName', { type: 'String' });
new events.CfnRule(ways, 'ByParameter', { eventBusName: busParameter.valueAsString, eventPattern: { source: ['by.parameter'] }, targets: [{ id: 'Q', arn: queue.queueArn }] });
const custom = new CustomResource(ways, 'BusLookup', { serviceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:lookup' });
new events.CfnRule(ways, 'ByCustomResource', { eventBusName: custom.getAttString('Name'), eventPattern: { source: ['by.custom'] }, targets: [{ id: 'Q', arn: queue.queueArn }] });
// A bus target in another account without a role.
new events.CfnRule(ways, 'NoRole', {
  eventBusName: 'platform',
  eventPattern: { source: ['no.role'] },
  targets: [{ id: 'Elsewhere', arn: 'arn:aws:events:eu-west-1:999999999999:event-bus/default' }],
});
// A rule on the central bus that forwards to a third bus: EventBridge does not forward events that came from a spoke.
new events.Rule(dev.platform, 'Onward', {
  eventBus: dev.platform.bus,
  eventPattern: { source: ['com.example.orders'] },
  targets: [new targets.EventBus(events.EventBus.fromEventBusArn(dev.platform, 'Archive', 'arn:aws:events:eu-west-1:111111111111:event-bus/archive'))],
});
// An environment-agnostic stack.
const agnostic = new Stack(app, 'Agnostic');
new events.Rule(agnostic, 'Rule', { eventPattern: { source: ['agnostic'] }, targets: [new targets.SqsQueue(new sqs.Queue(agnostic, 'Q'))] });

const assembly = app.synth();
const router = EventRouter.fromCloudAssembly(assembly.directory);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// With a fixed time: deliveries of separate route() calls are compared whole.
const order = (extra: any = {}) => ({
  'source': 'com.example.orders', 'detail-type': 'OrderPlaced', 'time': '2026-11-30T12:00:00Z', 'detail': { orderId: 'o-1', items: [{ sku: 'A', quantity: 1 }] }, ...extra,
});
const rulePaths = (deliveries: Array<{ rule: { path: string } }>) => deliveries.map((d) => d.rule.path);

describe('the router sees the whole app', () => {
  test('every stack of the nested Stage assemblies, each with its own account', () => {
    expect(router.stacks).toEqual(expect.arrayContaining(['Dev-Platform', 'Dev-Commerce', 'Dev-Spoke', 'Prod-Platform', 'Prod-Commerce', 'Prod-Spoke', 'Dev-Ways', 'Agnostic']));
    const platforms = router.buses.filter((b) => b.name === 'platform');
    expect(platforms.map((b) => [b.account, b.region, b.path])).toEqual([
      ['111111111111', 'eu-west-1', 'Dev/Platform/CentralBus'],
      ['222222222222', 'eu-west-1', 'Prod/Platform/CentralBus'],
    ]);
  });

  test('a blueprint rule naming the bus through Fn::ImportValue is on the central bus of its own account', () => {
    const rule = router.rules.find((r) => r.path === 'Dev/Commerce/Inventory/OrderPlacedRoute/Rule')!;
    expect(rule.eventBusArn).toBe('arn:aws:events:eu-west-1:111111111111:event-bus/platform');
    const prodRule = router.rules.find((r) => r.path === 'Prod/Commerce/Inventory/OrderPlacedRoute/Rule')!;
    expect(prodRule.eventBusArn).toBe('arn:aws:events:eu-west-1:222222222222:event-bus/platform');
  });

  test('an event reaches the rules of the bus in its own account only', () => {
    const devOnly = router.route(order({ account: '111111111111' }), { eventBus: 'platform' });
    expect(rulePaths(devOnly)).toEqual(['Dev/Platform/Onward', 'Dev/Commerce/Inventory/OrderPlacedRoute/Rule']);
    const prodOnly = router.route(order(), { eventBus: 'platform', account: '222222222222' });
    expect(rulePaths(prodOnly)).toEqual(['Prod/Commerce/Inventory/OrderPlacedRoute/Rule']);
    expect(prodOnly[0].event.account).toBe('222222222222');
  });

  test('a bus name in two accounts without an account is refused, naming both', () => {
    expect(() => router.route(order(), { eventBus: 'platform' })).toThrow(
      'event bus "platform" is ambiguous: the app has it in 111111111111/eu-west-1, 222222222222/eu-west-1; say which with the event\'s account and region, the account and region options (--account, --region), or the bus ARN');
    expect(() => router.route(order({ account: '999999999999' }), { eventBus: 'platform' })).toThrow(
      'unknown event bus "platform" in account 999999999999, region any: the app has "platform" only in 111111111111/eu-west-1, 222222222222/eu-west-1');
  });

  test('a bus is found by ARN, construct path and IEventBus', () => {
    const byArn = router.route(order(), { eventBus: 'arn:aws:events:eu-west-1:222222222222:event-bus/platform' });
    expect(rulePaths(byArn)).toEqual(['Prod/Commerce/Inventory/OrderPlacedRoute/Rule']);
    expect(router.route(order(), { eventBus: 'Prod/Platform/CentralBus' })).toEqual(byArn);
    expect(router.route(order(), { eventBus: EventRouter.eventBusId(prod.platform.bus) })).toEqual(byArn);
  });

  test('rules on a bus imported by ARN, and on ARNs built with Fn::Sub and Fn::Join, are found', () => {
    const byArn = router.route({ source: 'by.arn' }, { eventBus: 'arn:aws:events:eu-west-1:111111111111:event-bus/shared' });
    expect(rulePaths(byArn)).toEqual(['Dev/Ways/OnImportedArn']);
    expect(router.buses.find((b) => b.name === 'shared')).toMatchObject({ external: true, account: '111111111111' });
    expect(rulePaths(router.route({ source: 'by.sub', account: '111111111111' }, { eventBus: 'platform' }))).toEqual(['Dev/Ways/BySub']);
    expect(rulePaths(router.route({ source: 'by.join', account: '111111111111' }, { eventBus: 'platform' }))).toEqual(['Dev/Ways/ByJoin']);
  });

  test('a rule whose bus is a parameter is a warning naming its construct path, never a silent drop', () => {
    expect(router.warnings).toContain('rule Dev/Ways/ByParameter: its event bus cannot be resolved offline (Ref BusName is a stack parameter, known only at deploy time); the router does not route to it');
    expect(router.rules.some((r) => r.logicalId === 'ByParameter')).toBe(false);
    expect(router.warnings).toContain('rule Dev/Ways/ByCustomResource: its event bus cannot be resolved offline (Fn::GetAtt BusLookup.Name of AWS::CloudFormation::CustomResource is known only at deploy time); the router does not route to it');
  });

  test('a bus target in another account without a RoleArn is forwarded with a warning', () => {
    const [hop] = router.route({ source: 'no.role', account: '111111111111' }, { eventBus: 'platform' });
    expect(hop.target.eventBusArn).toBe('arn:aws:events:eu-west-1:999999999999:event-bus/default');
    expect(hop.warnings).toEqual(['target Elsewhere is an event bus in another account and has no RoleArn: EventBridge needs an IAM role allowed to call events:PutEvents on arn:aws:events:eu-west-1:999999999999:event-bus/default']);
  });

  test('an environment-agnostic stack is placed in the default account and region, with a warning', () => {
    expect(router.warnings).toContain('stack Agnostic is environment-agnostic: the router places it in account 123456789012, region us-east-1 (set env on the stack, or the router\'s account and region options)');
    expect(rulePaths(router.route({ source: 'agnostic' }, { account: '123456789012' }))).toEqual(['Agnostic/Rule']);
    const placed = EventRouter.fromCloudAssembly(assembly.directory, { account: '555555555555', region: 'ap-south-1' });
    expect(placed.rules.find((r) => r.path === 'Agnostic/Rule')!.eventBusArn).toBe('arn:aws:events:ap-south-1:555555555555:event-bus/default');
  });
});

describe('spokes forward to the central bus', () => {
  const fromSpoke = router.route(order({ account: '333333333333', region: 'eu-west-1' }));

  test('the spoke rule targets the central bus with a role, a retry policy and a dead-letter queue', () => {
    const [hop] = fromSpoke;
    expect(hop.rule.path).toBe('Dev/Spoke/ToCentral/Route/Rule');
    expect(hop.target).toMatchObject({
      eventBusArn: 'arn:aws:events:eu-west-1:111111111111:event-bus/platform',
      hasRole: true,
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400, isDefault: false },
    });
    expect(hop.target.deadLetterQueue!.logicalId).toMatch(/^ToCentralRouteDeadLetterQueue/);
    expect(hop.warnings).toEqual([]);
  });

  test('the event is routed again on the central bus, keeps its account, and each delivery shows its path', () => {
    const onCentral = fromSpoke.filter((d) => d.path.length === 2);
    // Onward's target is a third bus: not delivered (see the next test).
    expect(rulePaths(onCentral)).toEqual(['Dev/Commerce/Inventory/OrderPlacedRoute/Rule']);
    expect(onCentral[0].path).toEqual(['arn:aws:events:eu-west-1:333333333333:event-bus/default', 'arn:aws:events:eu-west-1:111111111111:event-bus/platform']);
    expect(onCentral[0].event).toBe(fromSpoke[0].event);
    expect(onCentral[0].input.account).toBe('333333333333');
  });

  test('EventBridge does not forward an event that came from another bus to a third bus', () => {
    // Was a delivery with a 'not forwarded' warning: AWS does not send it at all (eb-cross-account.html), so it is a
    // non-delivery with a reason now.
    expect(fromSpoke.some((d) => d.rule.path === 'Dev/Platform/Onward')).toBe(false);
    const [onward] = router.explain(order({ account: '333333333333', region: 'eu-west-1' })).notDelivered;
    expect(onward).toMatchObject({
      reason: NonDeliveryReason.BUS_HOP_NOT_FORWARDED,
      documentation: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html',
      path: ['arn:aws:events:eu-west-1:333333333333:event-bus/default', 'arn:aws:events:eu-west-1:111111111111:event-bus/platform'],
    });
    expect(onward.rule.path).toBe('Dev/Platform/Onward');
    expect(onward.message).toMatch(/^target \S+ of rule Dev\/Platform\/Onward is the event bus arn:aws:events:eu-west-1:111111111111:event-bus\/archive, but the event came to arn:aws:events:eu-west-1:111111111111:event-bus\/platform from another event bus, and EventBridge does not send such an event on to a third bus$/);
    expect(fromSpoke.some((d) => d.rule.eventBusName === 'archive')).toBe(false);
    expect(router.route(order({ account: '111111111111' }), { eventBus: 'platform' }).find((d) => d.rule.path === 'Dev/Platform/Onward')!.warnings).toEqual([]);
  });

  test('simulate: when the hop to the central bus fails, the central bus delivers nothing', () => {
    const central = 'arn:aws:events:eu-west-1:111111111111:event-bus/platform';
    const spokeEvent = order({ account: '333333333333', region: 'eu-west-1' });
    const ok = router.simulate([spokeEvent]);
    expect(ok.deliveries.map((d) => [d.rule.path, d.outcome])).toEqual([
      ['Dev/Spoke/ToCentral/Route/Rule', DeliveryOutcome.DELIVERED],
      ['Dev/Commerce/Inventory/OrderPlacedRoute/Rule', DeliveryOutcome.DELIVERED],
    ]);
    const failed = router.simulate([spokeEvent], { handlers: { [central]: TargetHandlers.fail('not authorized', 'AccessDeniedException') } });
    expect(failed.deliveries.map((d) => [d.rule.path, d.outcome])).toEqual([['Dev/Spoke/ToCentral/Route/Rule', DeliveryOutcome.DEAD_LETTERED]]);
    expect(failed.deadLetters[0].attributes).toMatchObject({ ERROR_CODE: 'AccessDeniedException', TARGET_ARN: central });
  });

  test('fromStacks gives the same answer without a cloud assembly on disk', () => {
    const fromStacks = EventRouter.fromStacks([dev.platform, dev.commerce, dev.spoke]);
    const deliveries = fromStacks.route(order({ account: '333333333333', region: 'eu-west-1' }));
    expect(deliveries.map((d) => [d.rule.path, d.target.id, d.path])).toEqual(fromSpoke.map((d) => [d.rule.path, d.target.id, d.path]));
    expect(fromStacks.warnings).toEqual([]);
  });

  test('route expectations accept the bus object', () => {
    RouteExpectation.of(router).onEventBus(dev.platform.bus).event(order()).toReach(dev.inventory.reserveInventoryFunction);
    RouteExpectation.of(router).onBus(prod.platform.bus.eventBusArn).event(order()).toReach(prod.inventory.reserveInventoryFunction);
  });
});

describe('event-flow diagram', () => {
  test('draws the central bus with the spoke that forwards to it, its producers, rules, targets and DLQs', () => {
    const text = EventFlowDiagram.mermaid(router, { eventBus: 'arn:aws:events:eu-west-1:111111111111:event-bus/platform' });
    expect(text.split('\n').slice(0, 4)).toEqual([
      'flowchart LR',
      '  subgraph env1["account 333333333333 · eu-west-1"]',
      '    bus1(["bus default"])',
      '    rule1{{"Dev/Spoke/ToCentral/Route/Rule<br/>source: com.example.orders"}}',
    ]);
    // The reserve-inventory function is a target of the blueprint's rule and a producer on the central bus: one node.
    expect(text).toContain('    res1["λ Dev/Commerce/Inventory/ReserveInventory"]');
    expect(text).toContain('  rule1 == Target0 ==> bus2');
    expect(text).toContain('  res1 -- PutEvents --> bus2');
    expect(text).toContain('  rule3 --> res1');
    expect(text).toContain('  rule3 -. Target0 failed .-> dlq2');
    expect(text).not.toContain('222222222222');
  });
});

describe('malformed assemblies are clear errors', () => {
  const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-broken-'));
  afterAll(() => fs.rmSync(broken, { recursive: true, force: true }));

  test.each([
    ['{', /the cloud assembly manifest .*manifest\.json is not valid JSON/],
    ['[1]', /manifest .*manifest\.json is malformed: expected an object with "artifacts"/],
    ['{"artifacts":{"S":{"type":"aws:cloudformation:stack","properties":{"templateFile":"S.template.json"}}}}', /cannot read the template of stack S .*S\.template\.json: ENOENT/],
    ['{"artifacts":{"N":{"type":"cdk:cloud-assembly","properties":{"directoryName":"../elsewhere"}}}}', /nested assembly N has no valid directoryName/],
  ])('manifest %s', (manifest, message) => {
    fs.writeFileSync(path.join(broken, 'manifest.json'), manifest);
    expect(() => EventRouter.fromCloudAssembly(broken)).toThrow(message);
  });
});

describe('attaching to a bus of another environment', () => {
  test('a route on a bus in another Region is a synth-time error with the fix', () => {
    const app2 = new App();
    const stack = new Stack(app2, 'Team', { env: { account: '111111111111', region: 'us-east-1' } });
    const bus = events.EventBus.fromEventBusArn(stack, 'Remote', 'arn:aws:events:eu-west-1:111111111111:event-bus/platform');
    expect(() => new ReliableRoute(stack, 'Route', { eventBus: bus, eventPattern: { source: ['x'] } })).toThrow(
      "ReliableRoute 'Team/Route': eventBus arn:aws:events:eu-west-1:111111111111:event-bus/platform is in account 111111111111, Region eu-west-1, but stack Team deploys to account 111111111111, Region us-east-1: "
      + "CloudFormation creates a rule in its stack's Region, where that bus does not exist (aws/aws-cdk#26032). Create this in a stack of the bus's account and Region, or forward the events here with an EventSpoke");
  });

  test('a route on a bus of the same environment, or of an unknown one, is fine', () => {
    const app2 = new App();
    const stack = new Stack(app2, 'Team', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bus = events.EventBus.fromEventBusArn(stack, 'Local', 'arn:aws:events:eu-west-1:111111111111:event-bus/platform');
    expect(() => new ReliableRoute(stack, 'Route', { eventBus: bus, eventPattern: { source: ['x'] } })).not.toThrow();
    const agnosticStack = new Stack(app2, 'Agnostic');
    const remote = events.EventBus.fromEventBusArn(agnosticStack, 'Remote', 'arn:aws:events:eu-west-1:111111111111:event-bus/platform');
    expect(() => new ReliableRoute(agnosticStack, 'Route', { eventBus: remote, eventPattern: { source: ['x'] } })).not.toThrow();
  });

  test('a blueprint given a bus in another account fails at synth, naming its route', () => {
    const app2 = new App();
    const stage = new Stage(app2, 'Dev', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stack = new Stack(stage, 'Team', { env: { account: '333333333333', region: 'eu-west-1' } });
    const bus = events.EventBus.fromEventBusArn(stack, 'Central', 'arn:aws:events:eu-west-1:111111111111:event-bus/platform');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OrderToInventory } = require('../../src/blueprints');
    expect(() => new OrderToInventory(stack, 'Inventory', { eventBus: bus })).toThrow(/^ReliableRoute 'Dev\/Team\/Inventory\/OrderPlacedRoute': eventBus .* is in account 111111111111, Region eu-west-1, but stack Dev\/Team deploys to account 333333333333, Region eu-west-1: a rule on another account's bus belongs to that account/);
  });
});
