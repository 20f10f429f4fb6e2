import { RetryModel } from './retry-model';
import type { EventRouter, RoutedDelivery } from '../event-router';
import { DeadLetterMessage, DeliveryOutcome, ITargetHandler, SimulatedDelivery, SimulationOptions, SimulationReport } from '../simulation';


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
  let unmatched = 0;
  let totalAttempts = 0;
  let longest = 0;

  for (const event of events) {
    const routed = router.route(event, { eventBus: options.eventBus, stackName: options.stackName, ingestionTime });
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
      const handler = handlerFor(delivery, options);
      const maxAttempts = 1 + delivery.target.retryPolicy.maximumRetryAttempts;
      const maxAge = delivery.target.retryPolicy.maximumEventAgeInSeconds;
      let elapsed = 0;
      let attempts = 0;
      let lastError: any;
      let condition: string | undefined;
      let delivered = false;
      while (true) {
        attempts++;
        try {
          handler?.handle(delivery.input, {
            attempt: attempts, elapsedSeconds: elapsed, rule: delivery.rule, target: delivery.target, event: delivery.event,
          });
          delivered = true;
          break;
        } catch (e) {
          lastError = e;
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
      totalAttempts += attempts;
      elapsed = Math.round(elapsed * 1000) / 1000;
      longest = Math.max(longest, elapsed);
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
              ERROR_CODE: typeof lastError?.code === 'string' ? lastError.code : 'SDK_CLIENT_ERROR',
              ERROR_MESSAGE: errorMessage ?? '',
              EXHAUSTED_RETRY_CONDITION: condition!,
              RETRY_ATTEMPTS: String(attempts - 1),
              RULE_ARN: delivery.rule.arn,
              TARGET_ARN: delivery.target.arn,
            },
          };
          deadLetters.push(deadLetter);
        } else {
          outcome = DeliveryOutcome.DROPPED;
        }
      }
      if (!delivered && delivery.target.eventBusArn !== undefined && delivery.path.length === 1) {
        hopFailed = true;
      }
      deliveries.push({
        ...delivery,
        outcome,
        attempts,
        elapsedSeconds: elapsed,
        errorMessage: delivered ? undefined : errorMessage,
        exhaustedRetryCondition: condition,
        deadLetter,
      });
    }
  }
  return {
    deliveries,
    delivered: deliveries.filter((d) => d.outcome === DeliveryOutcome.DELIVERED).length,
    deadLettered: deliveries.filter((d) => d.outcome === DeliveryOutcome.DEAD_LETTERED).length,
    dropped: deliveries.filter((d) => d.outcome === DeliveryOutcome.DROPPED).length,
    totalAttempts,
    unmatchedEvents: unmatched,
    simulatedSeconds: longest,
    deadLetters,
  };
}
