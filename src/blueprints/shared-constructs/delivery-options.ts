import { ReliableDeliveryOptions } from '../../core/reliable-route';

/**
 * Only the delivery options of a blueprint's props, to pass on to its routes.
 */
export function deliveryOptions(props: ReliableDeliveryOptions): ReliableDeliveryOptions {
  return {
    retryAttempts: props.retryAttempts,
    maxEventAge: props.maxEventAge,
    alarms: props.alarms,
    alarmActions: props.alarmActions,
  };
}
