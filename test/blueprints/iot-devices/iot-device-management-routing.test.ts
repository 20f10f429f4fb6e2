/**
 * Which target gets which input, for ok and faulty statuses around the thresholds (the offline EventRouter on the
 * synthesized template), and what the maintenance workflow computes from that input (its JSONata expressions,
 * taken from the synthesized definition and evaluated with the jsonata library): fault kinds, ticket id and fault
 * window, so that per-device ordering and duplicates are tested on exactly what the state machine runs.
 */
import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import jsonata from 'jsonata';
import { jsonataOf, stateMachineDefinition } from './state-machine-definition';
import { IotDeviceManagementStack } from '../../../src/blueprints/iot-devices';
import { EventRouter, RoutedDelivery } from '../../../src/testing';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 30, 10, 0, 0); // a window start (one-hour windows are aligned to the epoch)

const app = new App();
const stack = new IotDeviceManagementStack(app, 'Iot', {
  env: ENV, faultErrorCodes: ['E42', 'OVERHEAT'], lowBatteryThreshold: 15, heartbeatTimeout: Duration.minutes(15),
});
const defaults = new IotDeviceManagementStack(app, 'IotDefaults', { env: ENV });
const router = EventRouter.fromStacks([stack, defaults]);

function status(detail: Record<string, unknown>): any {
  return { 'source': 'com.example.iot', 'detail-type': 'DeviceStatusReported', 'account': ENV.account, 'region': ENV.region, 'time': '2026-11-30T10:00:00Z', detail };
}

function deliveries(s: IotDeviceManagementStack, event: any): RoutedDelivery[] {
  return router.route(event, { eventBus: EventRouter.eventBusId(s.blueprint.eventBus), stackName: s.stackName });
}

/** The resource types that receive the event. */
function receivers(s: IotDeviceManagementStack, detail: Record<string, unknown>): string[] {
  return deliveries(s, status(detail)).map((d) => d.target.resourceType).sort();
}

const ALL = ['AWS::KinesisFirehose::DeliveryStream', 'AWS::Logs::LogGroup', 'AWS::StepFunctions::StateMachine'].sort();
const NO_FAULT = ['AWS::KinesisFirehose::DeliveryStream', 'AWS::Logs::LogGroup'].sort();

/** The Classify state's expressions of a stack, evaluated like Step Functions does (`$states.input`, `$states.context`). */
function classifier(s: IotDeviceManagementStack) {
  const assign: Record<string, string> = stateMachineDefinition(Template.fromStack(s)).States.Classify.Assign;
  const compiled = Object.fromEntries(Object.entries(assign).map(([name, expr]) => [name, jsonata(jsonataOf(expr))]));
  return async (event: any, startTime = '2026-11-30T10:00:05.000Z') => {
    const states = { input: event, context: { Execution: { StartTime: startTime, Id: 'arn:exec' } } };
    const out: Record<string, any> = {};
    for (const [name, expr] of Object.entries(compiled)) {
      out[name] = await expr.evaluate({}, { states });
    }
    return out;
  };
}
const classify = classifier(stack);
const classifyDefault = classifier(defaults);

describe('routing of statuses (faultErrorCodes E42/OVERHEAT, lowBatteryThreshold 15)', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['a healthy status', { deviceId: 'd1', receivedAt: T0, state: 'ok', batteryPercent: 80 }, NO_FAULT],
    ['a listed error code', { deviceId: 'd1', receivedAt: T0, errorCode: 'E42', batteryPercent: 80 }, ALL],
    ['another listed error code', { deviceId: 'd1', receivedAt: T0, errorCode: 'OVERHEAT' }, ALL],
    ['an unlisted error code', { deviceId: 'd1', receivedAt: T0, errorCode: 'E1', batteryPercent: 80 }, NO_FAULT],
    ['an error code in another case', { deviceId: 'd1', receivedAt: T0, errorCode: 'e42' }, NO_FAULT],
    ['battery just below the threshold', { deviceId: 'd1', receivedAt: T0, batteryPercent: 14.99 }, ALL],
    ['battery at the threshold (strictly below is a fault)', { deviceId: 'd1', receivedAt: T0, batteryPercent: 15 }, NO_FAULT],
    ['battery 0', { deviceId: 'd1', receivedAt: T0, batteryPercent: 0 }, ALL],
    ['battery as a string', { deviceId: 'd1', receivedAt: T0, batteryPercent: '10' }, NO_FAULT],
    ['no battery, no error code', { deviceId: 'd1', receivedAt: T0 }, NO_FAULT],
    ['both faults', { deviceId: 'd1', receivedAt: T0, errorCode: 'E42', batteryPercent: 3 }, ALL],
  ])('%s', async (_name, detail, expected) => {
    expect(receivers(stack, detail)).toEqual(expected);
  });

  test('Firehose, the log group and the state machine receive the whole event', () => {
    const event = status({ deviceId: 'd1', receivedAt: T0, errorCode: 'E42' });
    const ds = deliveries(stack, event);
    expect(ds).toHaveLength(3);
    for (const d of ds) {
      expect(d.input).toMatchObject({ 'source': 'com.example.iot', 'detail-type': 'DeviceStatusReported', 'detail': event.detail });
      expect(d.target.deadLetterQueue).toBeDefined();
    }
  });

  test('other sources and detail-types reach nothing', () => {
    expect(deliveries(stack, { ...status({ deviceId: 'd1', errorCode: 'E42' }), source: 'com.example.other' })).toEqual([]);
    expect(deliveries(stack, { ...status({ deviceId: 'd1', errorCode: 'E42' }), 'detail-type': 'DeviceStatus' })).toEqual([]);
  });
});

describe('missed heartbeats', () => {
  const missed = (deviceId: string, lastReceivedAt: number) => ({
    ...status({}),
    'detail-type': 'DeviceHeartbeatMissed',
    'detail': { deviceId, lastReceivedAt, detectedAt: '2026-11-30T12:00:00.000Z', heartbeatTimeoutSeconds: 900 },
  });

  test('go to the state machine only, with the whole event', () => {
    const ds = deliveries(stack, missed('d1', T0));
    expect(ds.map((d) => d.target.resourceType)).toEqual(['AWS::StepFunctions::StateMachine']);
    expect(ds[0].input.detail.deviceId).toBe('d1');
  });

  test('are the MISSED_HEARTBEAT fault, in the window of the last status', async () => {
    const out = await classify(missed('d1', T0 + 20 * 60_000));
    expect(out).toMatchObject({ faults: ['MISSED_HEARTBEAT'], ticketId: 'd1#2026-11-30T10:00:00.000Z' });
    expect(out.expiresAt).toBe(String(Math.floor((T0 + 20 * 60_000) / 1000) + 90 * 86400));
  });

  test('a stack without heartbeatTimeout has no route for them', () => {
    expect(deliveries(defaults, { ...missed('d1', T0), source: 'com.example.iot' })).toEqual([]);
  });
});

describe('routing with the defaults (any string error code, battery below 20)', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['any error code', { deviceId: 'd1', receivedAt: T0, errorCode: 'WHATEVER' }, ALL],
    ['errorCode null is no fault', { deviceId: 'd1', receivedAt: T0, errorCode: null }, NO_FAULT],
    ['errorCode as a number is no fault', { deviceId: 'd1', receivedAt: T0, errorCode: 42 }, NO_FAULT],
    ['battery 19.9', { deviceId: 'd1', receivedAt: T0, batteryPercent: 19.9 }, ALL],
    ['battery 20', { deviceId: 'd1', receivedAt: T0, batteryPercent: 20 }, NO_FAULT],
  ])('%s', (_name, detail, expected) => {
    expect(receivers(defaults, detail)).toEqual(expected);
  });
});

describe('the workflow classifies exactly what the fault route delivers', () => {
  const grid: Array<Record<string, unknown>> = [];
  for (const errorCode of [undefined, null, 'E42', 'OVERHEAT', 'E1', '', 42]) {
    for (const batteryPercent of [undefined, null, 0, 14.99, 15, 15.01, 19.9, 20, 100, '10']) {
      const detail: Record<string, unknown> = { deviceId: 'd1', receivedAt: T0 + 1234 };
      if (errorCode !== undefined) detail.errorCode = errorCode;
      if (batteryPercent !== undefined) detail.batteryPercent = batteryPercent;
      grid.push(detail);
    }
  }

  test.each([['the configured stack', stack, classify], ['the defaults', defaults, classifyDefault]] as const)(
    '%s: delivered to the state machine <=> at least one fault kind (%#)', async (_name, s, run) => {
      let faults = 0;
      for (const detail of grid) {
        const routed = receivers(s, detail).includes('AWS::StepFunctions::StateMachine');
        const kinds: string[] = (await run(status(detail))).faults;
        expect({ detail, faulty: kinds.length > 0 }).toEqual({ detail, faulty: routed });
        faults += routed ? 1 : 0;
      }
      expect(faults).toBeGreaterThan(10); // the grid has both kinds
    });

  test('fault kinds: error code, low battery, both', async () => {
    expect((await classify(status({ deviceId: 'd', receivedAt: T0, errorCode: 'E42' }))).faults).toEqual(['ERROR_CODE']);
    expect((await classify(status({ deviceId: 'd', receivedAt: T0, batteryPercent: 1 }))).faults).toEqual(['LOW_BATTERY']);
    expect((await classify(status({ deviceId: 'd', receivedAt: T0, errorCode: 'E42', batteryPercent: 1 }))).faults).toEqual(['ERROR_CODE', 'LOW_BATTERY']);
  });

  test('the ticket item\'s fault list is a DynamoDB list of strings, with one fault or two', async () => {
    const expr = jsonata(jsonataOf(stateMachineDefinition(Template.fromStack(stack)).States.RecordTicket.Arguments.Item.faults.L));
    expect(await expr.evaluate({}, { faults: ['ERROR_CODE'] })).toEqual([{ S: 'ERROR_CODE' }]);
    expect(await expr.evaluate({}, { faults: ['ERROR_CODE', 'LOW_BATTERY'] })).toEqual([{ S: 'ERROR_CODE' }, { S: 'LOW_BATTERY' }]);
  });

  test('ticket id, window start, TTL and deadline', async () => {
    const out = await classify(status({ deviceId: 'pump-7', receivedAt: T0 + 59 * 60_000, errorCode: 'E42' }));
    expect(out).toMatchObject({
      deviceId: 'pump-7',
      windowStart: '2026-11-30T10:00:00.000Z',
      ticketId: 'pump-7#2026-11-30T10:00:00.000Z',
      expiresAt: String(Math.floor((T0 + 59 * 60_000) / 1000) + 90 * 86400),
      deadlineMs: Date.parse('2026-11-30T10:00:05.000Z') + 4 * HOUR,
    });
  });
});

describe('per-device ordering and duplicates', () => {
  /**
   * The ticket store as the state machine uses it: a conditional put keyed by the ticket id (the first delivery
   * opens the ticket, every later one of the window only counts a repeat).
   */
  async function deliver(events: any[]) {
    const tickets = new Map<string, { faults: string[]; repeats: number }>();
    for (const event of events) {
      const { ticketId, faults } = await classify(event);
      const existing = tickets.get(ticketId);
      if (existing) existing.repeats += 1;
      else tickets.set(ticketId, { faults, repeats: 0 });
    }
    return tickets;
  }

  const fault = (deviceId: string, offsetMs: number, sequence: number) =>
    status({ deviceId, receivedAt: T0 + offsetMs, errorCode: 'E42', sequence });

  /** Every permutation of a small list. */
  function permutations<T>(items: T[]): T[][] {
    if (items.length <= 1) return [items];
    return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
  }

  test('one ticket per device and window, whatever the order and the duplicates (all 120 orders of 5 deliveries)', async () => {
    // Three faults of d1 in one window, one delivered twice (at-least-once), and one of d2.
    const a = fault('d1', 1_000, 1);
    const b = fault('d1', 30 * 60_000, 2);
    const c = fault('d1', HOUR - 1, 3);
    const received = [a, b, c, a, fault('d2', 5_000, 1)];
    const outcomes = new Set<string>();
    for (const order of permutations(received)) {
      const tickets = await deliver(order);
      outcomes.add(JSON.stringify([...tickets.entries()].sort().map(([id, t]) => [id, t.repeats])));
    }
    expect([...outcomes]).toEqual([JSON.stringify([['d1#2026-11-30T10:00:00.000Z', 3], ['d2#2026-11-30T10:00:00.000Z', 0]])]);
  });

  test('faults in two windows open two tickets, in either order', async () => {
    const early = fault('d1', HOUR - 1, 1);
    const late = fault('d1', HOUR, 2);
    for (const order of [[early, late], [late, early]]) {
      expect([...(await deliver(order)).keys()].sort()).toEqual(['d1#2026-11-30T10:00:00.000Z', 'd1#2026-11-30T11:00:00.000Z']);
    }
  });

  test('the window comes from the IoT receive time, not the event time or the execution start', async () => {
    const event = fault('d1', 10, 1);
    const again = { ...event, time: '2026-11-30T12:34:56Z' }; // redelivered later through the pipe: new event time
    expect((await classify(again, '2026-11-30T13:00:00.000Z')).ticketId).toBe((await classify(event)).ticketId);
  });
});
