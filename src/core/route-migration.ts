import {
  CfnElement,
  Duration,
  Stack,
  aws_cloudwatch as cloudwatch,
  aws_events as events,
  aws_kinesis as kinesis,
  aws_lambda as lambda,
  aws_sns as sns,
  aws_sqs as sqs,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import type { ICustomEventBus } from './custom-event-bus';
import { classicInputToJsonata, pathToJsonata } from './private/input-to-jsonata';
import { ReliableRoute } from './reliable-route';
import { Subscriber } from './subscriber';
import { SubscriberFilter, SubscriberTransformer } from './subscriber-options';
import { ISubscriberTarget, SubscriberTarget } from './subscriber-target';
import { checkAlarmOptions } from '../private/alarm-options';
import { propError } from '../private/errors';

const TYPE = 'RouteMigration';

/**
 * Properties of a {@link RouteMigration}.
 */
export interface RouteMigrationProps {
  /** The Classic route to move. */
  readonly route: ReliableRoute;

  /** The Custom Event Bus the subscribers go on. */
  readonly eventBus: ICustomEventBus;

  /**
   * Whether the subscribers send their failed events to the route's dead-letter queue (the delivery roles get
   * `sqs:SendMessage` on it). When false, each subscriber gets a dead-letter queue of its own.
   *
   * @default true
   */
  readonly reuseDeadLetterQueue?: boolean;

  /**
   * Whether each subscriber creates an alarm on its own dead-letter queue (only when it has one of its own).
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * Actions of those alarms.
   * Cannot be combined with `alarms: false`, which creates no alarm to act on (a synth error).
   *
   * @default - no actions
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * Moves a {@link ReliableRoute} (its rules and their targets) to subscribers on a Custom Event Bus, following AWS's
 * migration guide: one subscriber per target; the rule's pattern becomes a `DATA` filter unchanged (for `PutEvents`
 * traffic); the target's input (`Input`, `InputPath`, `InputTransformer`) becomes a `JSONATA` transformer (none when
 * the target receives the matched event: `RAW` delivers the same envelope); the target's retry policy and
 * dead-letter queue become the subscriber's. SQS message groups and Kinesis partition key paths carry over; a
 * disabled rule gives stopped subscribers.
 *
 * Targets are recognised when they are resources of the route's stack: SQS queues, Lambda functions, SNS topics,
 * Kinesis streams, Step Functions state machines and Classic event buses. Anything else (a scheduled rule, a
 * target in another stack, an API destination, a wildcard in the pattern, `<aws.events.rule-name>`) is an error
 * that names what does not carry over.
 *
 * The Classic route is left in place, so both can run side by side while consumers move.
 */
export class RouteMigration extends Construct {
  /** The subscribers, one per target of the route, in the route's target order. */
  public readonly subscribers: Subscriber[] = [];

  constructor(scope: Construct, id: string, props: RouteMigrationProps) {
    super(scope, id);
    checkAlarmOptions(this, TYPE, props.alarms, props.alarmActions);
    const stack = Stack.of(props.route);
    let n = 0;
    for (const rule of props.route.rules) {
      const cfnRule = rule.node.defaultChild as events.CfnRule;
      if (cfnRule.scheduleExpression !== undefined) {
        throw propError(this, TYPE, 'route', `has the scheduled rule ${rule.node.path}: a Custom Event Bus has no schedules (use EventBridge Scheduler)`);
      }
      const filters = cfnRule.eventPattern === undefined ? [] : [SubscriberFilter.data(cfnRule.eventPattern)];
      const targets: any[] = stack.resolve(cfnRule.targets) ?? [];
      for (const target of targets) {
        n++;
        const where = `target ${target.id} of ${rule.node.path}`;
        const fail = (message: string) => propError(this, TYPE, where, message);
        let expression: string | undefined;
        try {
          expression = classicInputToJsonata({
            input: target.input,
            inputPath: target.inputPath,
            inputPathsMap: target.inputTransformer?.inputPathsMap,
            inputTemplate: target.inputTransformer?.inputTemplate,
          });
        } catch (e) {
          throw fail(`cannot move its input: ${(e as Error).message}`);
        }
        const subscriberTarget = this.targetFor(stack, target, fail);
        const useRouteDlq = (props.reuseDeadLetterQueue ?? true) && target.deadLetterConfig?.arn !== undefined;
        const retry = target.retryPolicy ?? {};
        this.subscribers.push(new Subscriber(this, `Subscriber${n}`, {
          eventBus: props.eventBus,
          target: subscriberTarget,
          description: `Moved from ${where}`,
          filters,
          transformer: expression === undefined ? undefined : SubscriberTransformer.jsonata(expression),
          retryAttempts: retry.maximumRetryAttempts,
          maxEventAge: retry.maximumEventAgeInSeconds === undefined ? undefined : Duration.seconds(retry.maximumEventAgeInSeconds),
          deadLetterQueue: useRouteDlq ? props.route.deadLetterQueue : undefined,
          alarms: useRouteDlq ? false : props.alarms,
          alarmActions: props.alarmActions,
          enabled: cfnRule.state === 'DISABLED' ? false : undefined,
        }));
      }
    }
  }

  private targetFor(stack: Stack, target: any, fail: (message: string) => Error): ISubscriberTarget {
    const element = elementOf(stack, target.arn);
    const resource = element?.node.scope;
    if (resource instanceof sqs.Queue) {
      return SubscriberTarget.sqs(resource, { messageGroupId: target.sqsParameters?.messageGroupId });
    }
    if (resource instanceof lambda.Function) {
      return SubscriberTarget.lambda(resource);
    }
    if (resource instanceof sns.Topic) {
      return SubscriberTarget.sns(resource);
    }
    if (resource instanceof kinesis.Stream) {
      const path = target.kinesisParameters?.partitionKeyPath;
      return SubscriberTarget.kinesis(resource, {
        // Classic uses the event ID when there is no partition key path.
        partitionKey: path === undefined ? '{% $events.Data.id %}' : `{% ${pathToJsonata(path)} %}`,
      });
    }
    if (resource instanceof sfn.StateMachine) {
      return SubscriberTarget.stepFunctions(resource);
    }
    if (resource instanceof events.EventBus) {
      return SubscriberTarget.classicEventBus(resource);
    }
    throw fail('cannot be moved: only SQS queues, Lambda functions, SNS topics, Kinesis streams, state machines and '
      + `Classic event buses defined in the route's stack are recognised, got ${JSON.stringify(target.arn).slice(0, 120)}`);
  }
}

/** The L1 element a resolved `Ref` / `Fn::GetAtt` points to, in the given stack. */
function elementOf(stack: Stack, arn: any): IConstruct | undefined {
  const logicalId = arn?.Ref ?? (Array.isArray(arn?.['Fn::GetAtt']) ? arn['Fn::GetAtt'][0] : undefined);
  if (typeof logicalId !== 'string') {
    return undefined;
  }
  return stack.node.findAll().find((c) => CfnElement.isCfnElement(c) && Stack.of(c) === stack && stack.resolve(c.logicalId) === logicalId);
}
