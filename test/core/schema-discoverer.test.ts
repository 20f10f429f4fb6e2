import { App, Lazy, Stack, aws_events as events, aws_kms as kms } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { SchemaDiscoverer } from '../../src/core/schema-discoverer';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: ENV });
}

/**
 * Stand-in for this library's SecureEventBus: a bus that exposes its customer managed key as
 * `encryptionKey`. The key is NOT given to the L1, so only detection path (a) can see it.
 */
class KeyExposingBus extends events.EventBus {
  public readonly encryptionKey?: kms.IKey;
  constructor(scope: Construct, id: string, key?: kms.IKey) {
    super(scope, id);
    this.encryptionKey = key;
  }
}

function secureLikeBus(scope: Construct, id: string, key: kms.IKey | undefined): events.IEventBus {
  const bus = new KeyExposingBus(scope, id, key);
  expect((bus.node.defaultChild as events.CfnEventBus).kmsKeyIdentifier).toBeUndefined();
  return bus;
}

describe('SchemaDiscoverer defaults', () => {
  let stack: Stack;
  let bus: events.EventBus;
  let discoverer: SchemaDiscoverer;
  let template: Template;

  beforeAll(() => {
    stack = newStack();
    bus = new events.EventBus(stack, 'Bus');
    discoverer = new SchemaDiscoverer(stack, 'Discoverer', { eventBus: bus });
    template = Template.fromStack(stack);
  });

  test('creates a discoverer on the bus ARN, discovering cross-account events, without description', () => {
    const [resource] = Object.values(template.findResources('AWS::EventSchemas::Discoverer'));
    expect(resource.Properties).toEqual({
      SourceArn: { 'Fn::GetAtt': [expect.stringMatching(/^Bus/), 'Arn'] },
      CrossAccount: true,
    });
  });

  test('exposes attributes, the bus and the L1', () => {
    expect(stack.resolve(discoverer.discovererArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Discoverer/), 'DiscovererArn'] });
    expect(stack.resolve(discoverer.discovererId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Discoverer/), 'DiscovererId'] });
    expect(discoverer.eventBus).toBe(bus);
    expect(discoverer.node.defaultChild).toBe(discoverer.cfnDiscoverer);
    expect(discoverer.cfnDiscoverer.node.id).toBe('Resource');
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('SchemaDiscoverer overrides', () => {
  test('crossAccount false wins over the default', () => {
    const stack = newStack();
    new SchemaDiscoverer(stack, 'Discoverer', { eventBus: new events.EventBus(stack, 'Bus'), crossAccount: false });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Discoverer', { CrossAccount: false });
  });

  test('description is passed through', () => {
    const stack = newStack();
    new SchemaDiscoverer(stack, 'Discoverer', { eventBus: new events.EventBus(stack, 'Bus'), description: 'orders bus' });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Discoverer', { Description: 'orders bus' });
  });

  test('works on an imported bus', () => {
    const stack = newStack();
    const bus = events.EventBus.fromEventBusArn(stack, 'Default', 'arn:aws:events:eu-west-1:111111111111:event-bus/default');
    new SchemaDiscoverer(stack, 'Discoverer', { eventBus: bus });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Discoverer', {
      SourceArn: 'arn:aws:events:eu-west-1:111111111111:event-bus/default',
    });
  });

  test('throws when description is longer than 256 characters', () => {
    const stack = newStack();
    expect(() => new SchemaDiscoverer(stack, 'Discoverer', { eventBus: new events.EventBus(stack, 'Bus'), description: 'x'.repeat(257) }))
      .toThrow(/SchemaDiscoverer 'Stack\/Discoverer': description must be at most 256 characters long, got 257/);
  });

  test('skips description validation for tokens', () => {
    const stack = newStack();
    expect(() => new SchemaDiscoverer(stack, 'Discoverer', {
      eventBus: new events.EventBus(stack, 'Bus'),
      description: Lazy.string({ produce: () => 'x'.repeat(300) }),
    })).not.toThrow();
  });
});

describe('SchemaDiscoverer refuses buses with a customer managed key', () => {
  test('throws for an events.EventBus created with kmsKey (CfnEventBus.KmsKeyIdentifier)', () => {
    const stack = newStack();
    const bus = new events.EventBus(stack, 'Bus', { kmsKey: new kms.Key(stack, 'Key') });
    expect(() => new SchemaDiscoverer(stack, 'Discoverer', { eventBus: bus }))
      .toThrow(/SchemaDiscoverer 'Stack\/Discoverer': eventBus 'Stack\/Bus' is encrypted with a customer managed KMS key, and EventBridge does not support schema discovery on such buses/);
  });

  test('throws when the L1 bus got KmsKeyIdentifier through an escape hatch', () => {
    const stack = newStack();
    const bus = new events.EventBus(stack, 'Bus');
    (bus.node.defaultChild as events.CfnEventBus).kmsKeyIdentifier = 'arn:aws:kms:eu-west-1:111111111111:key/abc';
    expect(() => new SchemaDiscoverer(stack, 'Discoverer', { eventBus: bus })).toThrow(/customer managed KMS key/);
  });

  test('throws for a bus exposing an encryptionKey (SecureEventBus-style)', () => {
    const stack = newStack();
    const bus = secureLikeBus(stack, 'Secure', new kms.Key(stack, 'Key'));
    expect(() => new SchemaDiscoverer(stack, 'Discoverer', { eventBus: bus }))
      .toThrow(/eventBus 'Stack\/Secure' is encrypted with a customer managed KMS key.*Use a bus encrypted with an AWS owned key/);
  });

  test('accepts a bus whose encryptionKey property is undefined', () => {
    const stack = newStack();
    const bus = secureLikeBus(stack, 'Secure', undefined);
    expect(() => new SchemaDiscoverer(stack, 'Discoverer', { eventBus: bus })).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Discoverer', {
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Secure'), 'Arn'] },
    });
  });

  test('usesCustomerManagedKey reports each case', () => {
    const stack = newStack();
    expect(SchemaDiscoverer.usesCustomerManagedKey(new events.EventBus(stack, 'Plain'))).toBe(false);
    expect(SchemaDiscoverer.usesCustomerManagedKey(new events.EventBus(stack, 'Cmk', { kmsKey: new kms.Key(stack, 'K') }))).toBe(true);
    expect(SchemaDiscoverer.usesCustomerManagedKey(events.EventBus.fromEventBusName(stack, 'Imported', 'x'))).toBe(false);
    expect(SchemaDiscoverer.usesCustomerManagedKey(secureLikeBus(stack, 'S', new kms.Key(stack, 'K2')))).toBe(true);
  });
});
