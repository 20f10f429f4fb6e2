/**
 * Trust before deploy: the example app's blueprints, created through CloudFormation in a local AWS API (moto),
 * receive exactly what the offline EventRouter predicts.
 *
 * For each stack: synthesize it, make the template moto-ready (`prepareForMoto`: Lambda and API destination targets
 * become SQS stand-in queues with the same Id, input and retry settings; see sqs-stand-ins.ts for what else moto
 * needs), CreateStack, PutEvents (matching and non-matching events), drain EVERY queue of the stack, and compare
 * queue by queue with `EventRouter.fromTemplate(sameTemplate).route(event, { eventBus })`: the same multiset of
 * messages, parsed as JSON, transformed inputs included. Dead-letter queues must stay empty (moto never fails a
 * delivery).
 *
 * Normalization, and why:
 * - `id`: moto assigns its own event id (returned by PutEvents), so the router is given that id.
 * - `time`: every event is put with an explicit `Time` (whole seconds), and the router gets the same time.
 * - `account`, `region`: moto's are 123456789012 / us-east-1, the router's defaults too; the router is also told.
 * - moto's envelope for a target without input option has no `account` field (its default input template lists
 *   `id, time, version, detail-type, source, region, resources, detail`): the router's `account` is dropped from its
 *   prediction for those targets only. A transformer's `$.account` (the API destination's alarm ticket) does see it.
 *
 * moto 5.2.1's own input transformer inserts values as raw text (`{"bookingId": BK-1}`, invalid JSON: the whole
 * PutEvents fails with HTTP 500). moto-patches/sitecustomize.py replaces it, for the moto server of this file only,
 * by one that follows EventBridge's documented rules; pattern matching, rules, targets and SQS stay moto's.
 */
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { drain } from './aws-fixtures';
import { MOTO_ACCOUNT_ID, useMoto } from './moto-server';
import { prepareForMoto } from './sqs-stand-ins';
import type { MotoTemplate } from './sqs-stand-ins';
import { addBookingFanOutExamples } from '../../examples/booking-fan-out-stack';
import { CoreExampleStack } from '../../examples/core-stack';
import { addErrorToTicketExamples } from '../../examples/error-to-ticket-stack';
import { addOrderToInventoryExamples } from '../../examples/order-to-inventory-stack';
import { EventRouter, TargetInputKind } from '../../src/testing';

const REGION = 'us-east-1';
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

/** An event to put: on the stack's custom bus unless `bus: 'default'`. */
interface TestEvent {
  readonly label: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly resources?: string[];
  readonly bus?: 'default';
}

interface StackCase {
  readonly name: string;
  readonly stack: () => Stack;
  readonly events: TestEvent[];
  /** How many deliveries the router must predict (a guard against a test that compares two empty sets). */
  readonly expectedDeliveries: number;
}

// ---------------------------------------------------------------------------------------------- events

const flight = { number: 'LH400', origin: 'FRA', destination: 'JFK', departure: '2026-12-24T10:30:00Z' };
const booking = (bookingId: string, customer: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  bookingId,
  customer: { id: `C-${bookingId}`, email: `${bookingId.toLowerCase()}@example.com`, name: 'Ada Lovelace', ...customer },
  flight,
  passengers: [{ firstName: 'Ada', lastName: 'Lovelace' }],
  fare: { amount: 249.9, currency: 'EUR' },
  ...extra,
});
const BOOKING = { source: 'com.example.bookings', detailType: 'BookingConfirmed' };

const errorReported = (detail: Record<string, unknown>, source = 'com.example.shop'): TestEvent => ({
  label: `ErrorReported from ${source}`, source, detailType: 'ErrorReported', detail,
});
const alarm = (alarmName: string, value: 'ALARM' | 'OK'): TestEvent => ({
  label: `alarm ${alarmName} ${value}`,
  bus: 'default',
  source: 'aws.cloudwatch',
  detailType: 'CloudWatch Alarm State Change',
  resources: [`arn:aws:cloudwatch:${REGION}:${MOTO_ACCOUNT_ID}:alarm:${alarmName}`],
  detail: {
    alarmName,
    state: { value, reason: `Threshold Crossed: 1 datapoint [93.5] was ${value === 'ALARM' ? 'greater' : 'less'} than 80.0`, timestamp: '2026-11-26T11:59:30.000+0000' },
    previousState: { value: value === 'ALARM' ? 'OK' : 'ALARM' },
  },
});
const errorEvents: TestEvent[] = [
  errorReported({ service: 'checkout', errorType: 'TimeoutError', message: 'payment provider timed out\nafter 30 s', severity: 'high', fingerprint: 'checkout-timeout', occurredAt: '2026-11-26T11:59:00Z' }),
  // optional fields absent: a transformer's variables for them are empty
  errorReported({ service: 'search', errorType: 'IndexMissing', message: 'index "products" not found' }),
  errorReported({ service: 'x', errorType: 'y', message: 'another source' }, 'com.example.other'),
  { label: 'other detail-type', source: 'com.example.shop', detailType: 'ErrorResolved', detail: { service: 'checkout' } },
  alarm('prod-db-cpu', 'ALARM'),
  alarm('prod-db-cpu', 'OK'),
  alarm('dev-db-cpu', 'ALARM'),
];

const CASES: StackCase[] = [
  {
    name: 'BookingFanOutExample',
    stack: () => addBookingFanOutExamples(new App()),
    events: [
      { label: 'loyalty member', ...BOOKING, detail: booking('BK-100', { loyaltyId: 'LY-7' }) },
      { label: 'not a member', ...BOOKING, detail: booking('BK-101', {}) },
      {
        label: 'member, two passengers, integer fare, non-ASCII name',
        ...BOOKING,
        detail: booking('BK-102', { loyaltyId: 'LY-8', name: 'Zoë Ødegård' }, {
          passengers: [{ firstName: 'Zoë', lastName: 'Ødegård' }, { firstName: 'Åsa', lastName: 'Öberg' }],
          fare: { amount: 1200, currency: 'NOK' },
        }),
      },
      { label: 'other detail-type', source: BOOKING.source, detailType: 'BookingCancelled', detail: { bookingId: 'BK-100' } },
      { label: 'other source', source: 'com.example.partner', detailType: 'BookingConfirmed', detail: booking('BK-103', { loyaltyId: 'LY-9' }) },
    ],
    // 4 + 3 + 4
    expectedDeliveries: 11,
  },
  {
    name: 'OrderToInventoryExample',
    stack: () => addOrderToInventoryExamples(new App()),
    events: [
      { label: 'OrderPlaced', source: 'com.example.orders', detailType: 'OrderPlaced', detail: { orderId: 'O-1', customerId: 'C-1', items: [{ sku: 'SKU-1', quantity: 2 }, { sku: 'SKU-2', quantity: 1 }] } },
      { label: 'OrderPlaced, another', source: 'com.example.orders', detailType: 'OrderPlaced', detail: { orderId: 'O-2', items: [{ sku: 'SKU-1', quantity: 5 }] } },
      { label: 'OrderShipped', source: 'com.example.orders', detailType: 'OrderShipped', detail: { orderId: 'O-1' } },
      { label: 'InventoryReserved (its own output)', source: 'com.example.inventory', detailType: 'InventoryReserved', detail: { orderId: 'O-1', items: [] } },
    ],
    expectedDeliveries: 2,
  },
  {
    name: 'ErrorToTicketExample',
    stack: () => {
      const app = new App();
      addErrorToTicketExamples(app);
      return app.node.findChild('ErrorToTicketExample') as Stack;
    },
    events: errorEvents,
    // 2 errors + 1 alarm
    expectedDeliveries: 3,
  },
  {
    name: 'ErrorToTicketApiDestinationExample',
    stack: () => {
      const app = new App();
      addErrorToTicketExamples(app);
      return app.node.findChild('ErrorToTicketApiDestinationExample') as Stack;
    },
    events: errorEvents,
    // 2 errors + 2 alarms: this stack filters no alarm names
    expectedDeliveries: 4,
  },
  {
    name: 'CoreExample',
    stack: () => new CoreExampleStack(new App(), 'CoreExample'),
    events: [
      { label: 'large order', source: 'com.example.orders', detailType: 'OrderPlaced', detail: { orderId: 'O-1', total: 1500, items: [{ sku: 'A', quantity: 1 }] } },
      { label: 'order of exactly 1000', source: 'com.example.orders', detailType: 'OrderPlaced', detail: { orderId: 'O-2', total: 1000, items: [] } },
      { label: 'small order', source: 'com.example.orders', detailType: 'OrderPlaced', detail: { orderId: 'O-3', total: 999.99, items: [] } },
      { label: 'order without total', source: 'com.example.orders', detailType: 'OrderPlaced', detail: { orderId: 'O-4', items: [] } },
      { label: 'large OrderShipped', source: 'com.example.orders', detailType: 'OrderShipped', detail: { orderId: 'O-1', total: 5000 } },
    ],
    // 7 + 7
    expectedDeliveries: 14,
  },
];

// ---------------------------------------------------------------------------------------------- helpers

/** JSON with sorted keys, to compare messages whatever the key order or spacing. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

const byQueue = (entries: Array<[string, unknown]>): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const [queue, message] of entries) (out[queue] ??= []).push(canonical(message));
  for (const list of Object.values(out)) list.sort();
  return out;
};

interface Deployed {
  readonly prepared: MotoTemplate;
  /** logical id -> physical id (queue URL, bus name...) */
  readonly physical: Record<string, string>;
  readonly types: Record<string, string>;
}

async function deploy(stackName: string, template: Record<string, any>): Promise<Deployed> {
  const prepared = prepareForMoto(template, stackName);
  const cfn = new CloudFormationClient({});
  await cfn.send(new CreateStackCommand({
    StackName: stackName,
    TemplateBody: JSON.stringify(prepared.template),
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
  }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { StackName: stackName });
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
  const physical: Record<string, string> = {};
  const types: Record<string, string> = {};
  // Skipped resources (no moto support) come back without LogicalResourceId / ResourceType.
  for (const r of resources) {
    if (r.ResourceType && r.LogicalResourceId && r.PhysicalResourceId) {
      physical[r.LogicalResourceId] = r.PhysicalResourceId;
      types[r.LogicalResourceId] = r.ResourceType;
    }
  }
  return { prepared, physical, types };
}

// ---------------------------------------------------------------------------------------------- the test

// Load the input-transformer fix (moto-patches/sitecustomize.py) into this moto server only.
const moto = useMoto({ pythonPath: [path.join(__dirname, 'moto-patches')] });
const summary: string[] = [];

afterAll(async () => {
  if (summary.length > 0) console.log(`moto vs EventRouter:\n${summary.join('\n')}`);
});

describe.each(CASES)('$name in moto', (c) => {
  test('every queue receives what the router predicts', async () => {
    // One stack at a time: the alarm routes of both error-to-ticket stacks are on the same default bus.
    await moto.reset();
    const stack = c.stack();
    const template = Template.fromStack(stack).toJSON();
    const { prepared, physical, types } = await deploy(c.name, template);

    // The stand-ins replace exactly the Lambda / API destination targets, keeping Id and input.
    const original = EventRouter.fromTemplate(template, { stackName: c.name, account: MOTO_ACCOUNT_ID, region: REGION });
    const router = EventRouter.fromTemplate(prepared.template, { stackName: c.name, account: MOTO_ACCOUNT_ID, region: REGION });
    for (const s of prepared.standIns) {
      const target = original.rules.find((r) => r.logicalId === s.ruleLogicalId)!.targets.find((t) => t.id === s.targetId)!;
      expect(target.logicalId).toBe(s.replacedLogicalId);
      expect(types[s.queueLogicalId]).toBe('AWS::SQS::Queue');
    }

    const customBus = Object.keys(physical).find((id) => types[id] === 'AWS::Events::EventBus');
    const busName = (e: TestEvent) => (e.bus === 'default' ? 'default' : physical[customBus!]);

    const entries: PutEventsRequestEntry[] = c.events.map((e, i) => ({
      EventBusName: busName(e),
      Source: e.source,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
      Resources: e.resources ?? [],
      Time: new Date(T0 + i * 1000),
    }));
    const put = await new EventBridgeClient({}).send(new PutEventsCommand({ Entries: entries }));
    expect(put.FailedEntryCount ?? 0).toBe(0);

    // The router's prediction, per queue logical id.
    const predicted: Array<[string, unknown]> = [];
    const perEvent: string[] = [];
    c.events.forEach((e, i) => {
      const event = {
        'version': '0',
        'id': put.Entries![i].EventId!,
        'detail-type': e.detailType,
        'source': e.source,
        'account': MOTO_ACCOUNT_ID,
        'time': new Date(T0 + i * 1000).toISOString().replace(/\.000Z$/, 'Z'),
        'region': REGION,
        'resources': e.resources ?? [],
        'detail': e.detail,
      };
      const deliveries = router.route(event, { eventBus: busName(e) });
      const unchanged = original.route(event, { eventBus: busName(e) });
      // Same rules, target ids and inputs with and without the stand-ins.
      expect(deliveries.map((d) => [d.rule.logicalId, d.target.id, d.inputText]))
        .toEqual(unchanged.map((d) => [d.rule.logicalId, d.target.id, d.inputText]));
      perEvent.push(`${e.label}: ${deliveries.length}`);
      for (const d of deliveries) {
        expect(d.target.resourceType).toBe('AWS::SQS::Queue');
        let message: any = d.inputIsJson ? d.input : d.inputText;
        if (d.target.inputKind === TargetInputKind.MATCHED_EVENT) {
          const { account: _account, ...withoutAccount } = message;
          message = withoutAccount;
        }
        predicted.push([d.target.logicalId!, message]);
      }
    });
    expect(predicted).toHaveLength(c.expectedDeliveries);

    // What arrived: every queue of the stack (targets, stand-ins, dead-letter queues).
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    const received: Array<[string, unknown]> = [];
    const queues = Object.keys(types).filter((id) => types[id] === 'AWS::SQS::Queue');
    for (const id of queues) {
      for (const body of await drain(sqs, physical[id])) received.push([id, parseBody(body)]);
    }

    expect(byQueue(received)).toEqual(byQueue(predicted));
    summary.push(`  ${c.name}: ${c.events.length} events (${perEvent.join(', ')}); `
      + `${predicted.length} deliveries predicted, ${received.length} messages received in ${queues.length} queues `
      + `(${prepared.standIns.length} stand-ins); agree`);
  });
});
