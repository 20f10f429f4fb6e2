import {
  alarmFingerprint, errorFingerprint, isIgnored, normalizeMessage, parseTicketEvent,
} from '../../../../src/blueprints/error-to-ticket/runtime/fingerprint';
import type { TicketRequest } from '../../../../src/blueprints/error-to-ticket/runtime/fingerprint';
import { InvalidEventError } from '../../../../src/blueprints/runtime-shared/validation';

const errorEvent = (detail: Record<string, unknown>) => ({
  'version': '0',
  'id': 'evt-1',
  'detail-type': 'ErrorReported',
  'source': 'com.example.app',
  'account': '111122223333',
  'region': 'eu-west-1',
  'time': '2026-11-26T10:00:00Z',
  'resources': [],
  detail,
});

// Shape from https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
const alarmEvent = (value: string, envelope: Record<string, unknown> = {}) => ({
  'version': '0',
  'id': 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
  'detail-type': 'CloudWatch Alarm State Change',
  'source': 'aws.cloudwatch',
  'account': '123456789012',
  'time': '2019-10-02T17:04:40Z',
  'region': 'us-east-1',
  'resources': ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh'],
  'detail': {
    alarmName: 'ServerCpuTooHigh',
    configuration: {
      description: 'Goes into alarm when server CPU utilization is too high!',
      metrics: [{ id: '30b6c6b2-a864-43a2-4877-c09a1afc3b87', metricStat: { metric: { dimensions: { InstanceId: 'i-12345678901234567' }, name: 'CPUUtilization', namespace: 'AWS/EC2' }, period: 300, stat: 'Average' }, returnData: true }],
    },
    previousState: { reason: 'Threshold Crossed: 1 out of the last 1 datapoints [0.0666851903306472 (01/10/19 13:46:00)] was not greater than the threshold (50.0)', timestamp: '2019-10-02T13:47:40.000+0000', value: 'OK' },
    state: { reason: 'Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 16:59:00)] was greater than the threshold (50.0)', timestamp: '2019-10-02T17:04:40.989+0000', value },
  },
  ...envelope,
});

describe('normalizeMessage', () => {
  test.each([
    ['Order 12345 failed', 'order <n> failed'],
    ['User 550e8400-e29b-41d4-a716-446655440000 not found', 'user <uuid> not found'],
    ["Key 'abc' missing", 'key <str> missing'],
    ['at 2026-11-26T10:00:00.123Z timeout', 'at <time> timeout'],
    ['object 5f2b9c7e1a3d failed', 'object <hex> failed'],
    ['  Many\n\tspaces  ', 'many spaces'],
    ['ec2 s3 ok', 'ec<n> s<n> ok'],
  ])('%j -> %j', (message, expected) => {
    expect(normalizeMessage(message)).toBe(expected);
  });
});

describe('normalizeMessage on hostile input', () => {
  // The former hex pattern backtracked quadratically on long runs (5.1 s for 64K digits); bench/fingerprint.ts
  // measures the scaling. Here: the result on such runs.
  test('a 64K-digit run is one number, a 64K hex run one hex id, a 64K letter run stays', () => {
    expect(normalizeMessage('1'.repeat(65_536))).toBe('<n>');
    expect(normalizeMessage(`id ${'ab12'.repeat(16_384)} gone`)).toBe('id <hex> gone');
    expect(normalizeMessage('f'.repeat(65_536))).toBe('f'.repeat(65_536));
  });

  test('0x ids and short words', () => {
    expect(normalizeMessage('at 0x7ffee4b8 and 0x1f, cafe1234 vs cafe12')).toBe('at <hex> and <n>x<n>f, <hex> vs cafe<n>');
  });
});

describe('errorFingerprint', () => {
  const base = { service: 'checkout', errorType: 'TimeoutError', message: 'Call to payments took 5012 ms' };

  test('is stable for messages that differ only in variable parts', () => {
    expect(errorFingerprint(base)).toBe(errorFingerprint({ ...base, message: 'call to payments took 7 ms ' }));
    expect(errorFingerprint(base)).toMatch(/^error:[0-9a-f]{40}$/);
  });

  test.each([
    ['service', { service: 'cart' }],
    ['errorType', { errorType: 'TypeError' }],
    ['message', { message: 'Call to inventory took 5 ms' }],
  ])('changes with the %s', (_name, change) => {
    expect(errorFingerprint({ ...base, ...change })).not.toBe(errorFingerprint(base));
  });

  test('does not confuse field boundaries', () => {
    expect(errorFingerprint({ service: 'a b', errorType: 'c', message: 'm' })).not.toBe(errorFingerprint({ service: 'a', errorType: 'b c', message: 'm' }));
  });

  test("the producer's fingerprint wins", () => {
    expect(errorFingerprint({ ...base, fingerprint: 'checkout-timeout' })).toBe('custom:checkout-timeout');
  });

  test('alarm fingerprint is account, region and alarm name', () => {
    expect(alarmFingerprint('123456789012', 'us-east-1', 'High CPU')).toBe('alarm:123456789012:us-east-1:High CPU');
  });
});

describe('parseTicketEvent', () => {
  test('ErrorReported', () => {
    const parsed = parseTicketEvent(errorEvent({ service: 'checkout', errorType: 'TimeoutError', message: 'Payments timed out\nstack...', severity: 'critical', occurredAt: '2026-11-26T09:59:59Z' })) as TicketRequest;
    expect(parsed).toEqual({
      kind: 'error',
      fingerprint: errorFingerprint({ service: 'checkout', errorType: 'TimeoutError', message: 'Payments timed out\nstack...' }),
      title: '[critical] checkout: TimeoutError: Payments timed out',
      description: 'Payments timed out\nstack...',
      severity: 'critical',
      occurredAt: '2026-11-26T09:59:59Z',
      labels: { service: 'checkout', errorType: 'TimeoutError' },
      eventId: 'evt-1',
    });
  });

  test('severity defaults to medium', () => {
    expect((parseTicketEvent(errorEvent({ service: 's', errorType: 't', message: 'm' })) as TicketRequest).severity).toBe('medium');
    expect((parseTicketEvent(errorEvent({ service: 's', errorType: 't', message: 'm', severity: null })) as TicketRequest).severity).toBe('medium');
  });

  test.each([
    ['missing service', { errorType: 't', message: 'm' }, 'detail.service is required'],
    ['bad severity', { service: 's', errorType: 't', message: 'm', severity: 'urgent' }, 'detail.severity must be one of "low", "medium", "high", "critical", got a string of 6 characters'],
    ['bad occurredAt', { service: 's', errorType: 't', message: 'm', occurredAt: 'yesterday' }, /detail\.occurredAt must be an ISO 8601 timestamp/],
    ['blank service', { service: ' \t', errorType: 't', message: 'm' }, 'detail.service must not be blank, got a string of 2 characters'],
    ['severity null means medium, but a number does not', { service: 's', errorType: 't', message: 'm', severity: 3 }, 'detail.severity must be string, got 3'],
    ['empty message', { service: 's', errorType: 't', message: '' }, 'detail.message must have at least 1 character(s), got 0'],
  ])('throws when %s', (_name, detail, message) => {
    expect(() => parseTicketEvent(errorEvent(detail))).toThrow(InvalidEventError);
    expect(() => parseTicketEvent(errorEvent(detail))).toThrow(message);
  });

  test('CloudWatch alarm in ALARM', () => {
    const parsed = parseTicketEvent(alarmEvent('ALARM')) as TicketRequest;
    expect(parsed).toMatchObject({
      kind: 'alarm',
      fingerprint: 'alarm:123456789012:us-east-1:ServerCpuTooHigh',
      severity: 'high',
      occurredAt: '2019-10-02T17:04:40.989+0000',
      labels: { alarmName: 'ServerCpuTooHigh', account: '123456789012', region: 'us-east-1' },
      eventId: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    });
    expect(parsed.title).toBe('[high] CloudWatch alarm ServerCpuTooHigh is in ALARM (123456789012, us-east-1)');
    expect(parsed.description).toContain('Goes into alarm when server CPU utilization is too high!');
    expect(parsed.description).toContain('was greater than the threshold (50.0)');
    expect(parsed.description).toContain('Previous state: OK');
  });

  test('alarm without account/region in the envelope falls back to the alarm ARN', () => {
    const parsed = parseTicketEvent(alarmEvent('ALARM', { account: undefined, region: undefined, resources: ['arn:aws:cloudwatch:eu-west-2:444455556666:alarm:Disk'] })) as TicketRequest;
    expect(parsed.fingerprint).toBe('alarm:444455556666:eu-west-2:ServerCpuTooHigh');
  });

  test.each(['OK', 'INSUFFICIENT_DATA'])('alarm changing to %s is ignored', (value) => {
    const parsed = parseTicketEvent(alarmEvent(value));
    expect(isIgnored(parsed)).toBe(true);
  });

  test('throws for an alarm event without state', () => {
    const event = alarmEvent('ALARM');
    delete (event.detail as Record<string, unknown>).state;
    expect(() => parseTicketEvent(event)).toThrow('Invalid CloudWatch Alarm State Change event (non-retryable, fix the producer): detail.state is required');
  });

  test.each([
    ['occurredAt is "1"', { occurredAt: '1' }, /detail.occurredAt must be an ISO 8601 timestamp like "2026-05-01T10:00:00Z", got a string of 1 character/],
    ['occurredAt has no offset', { occurredAt: '2026-05-01T10:00:00' }, /detail.occurredAt must be an ISO 8601 timestamp/],
    ['occurredAt is February 30th', { occurredAt: '2026-02-30T10:00:00Z' }, /detail.occurredAt must be an ISO 8601 timestamp/],
    ['the fingerprint is over 512 UTF-8 bytes', { fingerprint: '€'.repeat(200) }, /detail.fingerprint must be at most 512 bytes in UTF-8, got 600/],
  ])('throws when %s', (_name, extra, message) => {
    const event = { 'source': 'com.example.app', 'detail-type': 'ErrorReported', 'detail': { service: 's', errorType: 'E', message: 'm', ...extra } };
    expect(() => parseTicketEvent(event)).toThrow(message);
  });

  test('accepts RFC 3339 timestamps with fractions and offsets', () => {
    const event = { 'source': 'com.example.app', 'detail-type': 'ErrorReported', 'detail': { service: 's', errorType: 'E', message: 'm', occurredAt: '2026-05-01T10:00:00.123+02:00' } };
    expect(parseTicketEvent(event)).toMatchObject({ occurredAt: '2026-05-01T10:00:00.123+02:00' });
  });

  test('throws for a non-object', () => {
    expect(() => parseTicketEvent(null)).toThrow(/event must be an object, got null/);
  });
});
