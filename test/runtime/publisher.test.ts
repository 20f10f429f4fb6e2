import type { PutEventsCommand, PutEventsCommandOutput, PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import {
  DEFAULT_MAX_ENTRY_BYTES, EventPublisher, MAX_SUPPORTED_ENTRY_BYTES, PublishError,
  backoffDelay, entrySize, parseMaxEntryBytes, planBatches,
} from '../../src/runtime/publisher';
import type { PutEventsClient } from '../../src/runtime/publisher';

type Responder = (entries: PutEventsRequestEntry[], call: number) => PutEventsResultEntry[] | Error;

/** A fake EventBridge client: records every PutEvents request and answers with `respond`. */
class FakeEventBridge implements PutEventsClient {
  public readonly requests: PutEventsRequestEntry[][] = [];
  constructor(private readonly respond: Responder = (entries) => entries.map((_, i) => ({ EventId: `id-${i}` }))) {}
  public async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    const entries = command.input.Entries ?? [];
    this.requests.push(entries);
    const result = this.respond(entries, this.requests.length);
    if (result instanceof Error) throw result;
    return { Entries: result, FailedEntryCount: result.filter((r) => r.ErrorCode).length, $metadata: {} };
  }
}

const ok = (entry: PutEventsRequestEntry) => ({ EventId: `evt-${JSON.parse(entry.Detail ?? '{}').n}` });
const events = (count: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: count }, (_, n) => ({ detailType: `Type${n}`, detail: { n, ...extra } }));

function publisher(client: PutEventsClient, overrides: Partial<ConstructorParameters<typeof EventPublisher>[0]> = {}) {
  const sleeps: number[] = [];
  const p = new EventPublisher({
    client,
    eventBusName: 'bus',
    source: 'com.example.test',
    sleep: async (ms) => { sleeps.push(ms); },
    random: () => 0.5,
    ...overrides,
  });
  return { p, sleeps };
}

describe('entrySize', () => {
  // Source: "Calculating Amazon EventBridge PutEvents event entry size"
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
  test.each([
    ['source and detail-type only', { Source: 'abc', DetailType: 'de' }, 5],
    ['Time counts 14 bytes', { Source: 'abc', DetailType: 'de', Time: new Date() }, 19],
    ['Detail counts its UTF-8 bytes', { Source: 'a', DetailType: 'b', Detail: '{"x":1}' }, 9],
    ['multi-byte characters count in UTF-8 bytes', { Source: 'é', DetailType: '€', Detail: '"😀"' }, 2 + 3 + 6],
    ['each resource counts', { Source: 'a', DetailType: 'b', Resources: ['arn:1', 'arn:22'] }, 2 + 5 + 6],
    ['EventBusName and TraceHeader do not count', { Source: 'a', DetailType: 'b', EventBusName: 'long-bus-name', TraceHeader: 'Root=1' }, 2],
  ])('%s', (_name, entry, expected) => {
    expect(entrySize(entry as PutEventsRequestEntry)).toBe(expected);
  });
});

describe('planBatches', () => {
  test('splits by 10 entries', () => {
    expect(planBatches(new Array(23).fill(1), 1000).map((b) => b.length)).toEqual([10, 10, 3]);
  });

  test('splits by total size, keeping order', () => {
    expect(planBatches([60, 50, 40, 99, 1], 100)).toEqual([[0], [1, 2], [3], [4]]);
  });

  test('a batch stays below the limit, as AWS words it ("must be less than 256KB"): exactly at the limit is split', () => {
    expect(planBatches([50, 49, 50], 100)).toEqual([[0, 1], [2]]);
    expect(planBatches([50, 50, 50], 100)).toEqual([[0], [1], [2]]);
  });

  test('empty input gives no batch', () => {
    expect(planBatches([], 100)).toEqual([]);
  });

  test('throws when one entry is not less than the limit', () => {
    expect(() => planBatches([10, 101], 100)).toThrow('entry #1 is 101 bytes; entries must be less than 100 bytes');
    expect(() => planBatches([100], 100)).toThrow('entry #0 is 100 bytes; entries must be less than 100 bytes');
    expect(planBatches([99], 100)).toEqual([[0]]);
  });
});

describe('backoffDelay (full jitter)', () => {
  test('grows exponentially and is capped', () => {
    const max = (retry: number) => backoffDelay(retry, 100, 1000, () => 0.9999999);
    expect([0, 1, 2, 3, 4, 5].map(max)).toEqual([99, 199, 399, 799, 999, 999]);
  });

  test('is random between 0 and the ceiling', () => {
    expect(backoffDelay(3, 100, 5000, () => 0)).toBe(0);
    expect(backoffDelay(3, 100, 5000, () => 0.5)).toBe(400);
  });
});

describe('parseMaxEntryBytes', () => {
  test('defaults to 256 KB', () => {
    expect(parseMaxEntryBytes(undefined)).toBe(DEFAULT_MAX_ENTRY_BYTES);
    expect(parseMaxEntryBytes('')).toBe(262_144);
  });

  test('accepts up to 1 MB', () => {
    expect(parseMaxEntryBytes('1048576')).toBe(MAX_SUPPORTED_ENTRY_BYTES);
  });

  test.each(['0', '-1', '1.5', 'abc', '1048577'])('throws for %s', (value) => {
    expect(() => parseMaxEntryBytes(value)).toThrow(/EVENT_MAX_ENTRY_BYTES must be an integer between 1 and 1048576/);
  });
});

describe('EventPublisher', () => {
  test('builds entries with bus, source, detail-type and JSON detail', async () => {
    const client = new FakeEventBridge();
    const { p } = publisher(client);
    await p.publish([{ detailType: 'OrderPlaced', detail: { a: 1 }, resources: ['arn:x'] }, { detailType: 'X', detail: {}, source: 'other' }]);
    expect(client.requests).toEqual([[
      { EventBusName: 'bus', Source: 'com.example.test', DetailType: 'OrderPlaced', Detail: '{"a":1}', Resources: ['arn:x'] },
      { EventBusName: 'bus', Source: 'other', DetailType: 'X', Detail: '{}' },
    ]]);
  });

  test('batches by 10 entries and returns event ids in input order', async () => {
    const client = new FakeEventBridge((entries) => entries.map(ok));
    const { p } = publisher(client);
    const result = await p.publish(events(25));
    expect(client.requests.map((r) => r.length)).toEqual([10, 10, 5]);
    expect(result.eventIds).toEqual(Array.from({ length: 25 }, (_, n) => `evt-${n}`));
    expect(result.requests).toBe(3);
  });

  test('batches by total entry size', async () => {
    const client = new FakeEventBridge((entries) => entries.map(ok));
    const { p } = publisher(client, { maxEntryBytes: 1000 });
    // each entry: source 16 + detail-type 5 + detail about 420 bytes => two per request
    await p.publish(events(5, { pad: 'x'.repeat(400) }));
    expect(client.requests.map((r) => r.length)).toEqual([2, 2, 1]);
    for (const request of client.requests) {
      expect(request.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(1000);
    }
  });

  test('an entry exactly at the limit is refused ("must be less than"); one byte less is sent', async () => {
    const client = new FakeEventBridge();
    const base = entrySize({ Source: 'com.example.test', DetailType: 'T', Detail: '{"p":""}' });
    const { p } = publisher(client, { maxEntryBytes: base + 10 });
    const result = await p.send([{ detailType: 'T', detail: { p: 'x'.repeat(10) } }, { detailType: 'T', detail: { p: 'x'.repeat(9) } }]);
    expect(result.unpublished.map((u) => [u.index, u.errorCode])).toEqual([[0, 'EntryTooLarge']]);
    expect(client.requests.flat().map((e) => e.Detail)).toEqual([`{"p":"${'x'.repeat(9)}"}`]);
  });

  test('an entry that cannot become JSON is refused for itself; the valid ones of the same call are sent', async () => {
    const client = new FakeEventBridge();
    const { p } = publisher(client);
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const throwing = { get secret(): string { throw new Error('token=abc123'); } };
    const result = await p.send([
      { detailType: 'Ok', detail: { n: 1 } },
      { detailType: 'Cycle', detail: cycle },
      { detailType: 'BigInt', detail: { n: BigInt(1) } },
      { detailType: 'ToJsonString', detail: { toJSON: () => 'a string' } },
      { detailType: 'ToJsonUndefined', detail: { toJSON: () => undefined } },
      { detailType: 'Getter', detail: throwing },
      { detailType: 'BadTime', detail: {}, time: new Date('not a date') },
      { detailType: 'BadResources', detail: {}, resources: [42 as unknown as string] },
      { detailType: 'Ok', detail: { n: 2 } },
    ]);
    expect(client.requests.flat().map((e) => e.Detail)).toEqual(['{"n":1}', '{"n":2}']);
    expect(result.unpublished.map((u) => [u.index, u.detailType, u.errorCode])).toEqual([
      [1, 'Cycle', 'InvalidDetail'],
      [2, 'BigInt', 'InvalidDetail'],
      [3, 'ToJsonString', 'InvalidDetail'],
      [4, 'ToJsonUndefined', 'InvalidDetail'],
      [5, 'Getter', 'InvalidDetail'],
      [6, 'BadTime', 'InvalidEntry'],
      [7, 'BadResources', 'InvalidEntry'],
    ]);
    expect(result.unpublished[0].errorMessage).toBe('detail cannot be serialized to JSON (TypeError: a cycle, a BigInt, or a getter or toJSON that throws)');
    expect(result.unpublished[2].errorMessage).toBe('detail must serialize to a JSON object (EventBridge requires one); its toJSON returns something else');
    expect(result.unpublished[5].errorMessage).toBe('time must be a valid Date');
    expect(result.unpublished[6].errorMessage).toBe('resources must be an array of strings');
    // What a value held is never repeated.
    expect(JSON.stringify(result.unpublished)).not.toContain('abc123');
    await expect(p.publish([{ detailType: 'Cycle', detail: cycle }, { detailType: 'Ok', detail: {} }])).rejects.toThrow(/#0 Cycle: InvalidDetail/);
  });

  test('toEntry throws, naming the problem, for an event send() would refuse', () => {
    const { p } = publisher(new FakeEventBridge());
    expect(() => p.toEntry({ detailType: 'T', detail: { n: BigInt(1) } })).toThrow(/^InvalidDetail: detail cannot be serialized to JSON/);
  });

  test('an entry larger than the limit is refused locally and reported; the others are sent', async () => {
    const client = new FakeEventBridge();
    const { p } = publisher(client, { maxEntryBytes: 100 });
    const result = await p.send([{ detailType: 'Small', detail: {} }, { detailType: 'Big', detail: { pad: 'x'.repeat(200) } }]);
    expect(result.unpublished).toEqual([{
      index: 1,
      detailType: 'Big',
      errorCode: 'EntryTooLarge',
      attempts: 0,
      errorMessage: expect.stringMatching(/^the entry is 2\d\d bytes; a PutEvents entry must be less than 100 bytes/),
    }]);
    expect(client.requests.map((r) => r.map((e) => e.DetailType))).toEqual([['Small']]);
  });

  test.each<[string, unknown, string]>([
    ['a string', 'hello', 'got a string'],
    ['an array', [1, 2], 'got an array'],
    ['null', null, 'got null'],
    ['a number', 5, 'got a number'],
  ])('a detail that is %s is refused locally, never sent', async (_name, detail, got) => {
    const client = new FakeEventBridge();
    const { p } = publisher(client);
    const attempt = p.publish([{ detailType: 'Bad', detail }]);
    await expect(attempt).rejects.toThrow(`Failed to publish 1 of 1 event(s) to EventBridge: #0 Bad: InvalidDetail: detail must be a JSON object (EventBridge requires one), ${got} (after 0 attempts)`);
    expect(client.requests).toHaveLength(0);
  });

  test('send() reports unpublished entries by index and error code instead of throwing', async () => {
    const client = new FakeEventBridge((entries) => entries.map((e) => (JSON.parse(e.Detail!).n === 1 ? { ErrorCode: 'InvalidArgument', ErrorMessage: 'x' } : ok(e))));
    const { p } = publisher(client);
    const result = await p.send(events(3));
    expect(result.eventIds).toEqual(['evt-0', '', 'evt-2']);
    expect(result.unpublished.map((f) => [f.index, f.errorCode])).toEqual([[1, 'InvalidArgument']]);
  });

  test('the error message stays bounded: 10 entries listed, the rest counted by error code', async () => {
    const client = new FakeEventBridge((entries) => entries.map(() => ({ ErrorCode: 'InvalidArgument', ErrorMessage: 'm'.repeat(5000) })));
    const { p } = publisher(client);
    const attempt = p.publish(events(10_000));
    await expect(attempt).rejects.toThrow(/; and 9990 more \(InvalidArgument: 9990\); see \.failures$/);
    const error = await attempt.then(() => undefined, (e: PublishError) => e) as PublishError;
    expect(error.failures).toHaveLength(10_000);
    expect(error.message.length).toBeLessThan(4000);
  });

  test('forContract: source and detail-type from the contract, details checked against its schema on request', async () => {
    const client = new FakeEventBridge();
    const contract = {
      source: 'com.example.orders',
      detailType: 'OrderPlaced',
      detailSchema: { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string', minLength: 1 } } },
    };
    const orders = EventPublisher.forContract<{ orderId: string }>(contract, { client, eventBusName: 'bus', validateDetail: true });
    const result = await orders.send([{ orderId: 'o-1' }, { orderId: '' }, {} as { orderId: string }]);
    expect(result.unpublished.map((f) => [f.index, f.errorCode, f.errorMessage])).toEqual([
      [1, 'SchemaViolation', 'detail/orderId must NOT have fewer than 1 characters (contract of OrderPlaced)'],
      [2, 'SchemaViolation', "detail must have required property 'orderId' (contract of OrderPlaced)"],
    ]);
    expect(client.requests).toEqual([[{ EventBusName: 'bus', Source: 'com.example.orders', DetailType: 'OrderPlaced', Detail: '{"orderId":"o-1"}' }]]);
    expect(() => EventPublisher.forContract({ source: 's', detailType: 'T' }, { client, eventBusName: 'bus', validateDetail: true }))
      .toThrow("validateDetail needs the contract's detailSchema, and T has none");
  });

  test('retries only the failed entries, with backoff', async () => {
    const client = new FakeEventBridge((entries, call) => entries.map((e) => {
      const n = JSON.parse(e.Detail!).n;
      if (call === 1 && (n === 1 || n === 3)) return { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' };
      if (call === 2 && n === 3) return { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' };
      return ok(e);
    }));
    const { p, sleeps } = publisher(client, { baseDelayMs: 100 });
    const result = await p.publish(events(5));
    expect(client.requests.map((r) => r.map((e) => JSON.parse(e.Detail!).n))).toEqual([[0, 1, 2, 3, 4], [1, 3], [3]]);
    expect(result.eventIds).toEqual(['evt-0', 'evt-1', 'evt-2', 'evt-3', 'evt-4']);
    expect(sleeps).toEqual([50, 100]); // random 0.5 * 100 * 2^0, 0.5 * 100 * 2^1
  });

  test('does not retry non-retryable error codes', async () => {
    const client = new FakeEventBridge((entries) => entries.map((e, i) => (i === 1 ? { ErrorCode: 'MalformedDetail', ErrorMessage: 'bad detail' } : ok(e))));
    const { p, sleeps } = publisher(client);
    const attempt = p.publish(events(3));
    await expect(attempt).rejects.toThrow(PublishError);
    expect(client.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  test('gives up after maxAttempts and names every lost entry', async () => {
    const client = new FakeEventBridge((entries) => entries.map((e) => {
      const n = JSON.parse(e.Detail!).n;
      if (n === 0) return { ErrorCode: 'ThrottlingException', ErrorMessage: 'rate exceeded' };
      if (n === 2) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'bad source' };
      return ok(e);
    }));
    const { p, sleeps } = publisher(client, { maxAttempts: 3 });
    let error: PublishError | undefined;
    try {
      await p.publish(events(3));
    } catch (err) {
      error = err as PublishError;
    }
    expect(error).toBeInstanceOf(PublishError);
    expect(error!.failures).toEqual([
      { index: 0, detailType: 'Type0', errorCode: 'ThrottlingException', errorMessage: 'rate exceeded', attempts: 3 },
      { index: 2, detailType: 'Type2', errorCode: 'InvalidArgument', errorMessage: 'bad source', attempts: 1 },
    ]);
    expect(error!.publishedCount).toBe(1);
    expect(error!.message).toBe('Failed to publish 2 of 3 event(s) to EventBridge: '
      + '#0 Type0: ThrottlingException: rate exceeded (after 3 attempts); #2 Type2: InvalidArgument: bad source (after 1 attempt)');
    expect(client.requests.map((r) => r.length)).toEqual([3, 1, 1]);
    expect(sleeps).toHaveLength(2);
  });

  test('retries a request that failed as a whole with a retryable error', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: { throttling: true } });
    const client = new FakeEventBridge((entries, call) => (call === 1 ? throttled : entries.map(ok)));
    const { p } = publisher(client);
    await expect(p.publish(events(2))).resolves.toMatchObject({ eventIds: ['evt-0', 'evt-1'], requests: 2 });
  });

  test('a request that failed as a whole with a client error is not retried', async () => {
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    const client = new FakeEventBridge(() => denied);
    const { p } = publisher(client);
    await expect(p.publish(events(2))).rejects.toThrow('#0 Type0: AccessDeniedException: not allowed (after 1 attempt); #1 Type1');
    expect(client.requests).toHaveLength(1);
  });

  test('a missing result entry counts as a failure', async () => {
    const client = new FakeEventBridge(() => []);
    const { p } = publisher(client, { maxAttempts: 1 });
    await expect(p.publish(events(1))).rejects.toThrow(/MissingResult/);
  });

  test('publishing nothing sends nothing', async () => {
    const client = new FakeEventBridge();
    const { p } = publisher(client);
    await expect(p.publish([])).resolves.toEqual({ eventIds: [], requests: 0 });
    expect(client.requests).toHaveLength(0);
  });

  test.each([
    [{ maxEntryBytes: 0 }, /maxEntryBytes must be a positive integer/],
    [{ maxAttempts: 0 }, /maxAttempts must be an integer >= 1/],
    [{ eventBusName: '' }, /eventBusName must not be empty/],
    [{ source: '' }, /source must not be empty/],
  ])('throws for invalid options %j', (overrides, message) => {
    expect(() => publisher(new FakeEventBridge(), overrides)).toThrow(message);
  });
});
