import type { TicketRequest } from '../../../../src/blueprints/error-to-ticket/runtime/fingerprint';
import {
  TicketingHttpError, TicketingNetworkError, TicketingTimeoutError, extractTicketId, parseTicketingSecret, postTicket,
} from '../../../../src/blueprints/error-to-ticket/runtime/ticketing-client';
import type { FetchFn } from '../../../../src/blueprints/error-to-ticket/runtime/ticketing-client';

const request: TicketRequest = {
  kind: 'error', fingerprint: 'error:abc', title: 't', description: 'd', severity: 'high', labels: { service: 's' }, eventId: 'evt-1',
};

describe('parseTicketingSecret', () => {
  test('reads endpoint, authorization and headers', () => {
    expect(parseTicketingSecret(JSON.stringify({ endpoint: 'https://t.example.com/api', authorization: 'Bearer x', headers: { 'X-P': 'OPS' } })))
      .toEqual({ endpoint: 'https://t.example.com/api', authorization: 'Bearer x', headers: { 'X-P': 'OPS' } });
  });

  test('accepts http for loopback only', () => {
    expect(parseTicketingSecret('{"endpoint":"http://127.0.0.1:8080/t"}').endpoint).toBe('http://127.0.0.1:8080/t');
    expect(() => parseTicketingSecret('{"endpoint":"http://tickets.example.com/t"}')).toThrow(/must use https/);
  });

  test.each([
    ['not JSON', 'Bearer abc', /must be a JSON object like/],
    ['no endpoint', '{"authorization":"x"}', /must have a string "endpoint"/],
    ['bad URL', '{"endpoint":"not a url"}', /not a valid URL/],
    ['non-string header', '{"endpoint":"https://x","headers":{"a":1}}', /header "a" must be a string/],
    ['undefined', undefined, /JSON object/],
    ['the endpoint holds credentials', '{"endpoint":"https://ops:Bearer abc@t.example.com/api"}', /"endpoint" must not hold credentials \(user:password@\); put them in "authorization"/],
    ['a header value has a line break', '{"endpoint":"https://x","headers":{"X-A":"Bearer abc\\r\\nX-B: 1"}}', /header "X-A" must not contain control characters/],
    ['the authorization has a line break', '{"endpoint":"https://x","authorization":"Bearer abc\\n"}', /"authorization" must not contain control characters/],
    ['a header name is not a token', '{"endpoint":"https://x","headers":{"Bearer abc: x":"1"}}', /"headers" has a name that is not an HTTP token/],
  ])('throws when %s, without echoing the secret', (_name, secret, message) => {
    expect(() => parseTicketingSecret(secret)).toThrow(message);
    expect(() => parseTicketingSecret(secret)).not.toThrow(/Bearer abc|s3cret/);
  });
});

describe('extractTicketId', () => {
  test.each([
    ['{"ticketId":"T-1","id":"x"}', null, 'T-1'],
    ['{"id":42}', null, '42'],
    ['{"key":"OPS-7"}', null, 'OPS-7'],
    ['created', 'https://t.example.com/tickets/OPS-9?x=1', 'OPS-9'],
    ['', null, 'unknown'],
    ['created', '/tickets/OPS-%E0%A4%A', 'OPS-%E0%A4%A'],
    ['created', '/tickets/OPS%2D9', 'OPS-9'],
  ])('%s / %s -> %s', (body, location, expected) => {
    expect(extractTicketId(body, location)).toBe(expected);
  });
});

describe('postTicket', () => {
  const secret = { endpoint: 'https://t.example.com/api', authorization: 'Bearer s3cret' };

  function fakeFetch(status: number, body: string): { fn: FetchFn; calls: Parameters<FetchFn>[] } {
    const calls: Parameters<FetchFn>[] = [];
    const fn: FetchFn = async (...args) => {
      calls.push(args);
      return { status, ok: status >= 200 && status < 300, headers: { get: () => null }, text: async () => body };
    };
    return { fn, calls };
  }

  test('POSTs JSON with authorization and idempotency key', async () => {
    const { fn, calls } = fakeFetch(201, '{"id":"T-1"}');
    await expect(postTicket(fn, secret, request, 1000)).resolves.toBe('T-1');
    const [url, init] = calls[0];
    expect(url).toBe('https://t.example.com/api');
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({ 'Authorization': 'Bearer s3cret', 'Content-Type': 'application/json', 'Idempotency-Key': 'evt-1' });
    expect(JSON.parse(init.body)).toEqual({ title: 't', description: 'd', severity: 'high', fingerprint: 'error:abc', kind: 'error', labels: { service: 's' } });
  });

  test('throws on a non-2xx answer, without the body (it may echo credentials)', async () => {
    const { fn } = fakeFetch(401, 'invalid token Bearer s3cret');
    const attempt = postTicket(fn, secret, request, 1000);
    await expect(attempt).rejects.toThrow(TicketingHttpError);
    await expect(attempt).rejects.toThrow('Ticketing system answered HTTP 401 (body of 27 characters not shown)');
  });

  test('any 2xx is a success, even with a Location that is not valid percent-encoding', async () => {
    const fn: FetchFn = async () => ({
      status: 201, ok: true, headers: { get: () => 'https://t.example.com/tickets/OPS-%E0%A4%A' }, text: async () => 'created',
    });
    await expect(postTicket(fn, secret, request, 1000)).resolves.toBe('OPS-%E0%A4%A');
  });

  test('throws a timeout error when the system does not answer in time', async () => {
    const fn: FetchFn = (_url, init) => new Promise((_resolve, reject) => {
      init.signal.addEventListener('abort', () => reject(init.signal.reason));
    });
    await expect(postTicket(fn, secret, request, 50)).rejects.toThrow(new TicketingTimeoutError(50));
  });

  test('network errors keep only their name and code (their message may hold the URL)', async () => {
    const fn: FetchFn = async () => {
      throw Object.assign(new TypeError('fetch failed for https://user:s3cret@t.example.com'), { cause: { code: 'ECONNREFUSED' } });
    };
    const attempt = postTicket(fn, secret, request, 1000);
    await expect(attempt).rejects.toThrow(TicketingNetworkError);
    await expect(attempt).rejects.toThrow(/^Ticketing system could not be reached \(TypeError ECONNREFUSED\)$/);
  });
});
