import jsonata from 'jsonata';
import { JSONATA_BOUNDS, childTraffic, evaluateInChild, evaluateJsonataBounded } from '../../src/testing/private/bounded-jsonata';
import { fastJsonata, unsafeJsonataReason } from '../../src/testing/private/safe-jsonata';

/** Each evaluation's value or error message. */
const outcomes = (results: Array<PromiseSettledResult<unknown>>) =>
  results.map((r) => (r.status === 'fulfilled' ? { value: r.value } : { error: (r.reason as Error).message }));

const reason = (expression: string) => unsafeJsonataReason(jsonata(expression).ast());

const $events = {
  Data: { 'detail-type': 'OrderPlaced', 'detail': { orderId: 'o-1', total: 120, items: [{ sku: 'a', n: 1 }, { sku: 'b', n: 2 }] }, 'tags': ['x', 'y'], 's': '  Hi  ' },
  Metadata: {},
  SystemMetadata: { EventGroupId: 'g-1', ContentType: 'application/json' },
};

const SAFE = [
  '{ "orderId": $events.Data.detail.orderId, "total": $events.Data.detail.total }',
  '$events.SystemMetadata.EventGroupId',
  '$$.Data.detail.orderId & "-" & $string($.Data.detail.total)',
  '-$events.Data.detail.total * 2 + 1',
  '"x" in $events.Data.tags',
  '$count($events.Data.detail.items) > 1 and $exists($events.Data.detail.orderId) or $not(true)',
  '[1, "a", true, null, $events.Data.detail.items.sku]',
  '$uppercase($trim($events.Data.s)) & $lowercase("AB") & $string($length("abc")) & $string($number("4")) & $string($boolean(1))',
  '$events.Data.detail.total > 100 ? { "large": true } : { "large": false }',
  '$events.Data.detail.items[]',
  '{"order": ($exists($events.Data.detail.orderId) ? $events.Data.detail.orderId : ""), "at": ($exists($events.Data.time) ? $events.Data.time : "")}',
  '("ignored"; $events.Data.detail.orderId)',
  '$events',
  '$',
];

describe('which JSONata expressions are proved safe to evaluate in-process', () => {
  test.each(SAFE)('accepted: %s', (expression) => {
    expect(reason(expression)).toBeUndefined();
  });

  test.each([
    ['$match("aaa", /(a+)+b/)', 'a call of $match'],
    ['/ab+/', 'an expression of type "regex"'],
    ['$pad("x", 1000000000)', 'a call of $pad'],
    ['$string($events, true)', '$string with more than 1 argument(s)'],
    ['[1..1000000000]', 'the operator ".."'],
    ['$events.Data.detail.items.[$, $].[$, $]', 'a path step of type "unary" ("[")'],
    ['$events.Data.detail.items.{ "a": $ }', 'a path step of type "unary" ("{")'],
    ['$events.Data.detail.items[0]', 'a name with "stages"'],
    ['Data.detail.items{sku: n}', 'a path with "group"'],
    ['$f := 1', 'an expression of type "bind"'],
    ['function($x) { $x }', 'an expression of type "lambda"'],
    ['($f := function($n) { $f($n) }; $f(0))', 'an expression of type "bind"'],
    ['($x := $events.Data; $x)', 'an expression of type "bind"'],
    ['$other.a', 'the variable $other'],
    ['**.a', 'a path step of type "descendant" ("**")'],
    ['*.a', 'a path step of type "wildcard" ("*")'],
    ['Data.%.a', 'a name with "ancestor"'],
    ['$events.Data ~> $string', 'an expression of type "apply"'],
    ['Data^(a)', 'a path step of type "sort"'],
    ['a.b#$i', 'a name with "index"'],
    ['a@$x', 'a name with "focus"'],
    ['$sum([1, 2])', 'a call of $sum'],
    ['$string', 'the variable $string'],
    [`[${Array.from({ length: 33 }, (_, i) => `$events.Data.f${i}`).join(', ')}]`, 'more than 32 paths'],
    [`[${Array.from({ length: 300 }, (_, i) => String(i)).join(', ')}]`, 'more than 256 syntax nodes'],
  ])('refused into the child: %s (%s)', (expression, why) => {
    expect(reason(expression)).toBe(why);
  });

  test('an accepted expression gives in-process exactly what the bounded child gives', async () => {
    for (const expression of SAFE) {
      const here = await evaluateJsonataBounded(expression, $events, { events: $events });
      const there = await evaluateInChild(expression, $events, { events: $events });
      expect({ expression, result: here }).toEqual({ expression, result: there });
    }
  });

  test('an accepted expression is evaluated in-process (nothing goes to the child), and its result is still bounded', async () => {
    const before = { ...childTraffic };
    expect(await evaluateJsonataBounded('{ "id": $events.Data.detail.orderId }', $events, { events: $events })).toEqual({ id: 'o-1' });
    const s = 'x'.repeat(600 * 1024);
    await expect(evaluateJsonataBounded('[$events.Data.s, $events.Data.s]', { Data: { s } }, { events: { Data: { s } } }))
      .rejects.toThrow(`the result is larger than ${JSONATA_BOUNDS.maxOutputBytes} bytes`);
    await expect(evaluateJsonataBounded('$number($events.Data.s)', $events, { events: $events })).rejects.toThrow(/^Unable to cast value to a number/);
    expect(childTraffic.evaluations).toBe(before.evaluations);
  });
});

describe('the synchronous evaluator of the commonest safe expressions', () => {
  const FAST = [
    '{ "orderId": $events.Data.detail.orderId, "total": $events.Data.detail.total }',
    '{"order": ($exists($events.Data.detail.orderId) ? $events.Data.detail.orderId : ""), "at": ($exists($events.Data.time) ? $events.Data.time : "")}',
    '$events.SystemMetadata.EventGroupId',
    '$events.Data.detail.items',
    '$events.Data.detail.items.sku',
    '$events.Data.detail.items.tags',
    '$events.Data.detail.items.tags.k',
    '$events.Data.detail.nested',
    '$events.Data.detail.nested.a',
    '$events.Data.one',
    '$events.Data.one.x',
    '$events.Data.empty',
    '$events.Data.empty.x',
    '$events.Data.nothing',
    '$events.Data.constructor',
    '$events.Data.n.x',
    'Data.detail.orderId',
    '$.Data.detail.items',
    '$$.Data.one',
    '$',
    '$events',
    '{ "a": { "b": $events.Data.detail.items.sku, "c": $events.Data.nothing }, "d": null, "e": 1.5, "f": true }',
    '($exists($events.Data.nothing))',
    '$exists($events.Data.empty) ? "yes" : "no"',
    '$exists($events.Data.nothing) ? "yes"',
    '("a"; $events.Data.one)',
  ];
  const inputs: any[] = [
    { Data: { detail: { orderId: 'o-1', total: 12, items: [{ sku: 'a', tags: [{ k: 1 }, { k: [2, 3] }] }, { sku: 'b' }, { tags: [] }], nested: [[1, 2], [{ a: [3] }, { a: 4 }], 5] }, one: [7], empty: [], n: 3, time: 't' }, SystemMetadata: { EventGroupId: 'g' } },
    { Data: { detail: { items: [[{ sku: 'x' }, { sku: ['y', ['z']] }]], nested: { a: null } }, one: [[1, 2]], empty: {}, n: null } },
    { Data: { detail: { items: { sku: [] } }, one: { x: [{}] }, constructor: 1 } },
    { Data: null },
    {},
  ];

  test.each(FAST)('gives jsonata\'s result: %s', async (expression) => {
    const ast = jsonata(expression).ast();
    const fast = fastJsonata(ast, JSONATA_BOUNDS.jsonata.sequence);
    expect(fast).toBeDefined();
    for (const input of inputs) {
      const expected = await jsonata(expression).evaluate(input, { events: input });
      expect({ input, result: JSON.stringify(fast!(input, input)) }).toEqual({ input, result: JSON.stringify(expected) });
    }
  });

  test.each([
    '"a" & $events.Data.x',
    '[$events.Data.x]',
    '{ "a": 1, "a": 2 }',
    '{ $events.Data.k: 1 }',
    '$events.Data.x[]',
    '$count($events.Data.x) ? 1 : 2',
    '$pad("x", 1)',
  ])('leaves the rest to jsonata: %s', (expression) => {
    expect(fastJsonata(jsonata(expression).ast(), JSONATA_BOUNDS.jsonata.sequence)).toBeUndefined();
  });

  test('a sequence past jsonata\'s bound is left to jsonata, which reports it', async () => {
    const input = { Data: { items: Array.from({ length: 5 }, () => ({ v: [1, 2, 3] })) } };
    const fast = fastJsonata(jsonata('$events.Data.items.v').ast(), 10)!;
    expect(() => fast(input, input)).toThrow('sequence bound');
    // Two items of 50,001 values each: the step that flattens them makes a sequence past the bound in ~20 ms (50,001
    // items of two values took ~300 ms, and under heavy load met jsonata's 2 s timeout before the sequence bound).
    const big = { Data: { items: Array.from({ length: 2 }, () => ({ v: Array.from({ length: 50_001 }, (_, i) => i) })) } };
    await expect(evaluateJsonataBounded('$events.Data.items.v', big, { events: big })).rejects.toThrow(/100000/);
  });
});

describe('evaluations batched to the bounded child', () => {
  test('evaluations asked for together go in one message; each expression and input is sent once', async () => {
    const before = { ...childTraffic };
    const inputs = [1, 2, 3, 4].map((n) => ({ Data: { n } }));
    const asked = [];
    for (let k = 0; k < 50; k++) {
      const input = inputs[k % 4];
      asked.push(evaluateInChild(k % 2 === 0 ? '$events.Data.n * 10' : '$sum([$events.Data.n, 1])', input, { events: input }));
    }
    const results = await Promise.all(asked);
    expect(results).toEqual(Array.from({ length: 50 }, (_, k) => (k % 2 === 0 ? ((k % 4) + 1) * 10 : (k % 4) + 2)));
    expect(childTraffic.batches - before.batches).toBe(1);
    expect(childTraffic.evaluations - before.evaluations).toBe(50);
    expect(childTraffic.inputs - before.inputs).toBe(4);
    // Known to the child from an earlier batch or not, an expression is never sent twice to the same child.
    expect(childTraffic.definitions - before.definitions).toBeLessThanOrEqual(2);
    const again = await Promise.all([evaluateInChild('$events.Data.n * 10', inputs[0], { events: inputs[0] })]);
    expect(again).toEqual([10]);
    expect(childTraffic.definitions - before.definitions).toBeLessThanOrEqual(2);
  });

  test('a failing expression in a batch fails only its own evaluation', async () => {
    const before = { ...childTraffic };
    const input = { Data: { id: 'o-1' } };
    const results = await Promise.allSettled([
      evaluateInChild('$events.Data.id', input, { events: input }),
      evaluateInChild('$number("x")', input, { events: input }),
      evaluateInChild('$pad("x", 2000000)', input, { events: input }),
      evaluateInChild('$events.Data.missing', input, { events: input }),
      evaluateInChild('$uppercase($events.Data.id)', input, { events: input }),
    ]);
    expect(outcomes(results)).toEqual([
      { value: 'o-1' },
      { error: expect.stringMatching(/^Unable to cast value to a number/) },
      { error: `the result is larger than ${JSONATA_BOUNDS.maxOutputBytes} bytes` },
      { value: undefined },
      { value: 'O-1' },
    ]);
    expect(childTraffic.batches - before.batches).toBe(1);
    expect(childTraffic.restarts - before.restarts).toBe(0);
  });

  test('a runaway evaluation in a batch is stopped alone with the timeout reason; the others succeed and the child is replaced', async () => {
    const before = { ...childTraffic };
    const input = { Data: { id: 'o-1' } };
    const started = Date.now();
    const results = await Promise.allSettled([
      evaluateInChild('$events.Data.id & "-a"', input, { events: input }),
      evaluateInChild('$match($pad("", 40, "a") & "!", /(a+)+b/)', input, { events: input }),
      evaluateInChild('$events.Data.id & "-b"', input, { events: input }),
      evaluateInChild('$pad("x", 1000000000)', input, { events: input }),
      evaluateInChild('$events.Data.id & "-c"', input, { events: input }),
    ]);
    expect(outcomes(results)).toEqual([
      { value: 'o-1-a' },
      { error: `the evaluation took longer than ${JSONATA_BOUNDS.timeoutMs} ms and was stopped` },
      { value: 'o-1-b' },
      { error: expect.stringMatching(/^(Invalid string length|the evaluation ran out of its 256 MiB of memory and was stopped)/) },
      { value: 'o-1-c' },
    ]);
    // Killed in the batch, then alone: two stops for the runaway regex.
    expect(childTraffic.restarts - before.restarts).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await evaluateInChild('$events.Data.id', input, { events: input })).toBe('o-1');
  });
});
