import { RetryModel } from './retry-model';
import type { EventRouter, RoutedDelivery } from '../event-router';
import type { RouteNonDelivery } from '../route-explanation';
import { DeadLetterMessage, DeliveryOutcome, ITargetHandler, SimulatedDelivery, SimulationOptions, SimulationReport, TargetHandlers } from '../simulation';

/**
 * The dead-letter `ERROR_CODE` of a failed attempt: the error's `code` (TypeScript), else a documented code that
 * starts its message (`NO_RESOURCE: ...`, the way handlers written in other jsii languages signal it), else
 * `SDK_CLIENT_ERROR`.
 */
function errorCodeOf(error: any): string {
  if (typeof error?.code === 'string') {
    return error.code;
  }
  const m = /^([A-Z_]+):/.exec(String(error?.message ?? error ?? ''));
  return m && TargetHandlers.ERROR_CODES.includes(m[1]) ? m[1] : 'SDK_CLIENT_ERROR';
}


function handlerFor(delivery: RoutedDelivery, options: SimulationOptions): ITargetHandler | undefined {
  const handlers = options.handlers ?? {};
  const keys = [
    delivery.target.logicalId,
    `${delivery.rule.logicalId}/${delivery.target.id}`,
    `${delivery.rule.stackName}/${delivery.rule.logicalId}/${delivery.target.id}`,
    delivery.target.arn,
  ];
  for (const key of keys) {
    if (key !== undefined && handlers[key] !== undefined) {
      return handlers[key];
    }
  }
  return options.defaultHandler;
}

export function simulateDeliveries(router: EventRouter, events: any[], options: SimulationOptions): SimulationReport {
  const retries = new RetryModel(options.seed ?? 1, options.retryBaseDelaySeconds ?? 1, options.retryMaxDelaySeconds ?? 600);
  const ingestionTime = options.ingestionTime ?? '2024-01-01T00:00:00Z';
  const deliveries: SimulatedDelivery[] = [];
  const deadLetters: DeadLetterMessage[] = [];
  const notDelivered: RouteNonDelivery[] = [];
  let unmatched = 0;

  for (const event of events) {
    const explained = router.explain(event, { eventBus: options.eventBus, stackName: options.stackName, ingestionTime });
    notDelivered.push(...explained.notDelivered);
    const routed = explained.deliveries;
    if (routed.length === 0) {
      unmatched++;
    }
    // Deliveries come depth first: a bus target, then what the receiving bus delivers. When the hop itself is not
    // delivered, the receiving bus never sees the event.
    let hopFailed = false;
    for (const delivery of routed) {
      if (delivery.path.length === 1) {
        hopFailed = false;
      } else if (hopFailed) {
        continue;
      }
      const simulated = outcomeOf(delivery, attemptDelivery(delivery, handlerFor(delivery, options), retries));
      if (simulated.deadLetter) deadLetters.push(simulated.deadLetter);
      if (simulated.outcome !== DeliveryOutcome.DELIVERED && delivery.target.eventBusArn !== undefined && delivery.path.length === 1) {
        hopFailed = true;
      }
      deliveries.push(simulated);
    }
  }
  return {
    deliveries,
    delivered: deliveries.filter((d) => d.outcome === DeliveryOutcome.DELIVERED).length,
    deadLettered: deliveries.filter((d) => d.outcome === DeliveryOutcome.DEAD_LETTERED).length,
    dropped: deliveries.filter((d) => d.outcome === DeliveryOutcome.DROPPED).length,
    totalAttempts: deliveries.reduce((sum, d) => sum + d.attempts, 0),
    unmatchedEvents: unmatched,
    simulatedSeconds: deliveries.reduce((longest, d) => Math.max(longest, d.elapsedSeconds), 0),
    deadLetters,
    notDelivered,
  };
}

/** How the attempts at one delivery went. */
interface Attempts {
  readonly attempts: number;
  /** Seconds from the first attempt to the last, rounded to the millisecond. */
  readonly elapsed: number;
  readonly delivered: boolean;
  readonly lastError: any;
  /** Why retrying stopped, when retries ran out: `MaximumRetryAttempts` or `MaximumEventAgeInSeconds`. */
  readonly condition?: string;
  /** The error was one EventBridge does not retry. */
  readonly notRetried: boolean;
}

/** Calls the handler until it succeeds, the error is not retried, or the retry policy runs out. */
function attemptDelivery(delivery: RoutedDelivery, handler: ITargetHandler | undefined, retries: RetryModel): Attempts {
  const maxAttempts = 1 + delivery.target.retryPolicy.maximumRetryAttempts;
  const maxAge = delivery.target.retryPolicy.maximumEventAgeInSeconds;
  let elapsed = 0;
  let attempts = 0;
  let lastError: any;
  let condition: string | undefined;
  let notRetried = false;
  while (true) {
    attempts++;
    try {
      handler?.handle(delivery.input, {
        attempt: attempts, elapsedSeconds: elapsed, rule: delivery.rule, target: delivery.target, event: delivery.event,
      });
      return { attempts, elapsed: Math.round(elapsed * 1000) / 1000, delivered: true, lastError, notRetried };
    } catch (e) {
      lastError = e;
    }
    // "for errors that result from missing permissions to a target, or if a target resource that no longer
    // exists, no retry attempts will happen": the event goes to the dead-letter queue at once.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
    if (TargetHandlers.NON_RETRIED_ERROR_CODES.includes(errorCodeOf(lastError))) {
      notRetried = true;
      break;
    }
    if (attempts >= maxAttempts) {
      condition = 'MaximumRetryAttempts';
      break;
    }
    const delay = retries.delayBefore(attempts);
    if (elapsed + delay > maxAge) {
      condition = 'MaximumEventAgeInSeconds';
      break;
    }
    elapsed += delay;
  }
  return { attempts, elapsed: Math.round(elapsed * 1000) / 1000, delivered: false, lastError, condition, notRetried };
}

/** The simulated delivery: delivered, or dead-lettered with the message EventBridge writes, or dropped. */
function outcomeOf(delivery: RoutedDelivery, tried: Attempts): SimulatedDelivery {
  const { attempts, elapsed, delivered, lastError, condition, notRetried } = tried;
  const errorMessage = lastError === undefined ? undefined : String(lastError?.message ?? lastError);
  let outcome = DeliveryOutcome.DELIVERED;
  let deadLetter: DeadLetterMessage | undefined;
  if (!delivered) {
    const dlq = delivery.target.deadLetterQueue;
    if (dlq) {
      outcome = DeliveryOutcome.DEAD_LETTERED;
      deadLetter = {
        queueArn: dlq.arn,
        queueLogicalId: dlq.logicalId,
        body: JSON.stringify(delivery.event),
        attributes: {
          ERROR_CODE: errorCodeOf(lastError),
          ERROR_MESSAGE: errorMessage ?? '',
          // Retries were not exhausted when the error is not retried: the page documents no value for it then.
          ...(condition !== undefined ? { EXHAUSTED_RETRY_CONDITION: condition } : {}),
          RETRY_ATTEMPTS: String(attempts - 1),
          RULE_ARN: delivery.rule.arn,
          TARGET_ARN: delivery.target.arn,
        },
      };
    } else {
      outcome = DeliveryOutcome.DROPPED;
    }
  }
  return {
    ...delivery,
    outcome,
    attempts,
    elapsedSeconds: elapsed,
    errorMessage: delivered ? undefined : errorMessage,
    exhaustedRetryCondition: condition,
    notRetried,
    deadLetter,
  };
}
