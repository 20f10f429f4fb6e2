import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ConflictingPayloadError } from '../../../../src/blueprints/runtime-shared/handler';
import { InvalidEventError } from '../../../../src/blueprints/runtime-shared/validation';
import { contactUrl, parseRetryAfter, parseMarketingSecret, MarketingHttpError, MarketingThrottledError } from '../../../../src/blueprints/saas-crm/runtime/marketing-client';
import type { FetchFn } from '../../../../src/blueprints/saas-crm/runtime/marketing-client';
import { createUpsertContactHandler, upsertContactConfigFromEnv } from '../../../../src/blueprints/saas-crm/runtime/upsert-contact.lambda';
import type { ContactVersions } from '../../../../src/blueprints/saas-crm/runtime/upsert-contact.lambda';
import { fakeIdempotencyTable } from '../../runtime-shared/fake-idempotency-table';
import { silentLogger } from '../../runtime-shared/silent-logger';

const table = fakeIdempotencyTable();
const secretsManager = mockClient(SecretsManagerClient);
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const SECRET = { endpoint: 'https://marketing.example.com/api/contacts/{externalId}', authorization: 'Bearer t0ken', headers: { 'X-Account': '42' } };

interface Call { url: string; method: string; headers: Record<string, string>; body: unknown }
let calls: Call[];
let answers: Array<{ status: number; headers?: Record<string, string> }>;
let slept: number[];
let remaining: number;

const fetchFn: FetchFn = async (url, init) => {
  calls.push({ url, method: init.method, headers: init.headers, body: JSON.parse(init.body) });
  const answer = answers.shift() ?? { status: 200 };
  return { status: answer.status, headers: { get: (name: string) => answer.headers?.[name.toLowerCase()] ?? null }, text: async () => '{"echo":"Bearer t0ken"}' };
};

function context(): Context {
  return { functionName: 'upsert', awsRequestId: 'r-1', getRemainingTimeInMillis: () => remaining } as unknown as Context;
}

function handler(allowedFields = ['leadId', 'email', 'firstName', 'lastName', 'company', 'leadStatus', 'emailOptOut', 'updatedAt'], versions?: ContactVersions) {
  return createUpsertContactHandler({ secretArn: 'arn:secret', idempotencyTableName: 'idem', allowedFields }, {
    versions,
    dynamoDb: new DynamoDBClient({ region: 'eu-west-1' }),
    secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    fetch: fetchFn,
    logger: silentLogger,
    now: () => NOW,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
}

/** What the route's input transformer delivers for a Salesforce update of the email only: the rest arrive empty. */
const contact = (overrides: Record<string, unknown> = {}) => ({
  externalId: '00Q5f000001abcDEAQ',
  email: 'ada@example.com',
  firstName: '',
  lastName: '',
  company: '',
  leadStatus: '',
  emailOptOut: false,
  updatedAt: '2026-11-30T11:59:00.000Z',
  eventId: 'evt-1',
  ...overrides,
});

beforeEach(() => {
  table.reset();
  secretsManager.reset();
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(SECRET) });
  calls = [];
  answers = [];
  slept = [];
  remaining = 60_000;
});

test('upserts the contact with its non-empty allowed attributes, keyed by the event id', async () => {
  const result = await handler()(contact(), context());
  expect(result).toEqual({ status: 'upserted', externalId: '00Q5f000001abcDEAQ', attributes: ['email', 'emailOptOut', 'updatedAt'], attempts: 1 });
  expect(calls).toHaveLength(1);
  expect(calls[0]).toEqual({
    url: 'https://marketing.example.com/api/contacts/00Q5f000001abcDEAQ',
    method: 'PUT',
    headers: {
      'X-Account': '42', 'Content-Type': 'application/json', 'Accept': 'application/json', 'Idempotency-Key': 'evt-1', 'Authorization': 'Bearer t0ken',
    },
    // Empty strings (fields the change event did not carry) are left out, so the tool keeps its values.
    body: { externalId: '00Q5f000001abcDEAQ', email: 'ada@example.com', emailOptOut: false, updatedAt: '2026-11-30T11:59:00.000Z' },
  });
});

test('attributes outside the allowlist never leave, even when the input carries them', async () => {
  await handler(['leadId', 'email'])(contact({ phone: '+44 20 7946 0000', firstName: 'Ada' }), context());
  expect(calls[0].body).toEqual({ externalId: '00Q5f000001abcDEAQ', email: 'ada@example.com' });
});

test('a Salesforce date-time in epoch milliseconds is sent as ISO 8601; other numbers as text', async () => {
  await handler(['leadId', 'company', 'updatedAt'])(contact({ updatedAt: 1796039998000, company: 42 }), context());
  expect(calls[0].body).toEqual({ externalId: '00Q5f000001abcDEAQ', company: '42', updatedAt: '2026-11-30T11:59:58.000Z' });
});

test('the lead id is URL-encoded in the endpoint', async () => {
  await handler()(contact({ externalId: 'a/b?c' }), context());
  expect(calls[0].url).toBe('https://marketing.example.com/api/contacts/a%2Fb%3Fc');
});

test.each(['.', '..'])('a lead id %j never changes the request path: refused, nothing sent', async (externalId) => {
  const attempt = handler()(contact({ externalId }), context());
  await expect(attempt).rejects.toThrow(InvalidEventError);
  await expect(attempt).rejects.toThrow('Invalid contact (non-retryable, fix the producer): externalId would change the path of the marketing endpoint');
  expect(calls).toHaveLength(0);
});

test('dots inside a lead id, or a template that does not make it a whole segment, are fine', async () => {
  expect(contactUrl('https://m.example.com/c/{externalId}', 'a..b')).toBe('https://m.example.com/c/a..b');
  expect(contactUrl('https://m.example.com/c/id-{externalId}', '..')).toBe('https://m.example.com/c/id-..');
  expect(contactUrl('https://m.example.com/c?id={externalId}', '..')).toBe('https://m.example.com/c?id=..');
  expect(() => contactUrl('https://m.example.com/c/{externalId}/x', '.')).toThrow(/externalId would change the path/);
});

describe('updates of one contact out of order', () => {
  /** The newest recorded update per contact, with DynamoDB's condition. */
  const memoryVersions = (): ContactVersions & { seen: Map<string, [number, string]> } => {
    const seen = new Map<string, [number, string]>();
    return {
      seen,
      async record(id, at, eventId) {
        const old = seen.get(id);
        if (old !== undefined && !(old[0] < at || (old[0] === at && old[1] === eventId))) return false;
        seen.set(id, [at, eventId]);
        return true;
      },
    };
  };

  test('an older update delivered after a newer one is skipped, never sent (an opt-out stays)', async () => {
    const versions = memoryVersions();
    const upsert = handler(undefined, versions);
    await upsert(contact({ emailOptOut: true, updatedAt: '2026-11-30T12:00:00.000Z', eventId: 'evt-new' }), context());
    const late = await upsert(contact({ emailOptOut: false, updatedAt: '2026-11-30T11:00:00.000Z', eventId: 'evt-old' }), context());
    expect(late).toEqual({ status: 'stale', externalId: '00Q5f000001abcDEAQ' });
    expect(calls.map((c) => (c.body as Record<string, unknown>).emailOptOut)).toEqual([true]);
  });

  test('the order holds whatever updatedAt is allowed to leave, and for epoch milliseconds too', async () => {
    const versions = memoryVersions();
    const upsert = handler(['leadId', 'email'], versions);
    await upsert(contact({ updatedAt: Date.parse('2026-11-30T12:00:00Z'), eventId: 'evt-new' }), context());
    await expect(upsert(contact({ updatedAt: '2026-11-30T11:59:59Z', eventId: 'evt-old' }), context())).resolves.toMatchObject({ status: 'stale' });
    expect(versions.seen.get('00Q5f000001abcDEAQ')).toEqual([Date.parse('2026-11-30T12:00:00Z'), 'evt-new']);
    expect(calls).toHaveLength(1);
  });

  test('the same update retried (a failed call) is sent again', async () => {
    const versions = memoryVersions();
    answers = [{ status: 500 }];
    await expect(handler(undefined, versions)(contact(), context())).rejects.toThrow(MarketingHttpError);
    await expect(handler(undefined, versions)(contact(), context())).resolves.toMatchObject({ status: 'upserted' });
    expect(calls).toHaveLength(2);
  });

  test('records the version as an item of the idempotency table that never expires, with a condition', async () => {
    await handler()(contact(), context());
    expect(table.items.get('contact-version#00Q5f000001abcDEAQ')).toEqual({
      id: { S: 'contact-version#00Q5f000001abcDEAQ' }, updatedAtMs: { N: String(Date.parse('2026-11-30T11:59:00.000Z')) }, eventId: { S: 'evt-1' },
    });
  });
});

test('a redelivered event does not call the marketing tool again', async () => {
  const upsert = handler();
  const first = await upsert(contact(), context());
  await expect(upsert(contact(), context())).resolves.toEqual(first);
  expect(calls).toHaveLength(1);
});

test('the same event id with another contact is refused', async () => {
  const upsert = handler();
  await upsert(contact(), context());
  await expect(upsert(contact({ email: 'other@example.com' }), context())).rejects.toThrow(ConflictingPayloadError);
});

test('429 with Retry-After in seconds: waits that long and tries again', async () => {
  answers = [{ status: 429, headers: { 'retry-after': '3' } }, { status: 204 }];
  const result = await handler()(contact(), context());
  expect(result).toMatchObject({ status: 'upserted', attempts: 2 });
  expect(slept).toEqual([3000]);
});

test('503 with Retry-After as an HTTP date is honoured too', async () => {
  answers = [{ status: 503, headers: { 'retry-after': new Date(NOW + 5000).toUTCString() } }, { status: 200 }];
  await handler()(contact(), context());
  expect(slept).toEqual([5000]);
});

test('429 without Retry-After backs off 1 s, then 2 s, then gives up after 3 attempts', async () => {
  answers = [{ status: 429 }, { status: 429 }, { status: 429 }];
  const attempt = handler()(contact(), context());
  await expect(attempt).rejects.toThrow(new MarketingThrottledError(429, undefined, 3).message);
  expect(slept).toEqual([1000, 2000]);
});

test('a Retry-After longer than the function may wait fails the invocation, for Lambda to retry later', async () => {
  answers = [{ status: 429, headers: { 'retry-after': '120' } }];
  await expect(handler()(contact(), context())).rejects.toThrow('Marketing tool answered HTTP 429 after 1 attempt(s) and asked to retry after 120 s; Lambda retries the invocation later');
  expect(slept).toEqual([]);
});

test('a Retry-After that does not fit the invocation\'s remaining time is not waited for', async () => {
  remaining = 8000;
  answers = [{ status: 429, headers: { 'retry-after': '5' } }];
  await expect(handler()(contact(), context())).rejects.toThrow(MarketingThrottledError);
  expect(slept).toEqual([]);
});

test('a failed upsert can be retried: the idempotency record is released', async () => {
  answers = [{ status: 500 }];
  const upsert = handler();
  await expect(upsert(contact(), context())).rejects.toThrow('Marketing tool answered HTTP 500');
  await expect(upsert(contact(), context())).resolves.toMatchObject({ status: 'upserted' });
  expect(calls).toHaveLength(2);
});

test('400 is reported as non-retryable, without the response body', async () => {
  answers = [{ status: 400 }];
  const attempt = handler()(contact(), context());
  await expect(attempt).rejects.toThrow('Marketing tool answered HTTP 400 (non-retryable: check the contact or the credentials)');
  await expect(handler()(contact({ eventId: 'evt-2' }), context())).resolves.toBeDefined();
});

test('401 makes the function read the secret again (it may have been rotated)', async () => {
  answers = [{ status: 401 }];
  const upsert = handler();
  await expect(upsert(contact(), context())).rejects.toThrow(MarketingHttpError);
  await upsert(contact({ eventId: 'evt-3' }), context());
  expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
});

test('errors never carry the credentials', async () => {
  answers = [{ status: 403 }];
  try {
    await handler()(contact(), context());
  } catch (err) {
    expect((err as Error).message).not.toContain('t0ken');
  }
  expect.assertions(1);
});

test.each<[string, unknown, string]>([
  ['no externalId', contact({ externalId: '' }), 'input.externalId must have at least 1 character(s), got 0'],
  ['no eventId', contact({ eventId: undefined }), 'input.eventId is required'],
  ['an object attribute', contact({ company: { name: 'Acme' } }), 'input.company must be a string, a number or a boolean, got object'],
  ['not an object', 'lead', 'input must be an object'],
])('refuses a contact with %s as a non-retryable InvalidEventError', async (_name, input, message) => {
  const attempt = handler()(input, context());
  await expect(attempt).rejects.toThrow(InvalidEventError);
  await expect(handler()(input, context())).rejects.toThrow(message);
  expect(calls).toHaveLength(0);
});

describe('parseRetryAfter', () => {
  test.each<[string | null, number | undefined]>([
    ['7', 7], [' 7 ', 7], ['0', 0], [null, undefined], ['soon', undefined], ['-1', undefined],
    [new Date(NOW + 61_000).toUTCString(), 61], [new Date(NOW - 5000).toUTCString(), 0], ['9'.repeat(100), undefined],
  ])('%j -> %j', (value, seconds) => {
    expect(parseRetryAfter(value, NOW)).toBe(seconds);
  });
});

describe('parseMarketingSecret', () => {
  test('method defaults to PUT and {externalId} survives URL parsing', () => {
    expect(parseMarketingSecret(JSON.stringify({ endpoint: 'https://m.example.com/c/{externalId}' }))).toEqual({ endpoint: 'https://m.example.com/c/{externalId}', method: 'PUT' });
  });

  test.each<[object, string]>([
    [{ endpoint: 'http://m.example.com' }, 'Marketing secret "endpoint" must use https'],
    [{ endpoint: 'https://user:pw@m.example.com' }, 'Marketing secret "endpoint" must not hold credentials'],
    [{ endpoint: 'https://m.example.com', method: 'DELETE' }, 'Marketing secret "method" must be one of PUT, POST, PATCH'],
  ])('refuses %j', (secret, message) => {
    expect(() => parseMarketingSecret(JSON.stringify(secret))).toThrow(message);
  });
});

test('configuration from the environment: the allowlist is checked', () => {
  const env = { MARKETING_SECRET_ARN: 'arn:s', IDEMPOTENCY_TABLE_NAME: 'idem', ALLOWED_FIELDS: 'leadId, email' };
  expect(upsertContactConfigFromEnv(env)).toEqual({ secretArn: 'arn:s', idempotencyTableName: 'idem', allowedFields: ['leadId', 'email'], httpTimeoutMs: 5000, maxRetryAfterSeconds: 20 });
  expect(() => upsertContactConfigFromEnv({ ...env, ALLOWED_FIELDS: 'leadId,ssn' })).toThrow('Environment variable ALLOWED_FIELDS names unknown lead fields: ssn');
});
