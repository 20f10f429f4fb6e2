import type { RoutedDelivery, RouterRule, RouterTarget } from './event-router';

/**
 * Why EventBridge would not deliver an event to a target that the router found on the event's path. Each reason
 * models a behaviour EventBridge documents; `RouteNonDelivery.documentation` names the page.
 */
export enum NonDeliveryReason {
  /**
   * The rule's state is `DISABLED`: "EventBridge does not match events against the rule".
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
   */
  RULE_DISABLED = 'RULE_DISABLED',
  /**
   * A read-only CloudTrail management event (a `Describe*`, `Get*` or `List*` call) reaches only rules in state
   * `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`; this rule is `ENABLED`.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html
   */
  READ_ONLY_MANAGEMENT_EVENT = 'READ_ONLY_MANAGEMENT_EVENT',
  /**
   * The rule's pattern holds a value only known at deploy time (a `Ref`, `Fn::GetAtt`, `Fn::ImportValue`, a
   * parameter) where the event has another value: bind it (`EventRouterOptions.deployTimeValues`, `--bind`) to
   * know whether the event matches.
   */
  UNRESOLVED_PATTERN_VALUE = 'UNRESOLVED_PATTERN_VALUE',
  /**
   * The template cannot deploy: a `RetryPolicy` out of range, an input transformer EventBridge refuses (a reserved
   * variable name, an undefined placeholder, two input options), a FIFO dead-letter queue. The rule never exists.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html
   */
  TEMPLATE_CANNOT_DEPLOY = 'TEMPLATE_CANNOT_DEPLOY',
  /**
   * The target is in another account and its type cannot receive events across accounts (only API Gateway,
   * Kinesis Data Streams, Lambda, SNS, SQS and event buses can).
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-cross-account.html
   */
  TARGET_ACCOUNT_NOT_SUPPORTED = 'TARGET_ACCOUNT_NOT_SUPPORTED',
  /**
   * The target is in another Region and is not an event bus: EventBridge sends across Regions only to event buses.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
   */
  TARGET_REGION_NOT_SUPPORTED = 'TARGET_REGION_NOT_SUPPORTED',
  /**
   * The target needs an execution role (`RoleArn`) and has none: a target in another account, or a target type
   * EventBridge calls only with a role (Kinesis, Firehose, Step Functions, ECS, Batch, CodeBuild, CodePipeline,
   * Systems Manager, Redshift, SageMaker, Inspector, API destinations).
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-iam-roles.html
   */
  TARGET_ROLE_MISSING = 'TARGET_ROLE_MISSING',
  /**
   * The dead-letter queue is not in the rule's Region. (The EventBridge user guide does not state this limit;
   * aws-cdk-lib refuses such a queue, and the router follows it.)
   */
  DEAD_LETTER_QUEUE_REGION = 'DEAD_LETTER_QUEUE_REGION',
  /**
   * The target is an event bus and the event came to the rule's bus from another bus: EventBridge does not send
   * it on to a third bus ("these events are not sent to the third account"; the same for three buses of one account).
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html
   */
  BUS_HOP_NOT_FORWARDED = 'BUS_HOP_NOT_FORWARDED',
}

/**
 * A target (or a whole rule) on the event's path that does not receive the event, and why.
 */
export interface RouteNonDelivery {
  /** The reason code. */
  readonly reason: NonDeliveryReason;
  /** What happens, naming the rule, the target and the values involved. */
  readonly message: string;
  /** The AWS page that documents the behaviour. */
  readonly documentation: string;
  /** The rule. */
  readonly rule: RouterRule;
  /**
   * The target.
   *
   * @default - the whole rule: none of its targets receives the event
   */
  readonly target?: RouterTarget;
  /** The ARNs of the buses the event passed through to reach the rule (see `RoutedDelivery.path`). */
  readonly path: string[];
}

/**
 * What `EventRouter.explain` finds: the deliveries, and every target on the event's path that EventBridge would
 * not deliver to, with the reason.
 */
export interface RouteExplanation {
  /** The deliveries: exactly what `route()` returns. */
  readonly deliveries: RoutedDelivery[];
  /** The non-deliveries, in rule order. */
  readonly notDelivered: RouteNonDelivery[];
}
