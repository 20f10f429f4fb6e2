import { createHash } from 'crypto';
import { CustomBusRouter, EventRouter } from '../../src/testing';

/**
 * Both routers read templates (`cfn-values.ts`) and plain events (`event-input.ts`) with one implementation. Where the
 * two routers answered differently before they shared it, each keeps its answer: these tests pin both.
 */

const joined = (...parts: any[]) => ({ 'Fn::Join': ['-', parts] });

function classicTemplate(busName: any) {
  return {
    Resources: {
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: busName } },
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'Bus' },
          EventPattern: { source: ['shop'] },
          Targets: [{ Id: 'T', Arn: 'arn:aws:sqs:us-east-1:123456789012:q' }],
        },
      },
    },
  };
}

function customTemplate(busName: any, targetArn: any = 'arn:aws:sqs:us-east-1:123456789012:q') {
  return {
    Resources: {
      Bus: { Type: 'AWS::EventsV2::EventBus', Properties: { Name: busName } },
      Sub: {
        Type: 'AWS::EventsV2::Subscriber',
        Properties: {
          Name: 's',
          EventBusArn: { 'Fn::GetAtt': ['Bus', 'EventBusArn'] },
          InvokeConfiguration: { TargetArn: targetArn },
        },
      },
    },
  };
}

describe('CloudFormation values', () => {
  test('AWS::URLSuffix is amazonaws.com.cn in the aws-cn partition, in both routers (pseudo-parameter-reference.html)', () => {
    const options = { partition: 'aws-cn', region: 'cn-north-1' };
    const classic = EventRouter.fromTemplate(classicTemplate(joined('bus', { Ref: 'AWS::URLSuffix' })), options);
    expect(classic.buses.filter((b) => !b.external).map((b) => b.name)).toEqual(['bus-amazonaws.com.cn']);
    const custom = CustomBusRouter.fromTemplate(customTemplate(joined('bus', { Ref: 'AWS::URLSuffix' }),
      { 'Fn::Join': ['', ['https://api.example.', { Ref: 'AWS::URLSuffix' }]] }), options);
    expect(custom.buses.map((b) => b.name)).toEqual(['bus-amazonaws.com.cn']);
    expect(custom.subscribers[0].targetArn).toBe('https://api.example.amazonaws.com.cn');
    const global = CustomBusRouter.fromTemplate(customTemplate(joined('bus', { Ref: 'AWS::URLSuffix' })));
    expect(global.buses.map((b) => b.name)).toEqual(['bus-amazonaws.com']);
  });

  test('Ref AWS::StackName: the Classic router answers the stack name, the Custom Event Bus router leaves it unresolved', () => {
    const name = joined('bus', { Ref: 'AWS::StackName' });
    const classic = EventRouter.fromTemplate(classicTemplate(name), { stackName: 'Shop' });
    expect(classic.rules[0].eventBusName).toBe('bus-Shop');
    const custom = CustomBusRouter.fromTemplate(customTemplate(name), { stackName: 'Shop' });
    expect(custom.buses.map((b) => b.name)).toEqual(['Bus']);
    expect(custom.warnings).toContain('Custom Event Bus Shop/Bus: its Name cannot be resolved offline (Ref AWS::StackName is resolved by the router only for literal stack names); the router calls it "Bus"');
  });

  test('a stack parameter: bound by deployTimeValues in the Classic router, unresolved in both without a value', () => {
    const parameters = { Parameters: { Name: { Type: 'String' } } };
    const unbound = EventRouter.fromTemplate({ ...classicTemplate({ Ref: 'Name' }), ...parameters });
    expect(unbound.warnings).toContain('event bus Stack/Bus: its Name cannot be resolved offline (Ref Name is a stack parameter, known only at deploy time); the router calls it "Bus"');
    const bound = EventRouter.fromTemplate({ ...classicTemplate({ Ref: 'Name' }), ...parameters }, { deployTimeValues: { Name: 'orders' } });
    expect(bound.rules[0].eventBusName).toBe('orders');
    const custom = CustomBusRouter.fromTemplate({ ...customTemplate({ Ref: 'Name' }), ...parameters });
    expect(custom.warnings).toContain('Custom Event Bus Stack/Bus: its Name cannot be resolved offline (Ref Name is a stack parameter, known only at deploy time); the router calls it "Bus"');
  });

  test('each router words an unknown resource reference its own way', () => {
    const classic = EventRouter.fromTemplate(classicTemplate({ 'Fn::GetAtt': ['Lookup', 'Name'] }));
    expect(classic.warnings).toContain('event bus Stack/Bus: its Name cannot be resolved offline (Fn::GetAtt Lookup.Name of an unknown resource is known only at deploy time); the router calls it "Bus"');
    const classicRef = EventRouter.fromTemplate(classicTemplate({ Ref: 'Lookup' }));
    expect(classicRef.warnings).toContain('event bus Stack/Bus: its Name cannot be resolved offline (Ref Lookup is an unknown name, known only at deploy time); the router calls it "Bus"');
    const custom = CustomBusRouter.fromTemplate(customTemplate({ Ref: 'Lookup' }));
    expect(custom.warnings).toContain('Custom Event Bus Stack/Bus: its Name cannot be resolved offline (Ref Lookup of an unknown resource is known only at deploy time); the router calls it "Bus"');
  });
});

describe('plain events', () => {
  const classic = EventRouter.fromTemplate(classicTemplate('orders'));
  const custom = CustomBusRouter.fromTemplate(customTemplate('orders'));

  test('the filled-in id: 32 hex digits in UUID groups (Classic), version-4-shaped (Custom Event Bus); the same every run', async () => {
    const event = { 'source': 'shop', 'detail-type': 'OrderPlaced', 'detail': { id: 1 } };
    const classicId = classic.normalizeEvent(event, '2024-01-01T00:00:00Z').id;
    const h = createHash('sha256').update(JSON.stringify(event)).digest('hex');
    expect(classicId).toBe(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`);
    expect(classic.normalizeEvent(event, '2024-01-01T00:00:00Z').id).toBe(classicId);
    const [delivery] = await custom.route(event);
    expect(delivery.event.Data.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await custom.route(event))[0].event.Data.id).toBe(delivery.event.Data.id);
  });

  test('a source beside Source / DetailType: a PutEvents entry for the Classic router, an event for the Custom Event Bus router', async () => {
    const mixed = { source: 'ignored', Source: 'shop', DetailType: 'OrderPlaced', Detail: '{"id":1}' };
    expect(classic.normalizeEvent(mixed, '2024-01-01T00:00:00Z')).toMatchObject({ 'source': 'shop', 'detail-type': 'OrderPlaced', 'detail': { id: 1 } });
    await expect(custom.route(mixed)).rejects.toThrow(/^PutEvents refuses this event: detail-type must be a string of 1 to 128 characters, got undefined$/);
  });

  test('both routers parse JSON text and refuse what is not an object with the same message', async () => {
    expect(classic.normalizeEvent('{"source":"shop","detail-type":"T"}', '2024-01-01T00:00:00Z')).toMatchObject({ source: 'shop', time: '2024-01-01T00:00:00Z' });
    expect(() => classic.normalizeEvent('[1]')).toThrow(/^an event must be a JSON object, got an array$/);
    await expect(custom.route('[1]')).rejects.toThrow(/^an event must be a JSON object, got an array$/);
  });
});
