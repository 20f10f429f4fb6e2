import { App, Stack, aws_cloudwatch_actions as actions, aws_events as events, aws_events_targets as targets, aws_lambda as lambda, aws_sns as sns, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { jsiiAssembly } from './helpers';
import * as blueprints from '../src/blueprints';
import { CentralEventBus, CustomEventBus, EventSpoke, ReliableRoute, RouteMigration, SecureEventBus, Subscriber, SubscriberTarget } from '../src/core';

/**
 * `alarms: false` with `alarmActions` behaves the same in every construct that takes both: a synth error that names
 * the construct the user wrote, never actions dropped in silence (#20: it threw in two constructs, was ignored in the
 * others).
 */
type Make = (scope: Construct, alarmProps: { alarms: boolean; alarmActions: actions.SnsAction[] }) => void;

const ENV = { account: '111111111111', region: 'eu-west-1' };
const CASES: Array<[string, Make]> = [
  ['SecureEventBus', (s, a) => new SecureEventBus(s, 'It', a)],
  ['CentralEventBus', (s, a) => new CentralEventBus(s, 'It', { organizationId: 'o-a1b2c3d4e5', ...a })],
  ['ReliableRoute', (s, a) => new ReliableRoute(s, 'It', {
    eventBus: new events.EventBus(s, 'Bus'), eventPattern: { source: ['x'] }, targets: [new targets.SqsQueue(new sqs.Queue(s, 'Q'))], ...a,
  })],
  ['EventSpoke', (s, a) => new EventSpoke(s, 'It', {
    centralEventBus: events.EventBus.fromEventBusArn(s, 'Central', 'arn:aws:events:eu-west-1:222222222222:event-bus/platform'), eventPattern: { source: ['x'] }, ...a,
  })],
  ['CustomEventBus', (s, a) => new CustomEventBus(s, 'It', a)],
  ['Subscriber', (s, a) => new Subscriber(s, 'It', { eventBus: new CustomEventBus(s, 'Bus'), target: SubscriberTarget.sqs(new sqs.Queue(s, 'Q', { enforceSSL: true })), ...a })],
  ['RouteMigration', (s, a) => new RouteMigration(s, 'It', {
    route: new ReliableRoute(s, 'Route', { eventBus: new events.EventBus(s, 'Bus'), eventPattern: { source: ['x'] }, targets: [new targets.SqsQueue(new sqs.Queue(s, 'Q'))] }),
    eventBus: new CustomEventBus(s, 'V2'),
    ...a,
  })],
  ['BlueprintFunction', (s, a) => new blueprints.BlueprintFunction(s, 'It', { code: lambda.Code.fromInline('exports.handler = async () => {};'), serviceName: 's', ...a })],
  ['IngestionPipe', (s, a) => new blueprints.IngestionPipe(s, 'It', {
    source: blueprints.PipeSource.sqsQueue(new sqs.Queue(s, 'Q', { enforceSSL: true })), eventBus: new events.EventBus(s, 'Bus'), detailType: 'T', eventSource: 's', ...a,
  })],
  ['OrderToInventory', (s, a) => new blueprints.OrderToInventory(s, 'It', a)],
  ['ErrorToTicket', (s, a) => new blueprints.ErrorToTicket(s, 'It', { ticketEndpoint: 'https://tickets.example.com/api', ...a } as any)],
  ['BookingFanOut', (s, a) => new blueprints.BookingFanOut(s, 'It', a as any)],
  ['MarketData', (s, a) => new blueprints.MarketData(s, 'It', a as any)],
  ['IotDeviceManagement', (s, a) => new blueprints.IotDeviceManagement(s, 'It', a as any)],
  ['CloudTrailAudit', (s, a) => new blueprints.CloudTrailAudit(s, 'It', a as any)],
  ['PhotoUpload', (s, a) => new blueprints.PhotoUpload(s, 'It', a as any)],
  ['SaasCrmToMarketing', (s, a) => new blueprints.SaasCrmToMarketing(s, 'It', a as any)],
];

describe.each(CASES)('%s: alarms: false with alarmActions', (type, make) => {
  test('is a synth error naming the construct and the prop', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const topic = new sns.Topic(stack, 'Oncall');
    expect(() => make(stack, { alarms: false, alarmActions: [new actions.SnsAction(topic)] }))
      .toThrow(`${type} 'S/It': alarmActions cannot be used with alarms: false, which creates no alarm to act on`);
  });
});

test('alarms: false without actions, and actions with alarms, are both fine', () => {
  const stack = new Stack(new App(), 'S', { env: ENV });
  const topic = new sns.Topic(stack, 'Oncall');
  expect(() => new SecureEventBus(stack, 'Quiet', { alarms: false, alarmActions: [] })).not.toThrow();
  expect(() => new SecureEventBus(stack, 'Loud', { alarms: true, alarmActions: [new actions.SnsAction(topic)] })).not.toThrow();
});

test('the table covers every construct whose props take both alarms and alarmActions (from the jsii assembly)', () => {
  const types = jsiiAssembly().types;
  const propsOf = (fqn: string): string[] => {
    const t = types[fqn];
    if (!t) return [];
    return [...(t.properties ?? []).map((p: any) => p.name), ...(t.interfaces ?? []).flatMap(propsOf)];
  };
  const takesBoth = Object.values(types)
    .filter((t) => t.kind === 'class' && t.initializer?.parameters?.length === 3)
    .filter((t) => { const props = propsOf(t.initializer.parameters[2].type.fqn); return props.includes('alarms') && props.includes('alarmActions'); })
    .map((t) => t.name as string)
    // a blueprint's Stack passes its props to the blueprint, whose check names the blueprint
    .filter((name) => !name.endsWith('Stack'));
  expect(takesBoth.length).toBeGreaterThanOrEqual(CASES.length);
  expect(takesBoth.sort()).toEqual(CASES.map(([type]) => type).sort());
});
