import { App, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { OrderToInventory } from '../src/blueprints';
import { CentralEventBus, EventSpoke } from '../src/core';

/** The accounts of one environment of the platform layout. */
export interface PlatformStageProps extends StageProps {
  /** The account of the central bus and of the team stacks. */
  readonly account: string;
  /** The spoke account that forwards its order events to the central bus. */
  readonly spokeAccount: string;
  /** The region of every stack of the stage. */
  readonly region: string;
}

/** The platform team's stack: the central bus that spokes forward to and teams attach to. */
export class PlatformStack extends Stack {
  public readonly bus: CentralEventBus;

  constructor(scope: Construct, id: string, spokeAccount: string) {
    super(scope, id, { description: 'cdk-eventbridge-blueprints example: the platform team\'s central bus' });
    this.bus = new CentralEventBus(this, 'CentralBus', { eventBusName: 'platform', sourceAccounts: [spokeAccount] });
  }
}

/**
 * One environment of a platform layout: the platform team's central bus, a team stack that attaches a blueprint to
 * it by cross-stack reference, and a spoke account that forwards its order events to it.
 */
export class PlatformStage extends Stage {
  public readonly platform: PlatformStack;
  public readonly commerce: Stack;
  public readonly inventory: OrderToInventory;
  public readonly spoke: Stack;
  public readonly spokeRoute: EventSpoke;

  constructor(scope: Construct, id: string, props: PlatformStageProps) {
    super(scope, id, { ...props, env: { account: props.account, region: props.region } });
    this.platform = new PlatformStack(this, 'Platform', props.spokeAccount);

    // A team stack of the same account: the blueprint's rule names the central bus through Fn::ImportValue.
    this.commerce = new Stack(this, 'Commerce', { description: 'cdk-eventbridge-blueprints example: a team stack on the central bus' });
    this.inventory = new OrderToInventory(this.commerce, 'Inventory', {
      eventBus: this.platform.bus,
      orderSource: 'com.example.orders',
      eventSource: 'com.example.inventory',
    });

    // A spoke account forwards its order events from its default bus to the central bus.
    this.spoke = new Stack(this, 'Spoke', {
      env: { account: props.spokeAccount, region: props.region },
      description: 'cdk-eventbridge-blueprints example: a spoke account forwarding to the central bus',
    });
    this.spokeRoute = new EventSpoke(this.spoke, 'ToCentral', {
      centralEventBus: this.platform.bus,
      eventPattern: { source: ['com.example.orders'] },
    });
  }
}

/** The platform layout, once per environment, each in its own accounts. */
export function addPlatformExamples(app: App): { dev: PlatformStage; prod: PlatformStage } {
  return {
    dev: new PlatformStage(app, 'Dev', { account: '111111111111', spokeAccount: '333333333333', region: 'eu-west-1' }),
    prod: new PlatformStage(app, 'Prod', { account: '222222222222', spokeAccount: '444444444444', region: 'eu-west-1' }),
  };
}
