import { RoutedDelivery, RouterRule, RouterTarget } from './event-router';
import { RouteNonDelivery } from './route-explanation';

/**
 * One attempt to deliver an event to a target, as seen by a local handler.
 */
export interface DeliveryAttempt {
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** Simulated seconds since the event was ingested. */
  readonly elapsedSeconds: number;
  /** The rule. */
  readonly rule: RouterRule;
  /** The target. */
  readonly target: RouterTarget;
  /** The (normalized) event. */
  readonly event: any;
}

/**
 * A local stand-in for a target. `handle` returning means the target accepted the event; throwing means the
 * delivery attempt failed (EventBridge could not hand the event over: throttling, an unavailable endpoint, missing
 * permissions...). A thrown error's `code` (a string) becomes the dead-letter `ERROR_CODE`; in any jsii language,
 * a message that starts with a code of `TargetHandlers.ERROR_CODES` and a colon does the same
 * (`NO_RESOURCE: the function was deleted`). `NO_PERMISSIONS` and `NO_RESOURCE` are not retried (see
 * `TargetHandlers.NON_RETRIED_ERROR_CODES`).
 *
 * Note: EventBridge invokes Lambda functions asynchronously, so an error *inside* a function is not a failed
 * delivery in AWS (Lambda's own async retries apply); model a failed hand-over with a throw.
 */
export interface ITargetHandler {
  /**
   * Receives the exact input of the target.
   *
   * @param input what the target receives (parsed JSON, or the text when it is not JSON)
   * @param attempt the attempt
   */
  handle(input: any, attempt: DeliveryAttempt): void;
}

/**
 * Options of `simulate()`.
 *
 * **Retry model.** EventBridge retries "with exponential back off and jitter" and does not publish the exact
 * schedule. The simulation uses a deterministic model of it: the delay before retry n (n ≥ 1) is drawn uniformly
 * from [d/2, d] where d = min(`retryBaseDelaySeconds` × 2^(n-1), `retryMaxDelaySeconds`) ("equal jitter"), from a
 * seeded random number generator (mulberry32). With the defaults (1 s, 10 minutes) the default policy's 185 retries
 * take about 22 hours, close to the 24 hours AWS describes. A retry that would start after `maximumEventAgeInSeconds`
 * is not made (`EXHAUSTED_RETRY_CONDITION` `MaximumEventAgeInSeconds`); after 1 + `maximumRetryAttempts` failed
 * attempts the condition is `MaximumRetryAttempts`. Nothing sleeps: time is simulated.
 */
export interface SimulationOptions {
  /**
   * Handlers by target: the key is the logical ID of the target resource, `<ruleLogicalId>/<targetId>`, or the
   * target ARN.
   *
   * @default - no handlers: every target accepts every event
   */
  readonly handlers?: { [target: string]: ITargetHandler };

  /**
   * The handler of targets that have none in `handlers`.
   *
   * @default - accept every event
   */
  readonly defaultHandler?: ITargetHandler;

  /**
   * The seed of the random number generator of the retry jitter. The same seed gives the same schedule.
   *
   * @default 1
   */
  readonly seed?: number;

  /**
   * The first retry delay before jitter.
   *
   * @default 1
   */
  readonly retryBaseDelaySeconds?: number;

  /**
   * The largest retry delay before jitter.
   *
   * @default 600
   */
  readonly retryMaxDelaySeconds?: number;

  /**
   * The bus the events are put on (a name or the logical ID of a bus).
   *
   * @default 'default'
   */
  readonly eventBus?: string;

  /**
   * Only rules of this stack.
   *
   * @default - every stack
   */
  readonly stackName?: string;

  /**
   * The ingestion time of the first event (ISO 8601); every event is ingested at this time.
   *
   * @default '2024-01-01T00:00:00Z'
   */
  readonly ingestionTime?: string;
}

/**
 * What happened to an event at a target.
 */
export enum DeliveryOutcome {
  /** The target accepted the event (possibly after retries). */
  DELIVERED = 'DELIVERED',
  /** Every attempt failed; the event went to the target's dead-letter queue. */
  DEAD_LETTERED = 'DEAD_LETTERED',
  /** Every attempt failed and the target has no dead-letter queue: the event is lost. */
  DROPPED = 'DROPPED',
}

/**
 * A message in a dead-letter queue, as EventBridge writes it.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
export interface DeadLetterMessage {
  /** The ARN of the dead-letter queue. */
  readonly queueArn: string;
  /**
   * The logical ID of the dead-letter queue.
   *
   * @default - the queue is not in the template
   */
  readonly queueLogicalId?: string;
  /** The message body: the original event as JSON. */
  readonly body: string;
  /**
   * The message attributes: `ERROR_CODE`, `ERROR_MESSAGE`, `EXHAUSTED_RETRY_CONDITION`, `RETRY_ATTEMPTS`,
   * `RULE_ARN` and `TARGET_ARN`.
   */
  readonly attributes: { [name: string]: string };
}

/**
 * The outcome of one delivery in a simulation.
 */
export interface SimulatedDelivery extends RoutedDelivery {
  /** Delivered, dead-lettered or dropped. */
  readonly outcome: DeliveryOutcome;
  /** How many attempts were made (1 + retries). */
  readonly attempts: number;
  /** Simulated seconds from ingestion to the outcome. */
  readonly elapsedSeconds: number;
  /**
   * The message of the last failure.
   *
   * @default - no failure
   */
  readonly errorMessage?: string;
  /**
   * Why retries stopped: `MaximumRetryAttempts` or `MaximumEventAgeInSeconds`.
   *
   * @default - delivered
   */
  readonly exhaustedRetryCondition?: string;
  /**
   * Whether the last error is one EventBridge does not retry (`NO_PERMISSIONS`, `NO_RESOURCE`): the event went to
   * the dead-letter queue (or was dropped) after that attempt, without the retry schedule.
   */
  readonly notRetried: boolean;
  /**
   * The dead-letter message.
   *
   * @default - not dead-lettered
   */
  readonly deadLetter?: DeadLetterMessage;
}

/**
 * The result of a simulation.
 */
export interface SimulationReport {
  /** Every delivery, event by event, in rule and target order. */
  readonly deliveries: SimulatedDelivery[];
  /** How many deliveries succeeded. */
  readonly delivered: number;
  /** How many went to a dead-letter queue. */
  readonly deadLettered: number;
  /** How many were lost. */
  readonly dropped: number;
  /** Attempts made in total. */
  readonly totalAttempts: number;
  /** Events that matched no rule. */
  readonly unmatchedEvents: number;
  /** The longest simulated time from ingestion to an outcome, in seconds. */
  readonly simulatedSeconds: number;
  /** The dead-letter messages, in order. */
  readonly deadLetters: DeadLetterMessage[];
  /**
   * The targets and rules on the events' paths that EventBridge would not deliver to, with why (see
   * `EventRouter.explain`); they get no handler call and no outcome.
   */
  readonly notDelivered: RouteNonDelivery[];
}

/**
 * Ready-made target handlers.
 */
export class TargetHandlers {
  /**
   * The dead-letter `ERROR_CODE` values the EventBridge user guide lists.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
   */
  public static readonly ERROR_CODES: string[] = [
    'CONNECTION_FAILURE', 'CROSS_ACCOUNT_INGESTION_FAILED', 'CROSS_REGION_INGESTION_FAILED', 'ERROR_FROM_TARGET',
    'EVENTS_IN_BATCH_REQUEST_REJECTED', 'FAILED_TO_ASSUME_ROLE', 'INTERNAL_ERROR', 'INVALID_JSON', 'INVALID_PARAMETER',
    'NO_PERMISSIONS', 'NO_RESOURCE', 'RESOURCE_ALREADY_EXISTS', 'RESOURCE_LIMIT_EXCEEDED', 'RESOURCE_MODIFICATION_COLLISION',
    'SDK_CLIENT_ERROR', 'THIRD_ACCOUNT_HOP_DETECTED', 'THIRD_REGION_HOP_DETECTED', 'THROTTLING', 'TIMEOUT',
    'TRANSIENT_ASSUME_ROLE', 'UNKNOWN',
  ];

  /**
   * The codes of the errors EventBridge does not retry: "errors that result from missing permissions to a target,
   * or if a target resource that no longer exists" go to the dead-letter queue without retry attempts.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
   */
  public static readonly NON_RETRIED_ERROR_CODES: string[] = ['NO_PERMISSIONS', 'NO_RESOURCE'];

  /**
   * A handler whose target denies EventBridge (`NO_PERMISSIONS`): not retried.
   *
   * @param message the error message
   * @default - message 'EventBridge is not allowed to call the target'
   */
  public static noPermissions(message?: string): ITargetHandler {
    return TargetHandlers.fail(message ?? 'EventBridge is not allowed to call the target', 'NO_PERMISSIONS');
  }

  /**
   * A handler whose target no longer exists (`NO_RESOURCE`): not retried.
   *
   * @param message the error message
   * @default - message 'the target resource does not exist'
   */
  public static noResource(message?: string): ITargetHandler {
    return TargetHandlers.fail(message ?? 'the target resource does not exist', 'NO_RESOURCE');
  }

  /** A handler that accepts every event. */
  public static accept(): ITargetHandler {
    return { handle: () => undefined };
  }

  /**
   * A handler that fails every attempt.
   *
   * @param message the error message
   * @param errorCode the dead-letter `ERROR_CODE`
   * @default - message 'target unavailable', errorCode 'SDK_CLIENT_ERROR'
   */
  public static fail(message?: string, errorCode?: string): ITargetHandler {
    return TargetHandlers.failFirst(Number.MAX_SAFE_INTEGER, message, errorCode);
  }

  /**
   * A handler that fails the first `attempts` attempts and then accepts.
   *
   * @param attempts how many attempts fail
   * @param message the error message
   * @param errorCode the dead-letter `ERROR_CODE`
   */
  public static failFirst(attempts: number, message?: string, errorCode?: string): ITargetHandler {
    return {
      handle: (_input: any, attempt: DeliveryAttempt) => {
        if (attempt.attempt <= attempts) {
          const error: any = new Error(message ?? 'target unavailable');
          error.code = errorCode ?? 'SDK_CLIENT_ERROR';
          throw error;
        }
      },
    };
  }

  /** A handler that records what it receives and accepts it. */
  public static recorder(): RecordingTargetHandler {
    return new RecordingTargetHandler();
  }

  private constructor() {}
}

/**
 * A handler that records the inputs it receives (and accepts them).
 */
export class RecordingTargetHandler implements ITargetHandler {
  /** The inputs received, in order. */
  public readonly inputs: any[] = [];
  /** The attempts, in order. */
  public readonly attempts: DeliveryAttempt[] = [];

  public handle(input: any, attempt: DeliveryAttempt): void {
    this.inputs.push(input);
    this.attempts.push(attempt);
  }
}
