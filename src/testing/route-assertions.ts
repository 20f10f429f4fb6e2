import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IEventBus } from 'aws-cdk-lib/aws-events';
import { IConstruct } from 'constructs';
import { CustomBusRouteOptions, CustomBusRouter, SubscriberDelivery } from './custom-bus-router';
import { EventRouter, RoutedDelivery, RouteOptions, RouterRule, RouterTarget } from './event-router';

/**
 * Assertions on routes that throw errors naming the event, the target and what was delivered instead; they work in
 * any test runner (Jest, Mocha, node:test).
 *
 * @example
 * RouteAssertions.assertRoutes(router, bookingConfirmed, ticketingFunction, { bookingId: 'B-1' }, { eventBus: 'bookings' });
 */
export class RouteAssertions {
  /**
   * A router for a stack, or the router itself.
   *
   * @param stackOrRouter an `EventRouter` or a `Stack`
   */
  public static routerOf(stackOrRouter: any): EventRouter {
    if (stackOrRouter instanceof EventRouter) {
      return stackOrRouter;
    }
    if (Stack.isStack(stackOrRouter)) {
      return EventRouter.fromStack(stackOrRouter);
    }
    throw new Error('expected an EventRouter or a Stack');
  }

  /**
   * Asserts that the event reaches the target and, if given, with exactly this input (deep equality on the parsed
   * input). Returns the matching delivery.
   *
   * @param stackOrRouter an `EventRouter` or a `Stack`
   * @param event the event
   * @param target a construct (its resource or `defaultChild`), a logical ID, `<ruleLogicalId>/<targetId>` or an ARN
   * @param expectedInput the exact input
   * @param options the bus and stack
   * @default - expectedInput: any input
   */
  public static assertRoutes(stackOrRouter: any, event: any, target: any, expectedInput?: any, options?: RouteOptions): RoutedDelivery {
    const router = RouteAssertions.routerOf(stackOrRouter);
    const wanted = targetKey(target);
    const explained = router.explain(event, options);
    const deliveries = explained.deliveries;
    const hits = deliveries.filter((d) => matchesTarget(d, wanted));
    if (hits.length === 0) {
      const why = explained.notDelivered.filter((n) => n.target === undefined || matchesTarget({ rule: n.rule, target: n.target }, wanted));
      const reasons = why.map((n) => `\nnot delivered (${n.reason}): ${n.message}`).join('');
      throw new Error(`expected the event to reach ${wanted} on bus "${options?.eventBus ?? 'default'}", but it reached ${describe(deliveries)}${reasons}\nevent: ${JSON.stringify(deliveries[0]?.event ?? event)}`);
    }
    if (arguments.length >= 4 && expectedInput !== undefined) {
      const exact = hits.find((d) => deepEqual(d.input, expectedInput));
      if (!exact) {
        throw new Error(`the event reached ${wanted}, but with a different input:\nexpected: ${JSON.stringify(expectedInput)}\nreceived: ${hits.map((d) => d.inputText).join('\n          ')}`);
      }
      return exact;
    }
    return hits[0];
  }

  /**
   * Asserts that the event does not reach the target.
   *
   * @param stackOrRouter an `EventRouter` or a `Stack`
   * @param event the event
   * @param target a construct, a logical ID, `<ruleLogicalId>/<targetId>` or an ARN
   * @param options the bus and stack
   */
  public static assertDoesNotRoute(stackOrRouter: any, event: any, target: any, options?: RouteOptions): void {
    const router = RouteAssertions.routerOf(stackOrRouter);
    const wanted = targetKey(target);
    const hits = router.route(event, options).filter((d) => matchesTarget(d, wanted));
    if (hits.length > 0) {
      throw new Error(`expected the event not to reach ${wanted}, but rule ${hits[0].rule.logicalId} delivers it with input ${hits[0].inputText}`);
    }
  }

  /**
   * Asserts that the event reaches no target at all.
   *
   * @param stackOrRouter an `EventRouter` or a `Stack`
   * @param event the event
   * @param options the bus and stack
   */
  public static assertRoutesNowhere(stackOrRouter: any, event: any, options?: RouteOptions): void {
    const deliveries = RouteAssertions.routerOf(stackOrRouter).route(event, options);
    if (deliveries.length > 0) {
      throw new Error(`expected the event to reach no target, but it reached ${describe(deliveries)}`);
    }
  }

  /**
   * The synthesized template of a stack with asset hashes replaced (`[ASSET_HASH].zip`, `[ASSET_HASH].json`,
   * `"[ASSET_HASH]"`), for snapshot tests that do not change when a Lambda bundle changes.
   */
  public static normalizedTemplate(stack: Stack): any {
    return JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON())
      .replace(/[0-9a-f]{64}\.zip/g, '[ASSET_HASH].zip')
      .replace(/[0-9a-f]{64}\.json/g, '[ASSET_HASH].json')
      .replace(/"[0-9a-f]{64}"/g, '"[ASSET_HASH]"'));
  }

  private constructor() {}
}

/**
 * Fluent route expectations: `RouteExpectation.of(stack).onBus('orders').event(evt).toReach(queue, input)`.
 */
export class RouteExpectation {
  /**
   * Starts an expectation.
   *
   * @param stackOrRouter an `EventRouter` or a `Stack`
   */
  public static of(stackOrRouter: any): RouteExpectation {
    return new RouteExpectation(RouteAssertions.routerOf(stackOrRouter), {}, undefined);
  }

  private constructor(private readonly router: EventRouter, private readonly options: RouteOptions, private readonly evt: any) {}

  /**
   * Puts the event on this bus: a name, an ARN, a logical ID, a construct path, or a bus token
   * (`bus.eventBusName`, `bus.eventBusArn`) of a bus of the app.
   */
  public onBus(eventBus: string): RouteExpectation {
    return new RouteExpectation(this.router, { ...this.options, eventBus }, this.evt);
  }

  /** Puts the event on this bus (see `EventRouter.eventBusId`). */
  public onEventBus(eventBus: IEventBus): RouteExpectation {
    return this.onBus(EventRouter.eventBusId(eventBus));
  }

  /** Puts the event in this account and region, for a bus given by name. */
  public inEnvironment(account: string, region: string): RouteExpectation {
    return new RouteExpectation(this.router, { ...this.options, account, region }, this.evt);
  }

  /** The event to route. */
  public event(event: any): RouteExpectation {
    return new RouteExpectation(this.router, this.options, event);
  }

  /**
   * Asserts that the event reaches the target, with exactly `expectedInput` if given.
   *
   * @default - expectedInput: any input
   */
  public toReach(target: any, expectedInput?: any): RoutedDelivery {
    if (expectedInput === undefined) {
      return RouteAssertions.assertRoutes(this.router, this.requireEvent(), target, undefined, this.options);
    }
    return RouteAssertions.assertRoutes(this.router, this.requireEvent(), target, expectedInput, this.options);
  }

  /** Asserts that the event does not reach the target. */
  public notToReach(target: any): void {
    RouteAssertions.assertDoesNotRoute(this.router, this.requireEvent(), target, this.options);
  }

  /** Asserts that the event reaches no target. */
  public toReachNothing(): void {
    RouteAssertions.assertRoutesNowhere(this.router, this.requireEvent(), this.options);
  }

  private requireEvent(): any {
    if (this.evt === undefined) {
      throw new Error('call event(...) before the assertion');
    }
    return this.evt;
  }
}

function targetKey(target: any): string {
  if (typeof target === 'string') {
    return target;
  }
  if (target && typeof target === 'object' && target.node !== undefined) {
    return EventRouter.logicalIdOf(target as IConstruct);
  }
  throw new Error(`target must be a construct or a string (logical ID, <rule>/<targetId> or ARN), got ${JSON.stringify(target)}`);
}

function matchesTarget(d: { rule: RouterRule; target: RouterTarget }, wanted: string): boolean {
  return d.target.logicalId === wanted || `${d.rule.logicalId}/${d.target.id}` === wanted || d.target.arn === wanted;
}

function describe(deliveries: RoutedDelivery[]): string {
  if (deliveries.length === 0) {
    return 'no target (no enabled rule on that bus matches)';
  }
  return deliveries.map((d) => `${d.target.logicalId ?? d.target.arn} (rule ${d.rule.logicalId}, target ${d.target.id})`).join(', ');
}

function deepEqual(a: any, b: any): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

/**
 * Assertions on the subscribers of a Custom Event Bus (see `CustomBusRouter`), with errors that say where the event
 * went instead. Asynchronous, because JSONata transforms are.
 *
 * @example
 * await SubscriberAssertions.assertRoutes(CustomBusRouter.fromStack(stack), CustomBusEvents.putEvents(entry), queue, { id: 'o-1' });
 */
export class SubscriberAssertions {
  /**
   * Asserts that the event reaches the target (a construct, a logical ID, a subscriber's logical ID or name, or the
   * target ARN) and, if given, with exactly this input. Resolves to the delivery.
   *
   * @param router the router
   * @param event the event, in any form `CustomBusRouter.route` takes: a `CustomBusEvent`, an EventBridge event or a
   * `PutEvents` entry (an object or JSON text), or a `PutRawEvents` entry
   * @param target a construct, a logical ID, a subscriber's logical ID or name, or the target ARN
   * @param expectedInput the exact input
   * @param options the bus and stack
   * @default - expectedInput: any input
   */
  public static async assertRoutes(router: CustomBusRouter, event: any, target: any, expectedInput?: any,
    options?: CustomBusRouteOptions): Promise<SubscriberDelivery> {
    const wanted = targetKey(target);
    const deliveries = await router.route(event, options);
    const hits = deliveries.filter((d) => matchesSubscriber(d, wanted));
    if (hits.length === 0) {
      throw new Error(`expected the event to reach ${wanted} on Custom Event Bus "${options?.eventBus ?? '(the only one)'}", but it reached ${describeSubscribers(deliveries)}`);
    }
    if (expectedInput !== undefined) {
      const exact = hits.find((d) => deepEqual(d.input, expectedInput));
      if (!exact) {
        throw new Error(`the event reached ${wanted}, but with a different input:\nexpected: ${JSON.stringify(expectedInput)}\nreceived: ${hits.map((d) => d.inputText ?? `(transform failed: ${d.transformError})`).join('\n          ')}`);
      }
      return exact;
    }
    return hits[0];
  }

  /**
   * Asserts that the event reaches no subscriber.
   *
   * @param router the router
   * @param event the event, in any form `CustomBusRouter.route` takes (see `assertRoutes`)
   * @param options the bus and stack
   */
  public static async assertRoutesNowhere(router: CustomBusRouter, event: any, options?: CustomBusRouteOptions): Promise<void> {
    const deliveries = await router.route(event, options);
    if (deliveries.length > 0) {
      throw new Error(`expected the event to reach no subscriber, but it reached ${describeSubscribers(deliveries)}`);
    }
  }

  private constructor() {}
}

function matchesSubscriber(d: SubscriberDelivery, wanted: string): boolean {
  const s = d.subscriber;
  return s.targetLogicalId === wanted || s.logicalId === wanted || s.name === wanted || s.targetArn === wanted;
}

function describeSubscribers(deliveries: SubscriberDelivery[]): string {
  if (deliveries.length === 0) {
    return 'no subscriber (no running subscriber of that bus has matching filters)';
  }
  return deliveries.map((d) => `${d.subscriber.targetLogicalId ?? d.subscriber.targetArn} (subscriber ${d.subscriber.name})`).join(', ');
}
