import { Duration, Stack, aws_sqs as sqs } from 'aws-cdk-lib';
import { CustomEventBus, SubscriberFilter, SubscriberOrdering, SubscriberTarget, SubscriberTransformer } from '../../src/core';
import { CustomBusEvents, CustomBusRouter, DeliveryOutcome, TargetHandlers } from '../../src/testing';
import { JSONATA_BOUNDS } from '../../src/testing/private/bounded-jsonata';

function app() {
  const stack = new Stack(undefined, 'Shop', { env: { account: '111122223333', region: 'eu-west-1' } });
  const bus = new CustomEventBus(stack, 'Bus', { eventBusName: 'orders' });
  const queue = (id: string) => new sqs.Queue(stack, id, { enforceSSL: true });
  return { stack, bus, queue };
}

const placed = (detail: any, extra: any = {}) => CustomBusEvents.putEvents({ source: 'shop', detailType: 'OrderPlaced', detail, ...extra });

describe('CustomBusRouter.route', () => {
  test('a DATA filter written like a rule pattern matches PutEvents traffic; RAW delivers the envelope', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Large', {
      subscriberName: 'large',
      target: SubscriberTarget.sqs(queue('Q')),
      filters: [SubscriberFilter.data({ 'detail-type': ['OrderPlaced'], 'detail': { total: [{ numeric: ['>', 500] }] } })],
    });
    const router = CustomBusRouter.fromStack(stack);
    const [delivery] = await router.route(placed({ total: 900 }));
    expect(delivery.subscriber).toMatchObject({
      name: 'large',
      eventBusName: 'orders',
      targetLogicalId: stack.getLogicalId(stack.node.findChild('Q').node.defaultChild as any),
      targetResourceType: 'AWS::SQS::Queue',
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400, isDefault: false },
    });
    expect(delivery.input).toMatchObject({ 'source': 'shop', 'detail-type': 'OrderPlaced', 'detail': { total: 900 } });
    expect(JSON.parse(delivery.inputText!)).toEqual(delivery.input);
    expect(await router.route(placed({ total: 100 }))).toEqual([]);
  });

  test('METADATA filters match PutRawEvents metadata and never PutEvents traffic', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Acme', { target: SubscriberTarget.sqs(queue('Q')), filters: [SubscriberFilter.metadata({ tenant: ['acme'] })] });
    const router = CustomBusRouter.fromStack(stack);
    expect(await router.route({ data: { id: 1 }, metadata: { tenant: 'acme' } })).toHaveLength(1);
    expect(await router.route({ data: { id: 1 }, metadata: { tenant: 'other' } })).toHaveLength(0);
    expect(await router.route(placed({ tenant: 'acme' }))).toHaveLength(0);
  });

  test('SYSTEM_METADATA filters see aws:Source; every filter must match', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Shop', {
      target: SubscriberTarget.sqs(queue('Q')),
      filters: [SubscriberFilter.systemMetadata({ 'aws:Source': ['shop'] }), SubscriberFilter.data({ detail: { vip: [true] } })],
    });
    const router = CustomBusRouter.fromStack(stack);
    expect(await router.route(placed({ vip: true }))).toHaveLength(1);
    expect(await router.route(placed({ vip: false }))).toHaveLength(0);
    // A raw payload imitating the envelope does not carry aws:Source.
    expect(await router.route({ data: { source: 'shop', detail: { vip: true } } })).toHaveLength(0);
  });

  test('raw bytes never match a DATA filter but still match SYSTEM_METADATA filters', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Data', { target: SubscriberTarget.sqs(queue('Q1')), filters: [SubscriberFilter.data({ x: [{ exists: false }] })] });
    bus.addSubscriber('System', { target: SubscriberTarget.sqs(queue('Q2')), filters: [SubscriberFilter.systemMetadata({ ContentType: ['application/octet-stream'] })] });
    const deliveries = await CustomBusRouter.fromStack(stack).route({ data: 'AAEC', contentType: 'application/octet-stream' });
    expect(deliveries.map((d) => d.subscriber.logicalId)).toEqual([expect.stringMatching(/^BusSystem/)]);
    expect(deliveries[0].inputText).toBe('AAEC');
  });

  test('WITH_METADATA delivers $events; JSONATA evaluates the expression against $events', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Meta', { target: SubscriberTarget.sqs(queue('Q1')), transformer: SubscriberTransformer.WITH_METADATA });
    bus.addSubscriber('Shape', {
      target: SubscriberTarget.sqs(queue('Q2')),
      transformer: SubscriberTransformer.jsonata('{ "orderId": $events.Data.detail.id, "group": $events.SystemMetadata.EventGroupId, "n": $count($events.Data.detail.items) }'),
    });
    const [meta, shape] = await CustomBusRouter.fromStack(stack).route(placed({ id: 'o-1', items: [1, 2] }, { eventGroupId: 'c-7', time: '2026-05-01T10:00:00Z' }));
    expect(meta.input).toEqual({
      Data: expect.objectContaining({ detail: { id: 'o-1', items: [1, 2] } }),
      SystemMetadata: {
        'ContentType': 'application/eventbridge+json',
        'aws:EventId': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'aws:IngestionTime': '2026-05-01T10:00:00Z',
        'aws:DeliveryType': 'LIVE',
        'aws:Source': 'shop',
        'aws:DetailType': 'OrderPlaced',
        'EventGroupId': 'c-7',
      },
    });
    expect(shape.input).toEqual({ orderId: 'o-1', group: 'c-7', n: 2 });
  });

  test('a JSONata expression that fails or yields nothing is a transform error, and a runaway one is cut short', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Nothing', { target: SubscriberTarget.sqs(queue('Q1')), transformer: SubscriberTransformer.jsonata('$events.Data.missing') });
    bus.addSubscriber('Error', { target: SubscriberTarget.sqs(queue('Q2')), transformer: SubscriberTransformer.jsonata('$number("x")') });
    bus.addSubscriber('Loop', { target: SubscriberTarget.sqs(queue('Q3')), transformer: SubscriberTransformer.jsonata('($f := function($n) { 1 + $f($n + 1) }; $f(0))') });
    const [nothing, error, loop] = await CustomBusRouter.fromStack(stack).route(placed({}));
    expect(nothing.transformError).toBe('the JSONata expression evaluated to nothing');
    expect(error.transformError).toMatch(/^JSONata: Unable to cast value to a number/);
    // Cut short either by JSONata's recursion guard or, on a loaded machine, by the evaluation timeout first.
    expect(loop.transformError).toMatch(/^JSONata: (Stack overflow. Check for non-terminating recursive function|Evaluation timeout after \d+ milliseconds)/);
    expect(nothing.input).toBeUndefined();
  });

  test('built-in functions cannot escape the bounds: a runaway regex is stopped, a huge $pad or result is refused, and routing goes on', async () => {
    const { stack, bus, queue } = app();
    // Catastrophic backtracking: (a+)+b over 40 a's never ends on its own.
    bus.addSubscriber('Regex', { target: SubscriberTarget.sqs(queue('Q1')), transformer: SubscriberTransformer.jsonata('$match($pad("", 40, "a") & "!", /(a+)+b/)') });
    bus.addSubscriber('Pad', { target: SubscriberTarget.sqs(queue('Q2')), transformer: SubscriberTransformer.jsonata('$pad("x", 1000000000)') });
    bus.addSubscriber('Big', { target: SubscriberTarget.sqs(queue('Q3')), transformer: SubscriberTransformer.jsonata('$pad("x", 2000000)') });
    bus.addSubscriber('Fine', { target: SubscriberTarget.sqs(queue('Q4')), transformer: SubscriberTransformer.jsonata('{ "id": $events.Data.detail.id }') });
    const started = Date.now();
    const [regex, pad, big, fine] = await CustomBusRouter.fromStack(stack).route(placed({ id: 'o-1' }));
    expect(regex.transformError).toBe(`JSONata: the evaluation took longer than ${JSONATA_BOUNDS.timeoutMs} ms and was stopped`);
    expect(pad.transformError).toMatch(/^JSONata: (Invalid string length|the evaluation ran out of its 256 MiB of memory and was stopped)/);
    expect(big.transformError).toBe('JSONata: the result is larger than 1048576 bytes');
    expect(fine.input).toEqual({ id: 'o-1' });
    expect(Date.now() - started).toBeLessThan(60_000);
    // The worker is replaced after a stop: the next evaluation works.
    const [, , , again] = await CustomBusRouter.fromStack(stack).route(placed({ id: 'o-1' }));
    expect(again.input).toEqual({ id: 'o-1' });
  });

  test('a STOPPED subscriber routes nothing', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Paused', { target: SubscriberTarget.sqs(queue('Q')), enabled: false });
    expect(await CustomBusRouter.fromStack(stack).route(placed({}))).toEqual([]);
  });

  test('the bus must be named when there are several, and must exist', async () => {
    const { stack, bus, queue } = app();
    const other = new CustomEventBus(stack, 'Other', { eventBusName: 'billing' });
    bus.addSubscriber('A', { target: SubscriberTarget.sqs(queue('Q1')) });
    other.addSubscriber('B', { target: SubscriberTarget.sqs(queue('Q2')) });
    const router = CustomBusRouter.fromStack(stack);
    await expect(router.route(placed({}))).rejects.toThrow('eventBus must be given: the app has 2 Custom Event Buses (Shop/Bus');
    await expect(router.route(placed({}), { eventBus: 'nope' })).rejects.toThrow('no Custom Event Bus "nope" has subscribers');
    expect((await router.route(placed({}), { eventBus: 'billing' })).map((d) => d.subscriber.eventBusName)).toEqual(['billing']);
  });
});

/** A bus and one subscriber without RetryPolicy or DLQ (EventBridge's defaults: 5 retries, 300 s), plus `extra` properties. */
function bareTemplate(extra: any = {}) {
  return {
    Resources: {
      Bus: { Type: 'AWS::EventsV2::EventBus', Properties: { Name: 'b' } },
      Sub: {
        Type: 'AWS::EventsV2::Subscriber',
        Properties: {
          Name: 's',
          EventBusArn: { 'Fn::GetAtt': ['Bus', 'EventBusArn'] },
          InvokeConfiguration: { TargetArn: 'arn:aws:sqs:us-east-1:123456789012:q', RoleArn: 'arn:aws:iam::123456789012:role/r' },
          ...extra,
        },
      },
    },
  };
}

describe('CustomBusRouter.simulate', () => {
  const bare = bareTemplate();

  test('without a retry policy EventBridge\'s defaults apply, and without a DLQ a failed event is dropped', async () => {
    const router = CustomBusRouter.fromTemplate(bare);
    expect(router.subscribers[0].retryPolicy).toEqual({ maximumRetryAttempts: 5, maximumEventAgeInSeconds: 300, isDefault: true });
    const report = await router.simulate([{ data: { a: 1 } }], { defaultHandler: TargetHandlers.fail('down') });
    expect(report.deliveries[0]).toMatchObject({ outcome: DeliveryOutcome.DROPPED, attempts: 6, exhaustedRetryCondition: 'MaximumRetryAttempts' });
    expect(report.dropped).toBe(1);
  });

  test('retries until the target accepts; dead-letters in the documented record shape when retries run out', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Flaky', { subscriberName: 'flaky', target: SubscriberTarget.sqs(queue('Q1')) });
    bus.addSubscriber('Down', { subscriberName: 'down', target: SubscriberTarget.sqs(queue('Q2')), retryAttempts: 2 });
    const router = CustomBusRouter.fromStack(stack);
    const report = await router.simulate([placed({ id: 1 }, { eventGroupId: 'g' })], {
      handlers: { flaky: TargetHandlers.failFirst(3), down: TargetHandlers.fail('queue is gone', 'ACCESS_DENIED') },
    });
    const [flaky, down] = report.deliveries;
    expect(flaky).toMatchObject({ outcome: DeliveryOutcome.DELIVERED, attempts: 4 });
    expect(down).toMatchObject({ outcome: DeliveryOutcome.DEAD_LETTERED, attempts: 3, exhaustedRetryCondition: 'MaximumRetryAttempts' });
    expect(down.deadLetter!.queueLogicalId).toMatch(/^BusDownDeadLetterQueue/);
    expect(down.deadLetter!.record).toEqual({
      version: '1.0',
      busArn: expect.stringMatching(/^arn:aws:events:eu-west-1:111122223333:event-busv2\/orders\//),
      subscriberArn: expect.stringMatching(/^arn:aws:events:eu-west-1:111122223333:subscriber\/down\//),
      targetArn: expect.stringMatching(/^\$\{GetAtt:Q2/),
      errorCode: 'ACCESS_DENIED',
      errorMessage: 'queue is gone',
      exhaustedRetryCondition: 'MaximumRetryAttempts',
      retryAttempts: 2,
      failedMessages: [{ eventId: expect.any(String), eventGroupId: 'g', deduplicationId: null, timestamp: '2024-01-01T00:00:00Z', targetRequestId: null }],
    });
    expect(JSON.stringify(down.deadLetter!.record)).not.toContain('"id":1');
  });

  test('a transform failure is dead-lettered at once, not retried', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Bad', { target: SubscriberTarget.sqs(queue('Q')), transformer: SubscriberTransformer.jsonata('$events.Data.nothing') });
    const report = await CustomBusRouter.fromStack(stack).simulate([placed({})]);
    expect(report.deliveries[0]).toMatchObject({ outcome: DeliveryOutcome.DEAD_LETTERED, attempts: 1, exhaustedRetryCondition: 'TransformFailed' });
    expect(report.deliveries[0].deadLetter!.record.errorCode).toBe('TRANSFORM_FAILED');
  });

  // The retry page (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-retry.html): "a failed call
  // holds up the later events of every event group"; the ordering page says only its own group waits. The router
  // models the stricter retry page.
  test('FIFO: an event being retried holds back the later events of every group', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Ordered', {
      subscriberName: 'ordered',
      ordering: SubscriberOrdering.FIFO,
      target: SubscriberTarget.sqs(queue('Q')),
    });
    let calls = 0;
    const report = await CustomBusRouter.fromStack(stack).simulate([
      placed({ n: 1 }, { eventGroupId: 'g' }),
      placed({ n: 2 }, { eventGroupId: 'g' }),
      placed({ n: 3 }, { eventGroupId: 'h' }),
    ], {
      handlers: {
        ordered: {
          handle: (input: any) => {
            calls++;
            if (input.detail.n === 1 && calls <= 4) {
              throw new Error('busy');
            }
          },
        },
      },
    });
    const [first, second, other] = report.deliveries;
    expect(first).toMatchObject({ outcome: DeliveryOutcome.DELIVERED, attempts: 5, startSeconds: 0, heldBackSeconds: 0 });
    expect(first.endSeconds).toBeGreaterThan(0);
    expect(second.startSeconds).toBe(first.endSeconds);
    expect(second.heldBackSeconds).toBe(first.endSeconds);
    expect(other).toMatchObject({ outcome: DeliveryOutcome.DELIVERED, startSeconds: first.endSeconds, heldBackSeconds: first.endSeconds });
  });

  test('FIFO: after a dead-lettered event its group continues; UNORDERED subscribers never hold back', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Ordered', {
      subscriberName: 'ordered', ordering: SubscriberOrdering.FIFO, target: SubscriberTarget.sqs(queue('Q1')), maxEventAge: Duration.minutes(1),
    });
    bus.addSubscriber('Parallel', { subscriberName: 'parallel', target: SubscriberTarget.sqs(queue('Q2')), maxEventAge: Duration.minutes(1) });
    const poison = { handle: (input: any) => { if (input.detail.poison) throw new Error('poison'); } };
    const report = await CustomBusRouter.fromStack(stack).simulate([
      placed({ poison: true }, { eventGroupId: 'g' }),
      placed({ poison: false }, { eventGroupId: 'g' }),
    ], { handlers: { ordered: poison, parallel: poison } });
    const [o1, o2, p1, p2] = report.deliveries;
    expect(o1).toMatchObject({ outcome: DeliveryOutcome.DEAD_LETTERED, exhaustedRetryCondition: 'MaximumEventAgeInSeconds' });
    expect(o2).toMatchObject({ outcome: DeliveryOutcome.DELIVERED, startSeconds: o1.endSeconds });
    expect(p1.outcome).toBe(DeliveryOutcome.DEAD_LETTERED);
    expect(p2).toMatchObject({ outcome: DeliveryOutcome.DELIVERED, startSeconds: 0 });
  });

  test('deduplication: a copy within 5 minutes is suppressed, per account and event group; content-based too', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('All', { target: SubscriberTarget.sqs(queue('Q')) });
    const raw = (id: string, time: string, extra: any = {}) => ({ data: { id }, deduplicationId: 'k', ingestionTime: time, ...extra });
    const report = await CustomBusRouter.fromStack(stack).simulate([
      raw('a', '2024-01-01T00:00:00Z'),
      raw('b', '2024-01-01T00:04:59Z'),
      raw('c', '2024-01-01T00:05:00Z'),
      raw('d', '2024-01-01T00:00:10Z', { eventGroupId: 'g' }),
      raw('e', '2024-01-01T00:00:20Z', { eventGroupId: 'g', account: '444455556666' }),
      { data: { same: 1 }, contentBasedDeduplication: true },
      { data: { same: 1 }, contentBasedDeduplication: true },
      { data: { same: 2 }, contentBasedDeduplication: true },
    ]);
    expect(report.publishResults).toEqual(['PUBLISHED', 'DEDUPLICATED', 'PUBLISHED', 'PUBLISHED', 'PUBLISHED', 'PUBLISHED', 'DEDUPLICATED', 'PUBLISHED']);
    expect(report.deduplicated).toBe(2);
    expect(report.deliveries.map((d) => d.input.id ?? d.input.same)).toEqual(['a', 'c', 'd', 'e', 1, 2]);
  });

  test('throws on a retry model that cannot work', async () => {
    const router = CustomBusRouter.fromTemplate(bare);
    await expect(router.simulate([{ data: {} }], { retryBaseDelaySeconds: 0 }))
      .rejects.toThrow('retryBaseDelaySeconds must be > 0 and retryMaxDelaySeconds >= retryBaseDelaySeconds, got 0 and 600');
  });

  test('fromTemplates reads several stacks; a subscriber on an imported bus routes on that bus\'s ARN', async () => {
    const importedArn = 'arn:aws:events:us-east-1:123456789012:event-busv2/shared/exampleid0123456789abcdef';
    const consumer = {
      Resources: {
        Sub: {
          Type: 'AWS::EventsV2::Subscriber',
          Properties: {
            Name: 'consumer',
            EventBusArn: importedArn,
            InvokeConfiguration: { TargetArn: 'arn:aws:sqs:us-east-1:123456789012:q', RoleArn: 'arn:aws:iam::123456789012:role/r' },
          },
        },
      },
    };
    const router = CustomBusRouter.fromTemplates([{ stackName: 'Owner', template: bare }, { stackName: 'Consumer', template: consumer }]);
    expect(router.subscribers.map((x) => [x.stackName, x.name, x.eventBusName])).toEqual([['Owner', 's', 'b'], ['Consumer', 'consumer', 'shared']]);
    expect((await router.route({ data: {} }, { eventBus: importedArn })).map((d) => d.subscriber.name)).toEqual(['consumer']);
  });
});

describe('CustomBusRouter: the Classic router\'s plain-event input and defaults', () => {
  const orders = (transformer?: SubscriberTransformer) => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('All', { subscriberName: 'all', target: SubscriberTarget.sqs(queue('Q')), transformer: transformer ?? SubscriberTransformer.WITH_METADATA });
    return CustomBusRouter.fromStack(stack);
  };

  test('an EventBridge event (object or JSON text) is a PutEvents event; EventBridge\'s fields come from the bus', async () => {
    const router = orders();
    const event = { 'source': 'shop', 'detail-type': 'OrderPlaced', 'detail': { id: 'o-1' } };
    const [delivery] = await router.route(event, { ingestionTime: '2026-05-01T10:00:00Z' });
    expect(delivery.input).toEqual({
      Data: {
        'version': '0',
        'id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'detail-type': 'OrderPlaced',
        'source': 'shop',
        'account': '111122223333',
        'time': '2026-05-01T10:00:00Z',
        'region': 'eu-west-1',
        'resources': [],
        'detail': { id: 'o-1' },
      },
      SystemMetadata: {
        'ContentType': 'application/eventbridge+json',
        'aws:EventId': delivery.input.Data.id,
        'aws:IngestionTime': '2026-05-01T10:00:00Z',
        'aws:DeliveryType': 'LIVE',
        'aws:Source': 'shop',
        'aws:DetailType': 'OrderPlaced',
      },
    });
    const [fromText] = await router.route(JSON.stringify(event), { ingestionTime: '2026-05-01T10:00:00Z' });
    expect(fromText.input).toEqual(delivery.input);
  });

  test('CustomBusEvents.putEvents gets the bus\'s account and region, not fixed ones', async () => {
    const [delivery] = await orders().route(CustomBusEvents.putEvents({ source: 'shop', detailType: 'OrderPlaced', detail: {} }));
    expect(delivery.input.Data).toMatchObject({ account: '111122223333', region: 'eu-west-1' });
  });

  test('a PutEvents entry: Detail as text, Time, and the SystemMetadata the subscriber reads (event group, deduplication id)', async () => {
    const router = orders(SubscriberTransformer.jsonata('{ "group": $events.SystemMetadata.EventGroupId, "dedup": $events.SystemMetadata.DeduplicationId, "time": $events.Data.time, "id": $events.Data.detail.id }'));
    const [delivery] = await router.route({
      Source: 'shop',
      DetailType: 'OrderPlaced',
      Detail: '{"id":"o-9"}',
      Time: '2026-05-01T09:00:00Z',
      SystemMetadata: { EventGroupId: 'customer-7', DeduplicationId: 'o-9' },
    });
    expect(delivery.input).toEqual({ group: 'customer-7', dedup: 'o-9', time: '2026-05-01T09:00:00Z', id: 'o-9' });
    // As in the Classic router, the event's time is the ingestion time when nothing else says.
    expect(delivery.event.SystemMetadata['aws:IngestionTime']).toBe('2026-05-01T09:00:00Z');
  });

  test('a PutRawEvents entry: Base64 JSON Data, Metadata and SystemMetadata', async () => {
    const router = orders();
    const [delivery] = await router.route({
      Data: Buffer.from('{"orderId":"o-3"}').toString('base64'),
      Metadata: { tenant: 'acme' },
      SystemMetadata: { ContentType: 'application/json', EventGroupId: 'g-1' },
    }, { ingestionTime: '2026-05-01T10:00:00Z' });
    expect(delivery.input).toEqual({
      Data: { orderId: 'o-3' },
      Metadata: { tenant: 'acme' },
      SystemMetadata: expect.objectContaining({ 'ContentType': 'application/json', 'EventGroupId': 'g-1', 'aws:IngestionTime': '2026-05-01T10:00:00Z' }),
    });
    const [binary] = await router.route({ Data: 'AAEC', SystemMetadata: { ContentType: 'application/octet-stream' } });
    expect(binary.input.Data).toBe('AAEC');
  });

  test('input that PutRawEvents would refuse is refused with the reason', async () => {
    const router = orders();
    await expect(router.route({ data: {}, metadata: { tenant: 7 } as any })).rejects.toThrow('metadata key "tenant" must have a non-empty string value (metadata is a map of strings), got number');
    await expect(router.route({ data: {}, metadata: { 'a/b': 'x' } })).rejects.toThrow('metadata key "a/b" must be 1 to 128 characters without "/"');
    await expect(router.route({ data: {}, eventGroupId: 'g'.repeat(129) })).rejects.toThrow('eventGroupId must be a string of 1 to 128 characters, got 129 characters');
    await expect(router.route('[1]')).rejects.toThrow('an event must be a JSON object, got an array');
    await expect(router.route({ 'detail-type': 'X', 'detail': {} })).rejects.toThrow('PutEvents refuses this event: source must be a string of 1 to 256 characters, got undefined');
    await expect(router.route({ Source: 'shop', Detail: '{}' })).rejects.toThrow('PutEvents refuses this event: detail-type must be a string of 1 to 128 characters, got undefined');
    await expect(router.route('{"source": ')).rejects.toThrow('event is not valid JSON');
  });

  test('simulate() takes plain events and reports dead letters and elapsed seconds as the Classic report does', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Down', { subscriberName: 'down', target: SubscriberTarget.sqs(queue('Q')), retryAttempts: 1 });
    const failing = { handle: () => { throw Object.assign(new Error('denied'), { code: 'ACCESS_DENIED', requestId: 'req-1' }); } };
    const report = await CustomBusRouter.fromStack(stack).simulate([{ 'source': 'shop', 'detail-type': 'X', 'detail': {} }], { handlers: { down: failing } });
    expect(report.deadLetters).toHaveLength(1);
    expect(report.deadLetters[0]).toBe(report.deliveries[0].deadLetter);
    expect(report.deadLetters[0].record.failedMessages[0].targetRequestId).toBe('req-1');
    expect(report.deliveries[0].elapsedSeconds).toBe(report.deliveries[0].endSeconds);
    expect(report.deliveries[0].elapsedSeconds).toBeGreaterThan(0);
  });
});

describe('CustomBusRouter.simulate: the deduplication window is measured from arrival', () => {
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-ordering.html: copies that arrive within
  // 300 seconds after the entry they repeat are suppressed.
  test('a PutEvents Time is not the arrival: copies with different times that arrive together are one event', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('All', { target: SubscriberTarget.sqs(queue('Q')) });
    const copy = (time: string) => CustomBusEvents.putEvents({ source: 'shop', detailType: 'OrderPlaced', detail: { id: 1 }, time, deduplicationId: 'o-1' });
    const report = await CustomBusRouter.fromStack(stack).simulate([copy('2024-01-01T00:00:00Z'), copy('2024-01-01T00:10:00Z')]);
    expect(report.publishResults).toEqual(['PUBLISHED', 'DEDUPLICATED']);
    expect(report.deliveries).toHaveLength(1);
  });

  test('events are taken in arrival order: a copy listed first but arriving later is the one suppressed', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('All', { target: SubscriberTarget.sqs(queue('Q')) });
    const report = await CustomBusRouter.fromStack(stack).simulate([
      { data: { n: 'late' }, deduplicationId: 'k', ingestionTime: '2024-01-01T00:02:00Z' },
      { data: { n: 'early' }, deduplicationId: 'k', ingestionTime: '2024-01-01T00:00:00Z' },
    ]);
    expect(report.publishResults).toEqual(['DEDUPLICATED', 'PUBLISHED']);
    expect(report.deliveries.map((d) => d.input.n)).toEqual(['early']);
  });

  test('FIFO order is arrival order, not list order', async () => {
    const { stack, bus, queue } = app();
    bus.addSubscriber('Ordered', { subscriberName: 'ordered', ordering: SubscriberOrdering.FIFO, target: SubscriberTarget.sqs(queue('Q')) });
    const seen: string[] = [];
    await CustomBusRouter.fromStack(stack).simulate([
      { data: { n: 'second' }, eventGroupId: 'g', ingestionTime: '2024-01-01T00:00:05Z' },
      { data: { n: 'first' }, eventGroupId: 'g', ingestionTime: '2024-01-01T00:00:01Z' },
    ], { handlers: { ordered: { handle: (input: any) => { seen.push(input.n); } } } });
    expect(seen).toEqual(['first', 'second']);
  });
});

describe('CustomBusRouter: templates that cannot deploy', () => {
  test('a JSONata expression over the 8192 characters EventBridge takes is a warning naming the subscriber', () => {
    const expression = `{% "${'x'.repeat(9000)}" %}`;
    const router = CustomBusRouter.fromTemplate(bareTemplate({ Transformer: { Type: 'JSONATA', JsonataConfiguration: { Expression: expression } } }));
    expect(router.warnings).toEqual([
      'subscriber Stack/Sub: its JSONata expression has 9008 characters, more than the 8192 EventBridge takes (https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_JsonataConfiguration.html): the template cannot deploy',
    ]);
  });
});
