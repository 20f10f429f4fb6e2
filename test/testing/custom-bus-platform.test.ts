import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, CfnParameter, Fn, Stack, Stage, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CustomEventBus, ICustomEventBus, Subscriber, SubscriberFilter, SubscriberTarget } from '../../src/core';
import { CustomBusRouter } from '../../src/testing';

// The platform layout on a Custom Event Bus: a Stage per environment with a platform stack that defines the bus and
// a team stack whose subscribers import it (by cross-stack reference, and by an exported ARN), plus a spoke account
// that subscribes by ARN string, and a stack that names the bus with Fn::Sub and with a parameter.
const SHARED_ARN = 'arn:aws:events:eu-west-1:111111111111:event-busv2/orders/a1b2c3d4e5f6';

function subscribe(scope: Construct, id: string, bus: ICustomEventBus, source: string): void {
  new Subscriber(scope, id, {
    eventBus: bus,
    target: SubscriberTarget.sqs(new sqs.Queue(scope, `${id}Queue`, { enforceSSL: true })),
    filters: [SubscriberFilter.data({ source: [source] })],
  });
}

class Environment extends Stage {
  public readonly platform: Stack;
  public readonly team: Stack;
  public readonly bus: CustomEventBus;
  constructor(scope: Construct, id: string, account: string) {
    super(scope, id, { env: { account, region: 'eu-west-1' } });
    this.platform = new Stack(this, 'Platform');
    this.bus = new CustomEventBus(this.platform, 'Orders', { eventBusName: 'orders' });
    subscribe(this.platform, 'Audit', this.bus, 'shop');
    new CfnOutput(this.platform, 'OrdersArn', { value: this.bus.eventBusArn, exportName: `${id}-orders-arn` });
    this.team = new Stack(this, 'Team');
    // A construct of another stack: CDK writes an Fn::ImportValue of an export it adds to the platform stack.
    subscribe(this.team, 'Billing', this.bus, 'shop');
    // Imported by the exported ARN.
    subscribe(this.team, 'Shipping', CustomEventBus.fromEventBusArn(this.team, 'Imported', Fn.importValue(`${id}-orders-arn`)), 'shop');
  }
}

function platformApp(outdir?: string) {
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  const dev = new Environment(app, 'Dev', '111111111111');
  const prod = new Environment(app, 'Prod', '222222222222');
  const spoke = new Stack(app, 'Spoke', { env: { account: '333333333333', region: 'eu-west-1' } });
  subscribe(spoke, 'Remote', CustomEventBus.fromEventBusArn(spoke, 'Shared', SHARED_ARN), 'shop');
  const ways = new Stack(app, 'Ways', { env: { account: '111111111111', region: 'eu-west-1' } });
  subscribe(ways, 'BySub', CustomEventBus.fromEventBusArn(ways, 'Sub',
    Fn.sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-busv2/orders/x1')), 'shop');
  const parameter = new CfnParameter(ways, 'BusArn', { type: 'String' });
  subscribe(ways, 'ByParameter', CustomEventBus.fromEventBusArn(ways, 'Param', parameter.valueAsString), 'shop');
  return { app, dev, prod, spoke, ways };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custom-bus-platform-'));
const built = platformApp(dir);
const router = CustomBusRouter.fromCloudAssembly(built.app.synth().directory);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const shop = { 'source': 'shop', 'detail-type': 'OrderPlaced', 'time': '2026-11-30T12:00:00Z', 'detail': { orderId: 'o-1' } };
const paths = (deliveries: Array<{ subscriber: { path: string } }>) => deliveries.map((d) => d.subscriber.path);

describe('CustomBusRouter on the platform layout (cloud assembly with Stages)', () => {
  test('every stack of the nested Stage assemblies is read, each subscriber with its construct path', () => {
    expect(router.stacks).toEqual(expect.arrayContaining(['Dev-Platform', 'Dev-Team', 'Prod-Platform', 'Prod-Team', 'Spoke', 'Ways']));
    expect(router.subscribers.map((s) => s.path)).toEqual(expect.arrayContaining(['Dev/Team/Billing', 'Dev/Team/Shipping', 'Spoke/Remote']));
  });

  test('subscribers in other stacks and accounts on an imported bus are routed with the bus\'s own subscribers', async () => {
    const deliveries = await router.route(shop, { eventBus: 'orders', account: '111111111111' });
    expect(paths(deliveries)).toEqual(['Dev/Platform/Audit', 'Dev/Team/Billing', 'Dev/Team/Shipping', 'Spoke/Remote', 'Ways/BySub']);
    // One bus: the one the Dev platform stack defines.
    expect(new Set(deliveries.map((d) => d.subscriber.eventBusArn))).toEqual(new Set([deliveries[0].subscriber.eventBusArn]));
    expect(deliveries[0].subscriber.eventBusArn).toMatch(/^arn:aws:events:eu-west-1:111111111111:event-busv2\/orders\/orders/);
    // The spoke's subscriber lives in its own account.
    expect(deliveries.find((d) => d.subscriber.path === 'Spoke/Remote')!.subscriber.arn).toMatch(/^arn:aws:events:eu-west-1:333333333333:subscriber\//);
  });

  test('an event reaches the bus of its own account only; a name in two accounts without an account is refused', async () => {
    const prodOnly = await router.route({ ...shop, account: '222222222222' }, { eventBus: 'orders' });
    expect(paths(prodOnly)).toEqual(['Prod/Platform/Audit', 'Prod/Team/Billing', 'Prod/Team/Shipping']);
    expect(prodOnly[0].input).toMatchObject({ account: '222222222222', region: 'eu-west-1' });
    await expect(router.route(shop, { eventBus: 'orders' })).rejects.toThrow(
      'Custom Event Bus "orders" is ambiguous: the app has it in 111111111111/eu-west-1, 222222222222/eu-west-1');
    await expect(router.route(shop, { eventBus: 'orders', account: '999999999999' })).rejects.toThrow(
      'no Custom Event Bus "orders" in account 999999999999, region any: the app has "orders" only in 111111111111/eu-west-1, 222222222222/eu-west-1');
  });

  test('a bus is found by ARN (whatever its service id), construct path and <stack>/<logicalId>', async () => {
    const byArn = await router.route(shop, { eventBus: 'arn:aws:events:eu-west-1:222222222222:event-busv2/orders/anything' });
    expect(await router.route(shop, { eventBus: 'Prod/Platform/Orders' })).toEqual(byArn);
    expect(await router.route(shop, { eventBus: 'Prod/Platform/Orders/Resource' })).toEqual(byArn);
    expect(router.hasEventBus('Dev/Platform/Orders')).toBe(true);
    expect(router.hasEventBus('arn:aws:events:eu-west-1:444444444444:event-busv2/orders/x')).toBe(false);
  });

  test('buses lists the defined buses with their accounts, and the ARNs that no stack defines as external', () => {
    expect(router.buses.filter((b) => !b.external).map((b) => [b.name, b.account, b.region, b.path])).toEqual([
      ['orders', '111111111111', 'eu-west-1', 'Dev/Platform/Orders'],
      ['orders', '222222222222', 'eu-west-1', 'Prod/Platform/Orders'],
    ]);
    expect(router.buses.filter((b) => b.external)).toEqual([]);
  });

  test('eventsOf gives the $events a subscriber reads, with the bus\'s account and region', () => {
    expect(router.eventsOf(shop, { eventBus: 'Prod/Platform/Orders' }).Data).toMatchObject({ account: '222222222222', region: 'eu-west-1', time: shop.time });
  });

  test('stackName limits the subscribers, by name or construct path', async () => {
    expect(paths(await router.route(shop, { eventBus: 'orders', account: '111111111111', stackName: 'Dev/Team' })))
      .toEqual(['Dev/Team/Billing', 'Dev/Team/Shipping']);
    expect(paths(await router.route(shop, { eventBus: 'orders', account: '111111111111', stackName: 'Spoke' }))).toEqual(['Spoke/Remote']);
    await expect(router.route(shop, { eventBus: 'orders', account: '111111111111', stackName: 'Nope' })).rejects.toThrow('unknown stack "Nope"; the app has: ');
  });

  test('a subscriber whose bus is a stack parameter is a warning naming its construct path, never a silent drop', () => {
    expect(router.warnings).toContain('subscriber Ways/ByParameter: its event bus cannot be resolved offline (Ref BusArn is a stack parameter, known only at deploy time); the router does not route to it');
    expect(router.subscribers.some((s) => s.path === 'Ways/ByParameter')).toBe(false);
  });
});

describe('CustomBusRouter.fromStacks', () => {
  test('routes the subscribers of the stacks given, with construct paths from the tree', async () => {
    const { dev } = platformApp();
    const r = CustomBusRouter.fromStacks([dev.platform, dev.team]);
    expect(r.stacks).toEqual(['Dev-Platform', 'Dev-Team']);
    expect(r.warnings).toEqual([]);
    expect(paths(await r.route(shop))).toEqual(['Dev/Platform/Audit', 'Dev/Team/Billing', 'Dev/Team/Shipping']);
  });

  test('an environment-agnostic stack is placed in the default account and region, with a warning', () => {
    const stack = new Stack(new App(), 'Agnostic');
    subscribe(stack, 'Only', new CustomEventBus(stack, 'Bus', { eventBusName: 'b' }), 'shop');
    const r = CustomBusRouter.fromStacks([stack], { account: '555555555555' });
    expect(r.warnings).toEqual(['stack Agnostic is environment-agnostic: the router places it in account 555555555555, region us-east-1 (set env on the stack, or the router\'s account and region options)']);
    expect(r.subscribers[0].eventBusArn).toMatch(/^arn:aws:events:us-east-1:555555555555:event-busv2\/b\//);
  });

  test('a stack with an env keeps its own account: the router\'s account option only places agnostic stacks', () => {
    const stack = new Stack(new App(), 'Placed', { env: { account: '111122223333', region: 'eu-west-1' } });
    subscribe(stack, 'Only', new CustomEventBus(stack, 'Bus', { eventBusName: 'b' }), 'shop');
    expect(CustomBusRouter.fromStacks([stack], { account: '555555555555' }).subscribers[0].eventBusArn)
      .toMatch(/^arn:aws:events:eu-west-1:111122223333:event-busv2\/b\//);
  });
});
