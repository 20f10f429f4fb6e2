import { ReliableDeliveryOptions } from '../../core/reliable-route';
import { HandlerDelivery } from '../kit/handler-delivery';

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

/**
 * The factory names of a delivery for error messages; the new ones for an object that is not a `HandlerDelivery`
 * (plain JavaScript).
 */
export function factoryNames(delivery: HandlerDelivery): { readonly lambda: string; readonly apiDestination: string } {
  return typeof delivery._factoryNames === 'function'
    ? delivery._factoryNames()
    : { lambda: 'HandlerDelivery.viaLambda()', apiDestination: 'HandlerDelivery.viaApiDestination()' };
}
