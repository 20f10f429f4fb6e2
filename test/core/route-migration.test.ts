import {
  Duration,
  Stack,
  aws_events as events,
  aws_events_targets as targets,
  aws_kinesis as kinesis,
  aws_lambda as lambda,
  aws_sns as sns,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CustomEventBus, ReliableRoute, RouteMigration } from '../../src/core';
import { classicInputToJsonata } from '../../src/core/private/input-to-jsonata';
import { compileJsonata } from '../../src/private/jsonata-text';
import { CustomBusEvents, CustomBusRouter, EventRouter, InputTransformation } from '../../src/testing';

function migratedApp() {
  const stack = new Stack(undefined, 'Shop');
  const classic = new events.EventBus(stack, 'Classic', { eventBusName: 'orders' });
  const queue = (id: string, props: sqs.QueueProps = {}) => new sqs.Queue(stack, id, { enforceSSL: true, ...props });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
  });
  const id = events.EventField.fromPath('$.detail.id');
  const route = new ReliableRoute(stack, 'Orders', {
    eventBus: classic,
    eventPattern: { source: ['shop'], detailType: ['OrderPlaced'], detail: { total: [{ numeric: ['>', 0] }] } },
    retryAttempts: 10,
    maxEventAge: Duration.hours(2),
    targets: [
      new targets.SqsQueue(queue('Plain')),
      new targets.SqsQueue(queue('Shaped'), {
        message: events.RuleTargetInput.fromObject({
          orderId: id,
          summary: `Order ${id} for ${events.EventField.fromPath('$.detail.customer.name')}`,
          items: events.EventField.fromPath('$.detail.items'),
          customer: events.EventField.fromPath('$.detail.customer'),
          missing: events.EventField.fromPath('$.detail.nope'),
          at: events.EventField.time,
          nested: { total: events.EventField.fromPath('$.detail.total'), fixed: [1, 'two'] },
        }),
      }),
      new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromEventPath('$.detail') }),
      new targets.SnsTopic(new sns.Topic(stack, 'Topic', { enforceSSL: true }), {
        message: events.RuleTargetInput.fromText(`Order ${id} placed`),
      }),
      new targets.SqsQueue(queue('Fifo', { fifo: true }), { messageGroupId: 'orders', message: events.RuleTargetInput.fromObject({ constant: true }) }),
      new targets.KinesisStream(new kinesis.Stream(stack, 'Stream'), { partitionKeyPath: '$.detail.id' }),
      new targets.SqsQueue(queue('Ingestion'), {
        message: events.RuleTargetInput.fromObject({ ingested: events.EventField.fromPath('$.time'), whole: events.EventField.fromPath('$') }),
      }),
    ],
  });
  const bus = new CustomEventBus(stack, 'Bus', { eventBusName: 'orders-v2' });
  const migration = new RouteMigration(stack, 'Migrated', { route, eventBus: bus });
  return { stack, route, bus, migration };
}

const orders = [
  { id: 'o-1', total: 120, items: [{ sku: 'a', quantity: 2 }], customer: { name: 'Ana Smith', vip: true } },
  { id: 'o-2', total: 5, items: [], customer: { name: 'Bo' } },
  { id: 'o-3', total: 0, items: [], customer: { name: 'Cy' } },
  { id: 'o-4', total: 1e3 },
];

describe('RouteMigration', () => {
  test('routes the same events to the same targets with the same inputs on both buses', async () => {
    const { stack } = migratedApp();
    const classic = EventRouter.fromStack(stack);
    const modern = CustomBusRouter.fromStack(stack);
    let compared = 0;
    for (const detail of orders) {
      const event = CustomBusEvents.putEvents({ source: 'shop', detailType: 'OrderPlaced', detail, time: '2026-03-01T12:00:00Z' });
      const before = classic.route(event.data, { eventBus: 'orders', ingestionTime: '2026-03-01T12:00:00Z' })
        .map((d) => [d.target.logicalId, d.input]);
      const after = (await modern.route(event, { eventBus: 'orders-v2', ingestionTime: '2026-03-01T12:00:00Z' }))
        .map((d) => [d.subscriber.targetLogicalId, d.input]);
      expect(after).toEqual(before);
      compared += before.length;
    }
    expect(compared).toBe(7 * 3); // o-3 (total 0) matches nothing
  });

  test('does not carry over: Classic inserts values into strings unescaped (invalid JSON); JSONata escapes them', async () => {
    const { stack } = migratedApp();
    const event = CustomBusEvents.putEvents({ source: 'shop', detailType: 'OrderPlaced', detail: { id: 'o-9', total: 1, customer: { name: 'Ana "A" Smith' } } });
    const before = EventRouter.fromStack(stack).route(event.data, { eventBus: 'orders' }).find((d) => d.target.logicalId?.startsWith('Shaped'))!;
    const after = (await CustomBusRouter.fromStack(stack).route(event, { eventBus: 'orders-v2' })).find((d) => d.subscriber.targetLogicalId!.startsWith('Shaped'))!;
    expect(before.inputIsJson).toBe(false);
    expect(after.input.summary).toBe('Order o-9 for Ana "A" Smith');
  });

  test('one subscriber per target, with the route\'s retry policy and dead-letter queue', () => {
    const { stack, route, migration } = migratedApp();
    expect(route.rules).toHaveLength(2);
    expect(migration.subscribers).toHaveLength(7);
    const subs = Object.values(Template.fromStack(stack).findResources('AWS::EventsV2::Subscriber')).map((r: any) => r.Properties);
    const dlq = { 'Fn::GetAtt': [stack.getLogicalId(route.deadLetterQueue.node.defaultChild as any), 'Arn'] };
    for (const props of subs) {
      expect(props.RetryPolicy).toEqual({ MaxRetryAttempts: 10, MaxEventAgeInSeconds: 7200 });
      expect(props.OnFailureConfiguration).toEqual({ Arn: dlq });
      expect(JSON.parse(props.FilterConfiguration.Filters[0].Pattern)).toEqual({
        'source': ['shop'], 'detail-type': ['OrderPlaced'], 'detail': { total: [{ numeric: ['>', 0] }] },
      });
    }
    expect(subs.map((p) => p.Transformer?.Type)).toEqual([undefined, 'JSONATA', 'JSONATA', 'JSONATA', 'JSONATA', undefined, 'JSONATA']);
    expect(subs[4].InvokeConfiguration.SqsParameters).toEqual({ MessageGroupId: 'orders' });
    expect(subs[5].InvokeConfiguration.KinesisParameters).toEqual({ PartitionKey: '{% $events.Data.detail.id %}' });
    Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 5); // 4 queue targets + the route's DLQ, shared
  });

  test('a disabled route gives stopped subscribers; reuseDeadLetterQueue: false gives each its own queue and alarm', () => {
    const stack = new Stack();
    const route = new ReliableRoute(stack, 'R', {
      eventPattern: { source: ['a'] }, enabled: false, targets: [new targets.SqsQueue(new sqs.Queue(stack, 'Q', { enforceSSL: true }))],
    });
    const moved = new RouteMigration(stack, 'M', { route, eventBus: new CustomEventBus(stack, 'Bus'), reuseDeadLetterQueue: false });
    const props = Object.values(Template.fromStack(stack).findResources('AWS::EventsV2::Subscriber'))[0].Properties;
    expect(props.State).toBe('STOPPED');
    expect(moved.subscribers[0].deadLetterQueue).not.toBe(route.deadLetterQueue);
    expect(moved.subscribers[0].deadLetterQueueAlarm).toBeDefined();
  });

  test('throws for a scheduled route', () => {
    const stack = new Stack();
    const route = new ReliableRoute(stack, 'Nightly', { schedule: events.Schedule.rate(Duration.days(1)) });
    const bus = new CustomEventBus(stack, 'Bus');
    expect(() => new RouteMigration(stack, 'M', { route, eventBus: bus }))
      .toThrow("RouteMigration 'Default/M': route has the scheduled rule Default/Nightly/Rule: a Custom Event Bus has no schedules");
  });

  test('throws for a target it cannot recognise, naming it', () => {
    const stack = new Stack();
    const queue = sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:us-east-1:123456789012:elsewhere');
    const route = new ReliableRoute(stack, 'R', { eventPattern: { source: ['a'] }, targets: [new targets.SqsQueue(queue)] });
    expect(() => new RouteMigration(stack, 'M', { route, eventBus: new CustomEventBus(stack, 'Bus') }))
      .toThrow("RouteMigration 'Default/M': target Target0 of Default/R/Rule cannot be moved: only SQS queues, Lambda functions");
  });

  test('throws for <aws.events.rule-name>, which has no subscriber equivalent', () => {
    const stack = new Stack();
    const route = new ReliableRoute(stack, 'R', {
      eventPattern: { source: ['a'] },
      targets: [new targets.SqsQueue(new sqs.Queue(stack, 'Q'), { message: events.RuleTargetInput.fromObject({ rule: events.EventField.fromPath('$.x'), r: '<aws.events.rule-name>' }) })],
    });
    expect(() => new RouteMigration(stack, 'M', { route, eventBus: new CustomEventBus(stack, 'Bus') }))
      .toThrow('target Target0 of Default/R/Rule cannot move its input: <aws.events.rule-name> does not carry over');
  });

  test('throws for a wildcard pattern, which subscriber filters do not support', () => {
    const stack = new Stack();
    const route = new ReliableRoute(stack, 'R', {
      eventPattern: { source: [{ wildcard: 'shop.*' }] as any },
      targets: [new targets.SqsQueue(new sqs.Queue(stack, 'Q'))],
    });
    expect(() => new RouteMigration(stack, 'M', { route, eventBus: new CustomEventBus(stack, 'Bus') }))
      .toThrow("Subscriber 'Default/M/Subscriber1': filters (DATA) has an invalid pattern: source: subscriber filters do not support wildcard matching");
  });
});

describe('classicInputToJsonata', () => {
  const event = {
    'version': '0',
    'id': 'e-1',
    'detail-type': 'T',
    'source': 's',
    'account': '1',
    'time': '2026-01-01T00:00:00Z',
    'region': 'r',
    'resources': [],
    'detail': { 'a': 'x', 'n': 2.5, 'o': { k: [1, 2] }, 'arr': [1], 'dash-key': 'd', 'nul': null, 'b': false },
  };
  const $events = { Data: event, SystemMetadata: { 'aws:IngestionTime': '2026-01-01T00:00:00Z' } };
  const cases: Array<[string, any]> = [
    ['bare values of every type', { inputPathsMap: { a: '$.detail.a', n: '$.detail.n', o: '$.detail.o', arr: '$.detail.arr', nul: '$.detail.nul', b: '$.detail.b' }, inputTemplate: '{"a": <a>, "n": <n>, "o": <o>, "arr": <arr>, "nul": <nul>, "b": <b>}' }],
    ['values inside strings', { inputPathsMap: { a: '$.detail.a', n: '$.detail.n', b: '$.detail.b' }, inputTemplate: '{"s": "<a>-<n> and <b>", "only": "<a>"}' }],
    ['missing paths', { inputPathsMap: { m: '$.detail.missing' }, inputTemplate: '{"bare": <m>, "in": "x<m>y", "only": "<m>"}' }],
    ['a quoted key path and an index', { inputPathsMap: { d: '$.detail.dash-key', i: '$.detail.o.k[1]' }, inputTemplate: '{"d": <d>, "i": <i>}' }],
    ['a JSON string template (RuleTargetInput.fromText)', { inputPathsMap: { a: '$.detail.a' }, inputTemplate: '"value <a>!"' }],
    ['a text template', { inputPathsMap: { a: '$.detail.a' }, inputTemplate: 'value <a>!' }],
    ['escaped quotes in strings', { inputPathsMap: { a: '$.detail.a' }, inputTemplate: '{"q": "say \\"<a>\\""}' }],
    ['the whole event', { inputTemplate: '{"e": <aws.events.event.json>, "t": "<aws.events.event.ingestion-time>"}' }],
    ['an input path', { inputPath: '$.detail.o' }],
    ['a constant', { input: '{"c": [1, "2"]}' }],
  ];

  test.each(cases)('%s gives the same value as the Classic input transformer', async (_name, config) => {
    const expression = classicInputToJsonata(config)!;
    const classic = InputTransformation.transform(event, config, { ingestionTime: '2026-01-01T00:00:00Z' });
    const result = await compileJsonata(expression).evaluate($events, { events: $events });
    expect(JSON.parse(JSON.stringify(result))).toEqual(classic.value);
  });

  test('the matched event needs no transformer', () => {
    expect(classicInputToJsonata({})).toBeUndefined();
  });

  test.each([
    [{ inputPath: '$.detail[*]' }, 'has a wildcard'],
    [{ inputPathsMap: { a: '$.detail.a' }, inputTemplate: '{"l": [<a>]}' }, 'a placeholder directly inside a JSON array does not carry over exactly'],
    [{ inputTemplate: '{"x": <undefined>}' }, 'the input template uses <undefined>, which is neither in InputPathsMap nor a predefined variable'],
    [{ inputTemplate: '{"x": <aws.events.event>}' }, '<aws.events.event> (the event without detail) does not carry over'],
  ])('throws for %j', (config, message) => {
    expect(() => classicInputToJsonata(config)).toThrow(message);
  });
});
