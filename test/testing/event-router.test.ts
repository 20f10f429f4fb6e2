import { App, Stack, aws_events as events, aws_events_targets as targets, aws_lambda as lambda, aws_logs as logs, aws_sqs as sqs } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addBookingFanOutExamples } from '../../examples/booking-fan-out-stack';
import { addOrderToInventoryExamples } from '../../examples/order-to-inventory-stack';
import { ReliableRoute, SecureEventBus } from '../../src/core';
import { EventRouter, RouteAssertions, RouteExpectation, TargetInputKind } from '../../src/testing';

const ORDER = { 'source': 'com.example.orders', 'detail-type': 'OrderPlaced', 'detail': { orderId: 'o-1', total: 1500, customer: { name: 'Ann' } } };

// One small stack, synthesized once: a secure bus, a route with every input kind, a disabled rule, a default-bus
// rule with no retry policy, a bus-to-bus target and an external target.
const app = new App();
const stack = new Stack(app, 'Small', { env: { account: '111111111111', region: 'eu-west-1' } });
const bus = new SecureEventBus(stack, 'Bus', { eventBusName: 'orders', archive: false, alarms: false });
const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
const queue = new sqs.Queue(stack, 'Queue');
const textQueue = new sqs.Queue(stack, 'TextQueue');
const pathQueue = new sqs.Queue(stack, 'PathQueue');
const logGroup = new logs.LogGroup(stack, 'Logs');
const other = new events.EventBus(stack, 'Other', { eventBusName: 'other' });
const route = new ReliableRoute(stack, 'Route', {
  eventBus: bus,
  ruleName: 'large-orders',
  eventPattern: { source: ['com.example.orders'], detail: { total: [{ numeric: ['>=', 1000] }] } },
  retryAttempts: 2,
  targets: [
    new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ id: events.EventField.fromPath('$.detail.orderId'), total: events.EventField.fromPath('$.detail.total'), rule: events.EventField.fromPath('$.detail.nope') }) }),
    new targets.SqsQueue(textQueue, { message: events.RuleTargetInput.fromText(`order ${events.EventField.fromPath('$.detail.orderId')} by ${events.EventField.fromPath('$.detail.customer.name')}`) }),
    new targets.SqsQueue(pathQueue, { message: events.RuleTargetInput.fromEventPath('$.detail.customer') }),
    new targets.CloudWatchLogGroup(logGroup),
    new targets.EventBus(other),
  ],
});
new events.Rule(stack, 'Disabled', { eventBus: bus, enabled: false, eventPattern: { source: ['com.example.orders'] }, targets: [new targets.SqsQueue(queue)] });
new events.Rule(stack, 'OnDefault', { eventPattern: { source: ['com.example.orders'] }, targets: [new targets.SqsQueue(queue)] });
new events.CfnRule(stack, 'ByArn', {
  eventBusName: other.eventBusArn,
  eventPattern: { source: ['com.example.orders'] },
  state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
  // A queue of another account: EventBridge needs an execution role of the rule's account for it.
  targets: [{ id: 'Ext', arn: 'arn:aws:sqs:eu-west-1:222222222222:elsewhere', input: '{"fixed":true}', roleArn: 'arn:aws:iam::111111111111:role/cross-account' }],
});
new events.CfnRule(stack, 'ByName', { eventBusName: 'orders', eventPattern: { 'detail-type': ['OrderPlaced'] }, targets: [{ id: 'Q', arn: queue.queueArn }] });
const router = EventRouter.fromStack(stack);

describe('EventRouter on a small stack', () => {
  test('lists the default bus and the stack\'s buses', () => {
    expect(router.buses.map((b) => b.name)).toEqual(['default', 'orders', 'other']);
    expect(router.buses[1]).toMatchObject({ logicalId: expect.stringMatching(/^Bus/), stackName: 'Small', arn: 'arn:aws:events:eu-west-1:111111111111:event-bus/orders' });
  });

  test('resolves the bus of each rule: Ref, GetAtt Arn, plain name, absent', () => {
    const byId = Object.fromEntries(router.rules.map((r) => [r.logicalId, r]));
    expect(byId[EventRouter.logicalIdOf(route.rule)].eventBusName).toBe('orders');
    expect(byId.ByArn.eventBusName).toBe('other');
    expect(byId.ByName.eventBusName).toBe('orders');
    expect(Object.values(byId).find((r) => r.logicalId.startsWith('OnDefault'))!.eventBusName).toBe('default');
  });

  test('routes a large order to every target of the route with exact inputs', () => {
    const deliveries = router.route(ORDER, { eventBus: 'orders' });
    const routeDeliveries = deliveries.filter((d) => d.rule.name === 'large-orders');
    expect(routeDeliveries.map((d) => d.target.resourceType)).toEqual([
      'AWS::Lambda::Function', 'AWS::SQS::Queue', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup', 'AWS::Events::EventBus',
    ]);
    // fromObject: bare placeholders; a missing path gives "" (see input-transformer tests)
    expect(routeDeliveries[0].input).toEqual({ id: 'o-1', total: 1500, rule: '' });
    expect(routeDeliveries[0].target.inputKind).toBe(TargetInputKind.INPUT_TRANSFORMER);
    // fromText: the SQS body keeps the JSON quotes
    expect(routeDeliveries[1].inputText).toBe('"order o-1 by Ann"');
    expect(routeDeliveries[1].input).toBe('order o-1 by Ann');
    // fromEventPath
    expect(routeDeliveries[2].input).toEqual({ name: 'Ann' });
    // log group: Fn::Join ARN resolved to the log group
    expect(routeDeliveries[3].target.logicalId).toBe(EventRouter.logicalIdOf(logGroup));
    expect(routeDeliveries[3].input).toMatchObject({ 'source': 'com.example.orders', 'detail-type': 'OrderPlaced', 'version': '0', 'account': '111111111111', 'region': 'eu-west-1' });
  });

  test('every target of a ReliableRoute has its retry policy and the route\'s dead-letter queue', () => {
    const [first] = router.route(ORDER, { eventBus: 'orders' });
    expect(first.target.retryPolicy).toEqual({ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 86400, isDefault: false });
    expect(first.target.deadLetterQueue!.logicalId).toBe(EventRouter.logicalIdOf(route.deadLetterQueue as sqs.Queue));
    expect(first.rule.arn).toBe('arn:aws:events:eu-west-1:111111111111:rule/orders/large-orders');
  });

  test('a rule without a retry policy gets EventBridge\'s defaults (185 retries, 24 hours)', () => {
    const [d] = router.route(ORDER);
    expect(d.rule.eventBusName).toBe('default');
    expect(d.target.retryPolicy).toEqual({ maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400, isDefault: true });
    expect(d.target.deadLetterQueue).toBeUndefined();
  });

  test('a disabled rule routes nothing; ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is enabled', () => {
    expect(router.route(ORDER, { eventBus: 'orders' }).some((d) => d.rule.logicalId.startsWith('Disabled'))).toBe(false);
    const [ext] = router.route(ORDER, { eventBus: 'other' });
    expect(ext.rule.state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(ext.target).toMatchObject({ resourceType: 'external', arn: 'arn:aws:sqs:eu-west-1:222222222222:elsewhere', logicalId: undefined });
    expect(ext.input).toEqual({ fixed: true });
  });

  test('a small order only reaches the rules without the numeric filter', () => {
    const deliveries = router.route({ ...ORDER, detail: { total: 5 } }, { eventBus: 'orders' });
    expect(deliveries.map((d) => d.rule.logicalId)).toEqual(['ByName']);
  });

  test('a bus can be named by its logical ID, construct path, ARN or IEventBus', () => {
    // A fixed ingestion time: deliveries of separate calls are compared whole.
    const at = '2026-11-30T12:00:00Z';
    const byName = router.route(ORDER, { eventBus: 'orders', ingestionTime: at });
    // 5 targets of the route; the 5th is the bus "other", where ByArn matches (depth first); then ByName.
    expect(byName.map((d) => d.rule.logicalId)).toEqual([...Array(5).fill(EventRouter.logicalIdOf(route.rule)), 'ByArn', 'ByName']);
    for (const id of [EventRouter.logicalIdOf(bus), 'Small/Bus/Resource', 'arn:aws:events:eu-west-1:111111111111:event-bus/orders', bus.eventBusArn, bus.eventBusName, EventRouter.eventBusId(bus), `Small/${EventRouter.logicalIdOf(bus)}`]) {
      expect(router.route(ORDER, { eventBus: id, ingestionTime: at })).toEqual(byName);
    }
  });

  test('a bus target routes the event again on the target bus, with the path of buses', () => {
    const forwarded = router.route(ORDER, { eventBus: 'orders' }).find((d) => d.rule.logicalId === 'ByArn')!;
    expect(forwarded.path).toEqual(['arn:aws:events:eu-west-1:111111111111:event-bus/orders', 'arn:aws:events:eu-west-1:111111111111:event-bus/other']);
    expect(forwarded.event.id).toBe(router.route(ORDER, { eventBus: 'orders' })[0].event.id);
    const hop = router.route(ORDER, { eventBus: 'orders' }).find((d) => d.target.resourceType === 'AWS::Events::EventBus')!;
    expect(hop.target.eventBusArn).toBe('arn:aws:events:eu-west-1:111111111111:event-bus/other');
    expect(hop.path).toEqual(['arn:aws:events:eu-west-1:111111111111:event-bus/orders']);
  });

  test('accepts JSON text and PutEvents entries and fills in what EventBridge adds', () => {
    const entry = { Source: 'com.example.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify(ORDER.detail) };
    const [d] = router.route(JSON.stringify(entry), { eventBus: 'orders', ingestionTime: '2024-05-01T10:00:00Z' });
    expect(d.event).toMatchObject({ version: '0', time: '2024-05-01T10:00:00Z', account: '111111111111', region: 'eu-west-1', resources: [], detail: ORDER.detail });
    expect(d.event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(router.route(entry, { eventBus: 'orders' })[0].event.id).toBe(d.event.id);
  });

  test('throws on an unknown bus, naming the buses', () => {
    expect(() => router.route(ORDER, { eventBus: 'nope' })).toThrow('unknown event bus "nope"; the app has: default (111111111111/eu-west-1), orders (111111111111/eu-west-1, Small/Bus), other (111111111111/eu-west-1, Small/Other)');
  });
  test('throws on an unknown stack', () => {
    expect(() => router.route(ORDER, { stackName: 'Nope' })).toThrow('unknown stack "Nope"; the app has: Small');
  });
  test('throws on invalid JSON text with the position', () => {
    expect(() => router.route('{"source": }')).toThrow(/event is not valid JSON: .*line 1, column 12/);
  });

  test('fromTemplate accepts an assertions Template and a template object', () => {
    const template = Template.fromStack(stack);
    expect(EventRouter.fromTemplate(template).rules.length).toBe(router.rules.length);
    expect(EventRouter.fromTemplate(template.toJSON(), { stackName: 'X' }).rules[0].stackName).toBe('X');
    expect(() => EventRouter.fromTemplate('nope')).toThrow(/must be a CloudFormation template object/);
  });
});

describe('route assertions', () => {
  test('assertRoutes with a construct and the exact input', () => {
    const d = RouteAssertions.assertRoutes(router, ORDER, pathQueue, { name: 'Ann' }, { eventBus: 'orders' });
    expect(d.target.resourceType).toBe('AWS::SQS::Queue');
  });
  test('throws when the input differs, showing both', () => {
    expect(() => RouteAssertions.assertRoutes(router, ORDER, pathQueue, { name: 'Bob' }, { eventBus: 'orders' }))
      .toThrow(/with a different input:\nexpected: \{"name":"Bob"\}\nreceived: \{"name":"Ann"\}/);
  });
  test('throws when the event does not reach the target, listing where it went', () => {
    expect(() => RouteAssertions.assertRoutes(stack, { ...ORDER, detail: { total: 1 } }, fn, undefined, { eventBus: 'orders' }))
      .toThrow(/expected the event to reach Fn[0-9A-F]+ on bus "orders", but it reached Queue[0-9A-F]+ \(rule ByName, target Q\)/);
  });
  test('fluent expectations', () => {
    const expectation = RouteExpectation.of(router).onBus('orders');
    expectation.event(ORDER).toReach(textQueue, 'order o-1 by Ann');
    expectation.event({ ...ORDER, detail: { total: 1 } }).notToReach(fn);
    expectation.event({ 'source': 'x', 'detail-type': 'y' }).toReachNothing();
    expect(() => expectation.event(ORDER).toReachNothing()).toThrow(/expected the event to reach no target, but it reached/);
    expect(() => expectation.toReach(fn)).toThrow('call event(...) before the assertion');
  });
  test('normalizedTemplate replaces asset hashes', () => {
    const text = JSON.stringify(RouteAssertions.normalizedTemplate(stack));
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });
});

describe('EventRouter on the example app', () => {
  const exampleApp = new App();
  const bookings = addBookingFanOutExamples(exampleApp);
  const inventory = addOrderToInventoryExamples(exampleApp);
  const bookingRouter = EventRouter.fromStack(bookings);
  const booking = (customer: any) => ({
    'source': 'com.example.bookings',
    'detail-type': 'BookingConfirmed',
    'detail': { bookingId: 'B-1', flight: 'EX123', passengers: [{ name: 'Ann' }], customer, fare: { amount: 420, currency: 'EUR' } },
  });
  const busOf = (s: Stack) => EventRouter.fromStack(s).buses[1].name;

  test('a BookingConfirmed event reaches ticketing with exactly bookingId, flight and passengers', () => {
    const deliveries = bookingRouter.route(booking({ email: 'ann@example.com', name: 'Ann' }), { eventBus: busOf(bookings) });
    const ticketing = deliveries.find((d) => d.target.logicalId!.includes('IssueTicket'))!;
    expect(ticketing.input).toEqual({ bookingId: 'B-1', flight: 'EX123', passengers: [{ name: 'Ann' }] });
    expect(deliveries.some((d) => d.target.logicalId!.includes('Loyalty'))).toBe(false);
  });

  test('the loyalty route only fires with a loyaltyId', () => {
    const deliveries = bookingRouter.route(booking({ email: 'ann@example.com', name: 'Ann', loyaltyId: 'L-9' }), { eventBus: busOf(bookings) });
    const loyalty = deliveries.find((d) => d.target.logicalId!.includes('Loyalty'))!;
    expect(loyalty.input).toMatchObject({ bookingId: 'B-1', memberId: 'L-9' });
  });

  test('an order event reaches inventory', () => {
    const d = RouteAssertions.assertRoutes(inventory, ORDER, inventory.node.findAll().find((c) => c.node.path.endsWith('ReserveInventory/Resource'))!, undefined, { eventBus: busOf(inventory) });
    expect(d.target.resourceType).toBe('AWS::Lambda::Function');
    expect(d.input).toMatchObject({ 'detail-type': 'OrderPlaced' });
  });
});
