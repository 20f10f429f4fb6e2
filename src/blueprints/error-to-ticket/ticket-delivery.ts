import { ApiDestinationDeliveryOptions, HandlerDelivery, LambdaDeliveryOptions } from '../kit/handler-delivery';

/**
 * Options of the Lambda delivery of `ErrorToTicket`.
 *
 * @deprecated use `LambdaDeliveryOptions` (with `HandlerDelivery.viaLambda()`)
 */
export interface LambdaTicketDeliveryOptions extends LambdaDeliveryOptions {}

/**
 * Options of the API destination delivery of `ErrorToTicket`.
 *
 * @deprecated use `ApiDestinationDeliveryOptions` (with `HandlerDelivery.viaApiDestination()`)
 */
export interface ApiDestinationTicketDeliveryOptions extends ApiDestinationDeliveryOptions {}

/**
 * How `ErrorToTicket` delivers tickets to the ticketing system.
 *
 * @deprecated use `HandlerDelivery`, the delivery type of every blueprint that calls an external system
 */
export class TicketDelivery extends HandlerDelivery {
  /**
   * A Lambda function opens the tickets: it deduplicates errors by fingerprint in a DynamoDB table (one ticket
   * per fingerprint and `dedupWindow`), reads the endpoint and credentials from `ticketingSecret` and calls the
   * ticketing system's HTTP API.
   *
   * @param options the function and its HTTP timeout
   * @deprecated use `HandlerDelivery.viaLambda()`
   */
  public static lambda(options: LambdaTicketDeliveryOptions = {}): TicketDelivery {
    return new TicketDelivery('lambda', options, undefined);
  }

  /**
   * EventBridge calls the ticketing system itself through an API destination and a connection, with no code:
   * an input transformer shapes the ticket body, and EventBridge retries 429 and 5xx answers within the route's
   * retry policy. There is no deduplication: every matched event opens a ticket.
   *
   * @param options the endpoint, its authorization and rate limit
   * @deprecated use `HandlerDelivery.viaApiDestination()`
   */
  public static apiDestination(options: ApiDestinationTicketDeliveryOptions): TicketDelivery {
    return new TicketDelivery('apiDestination', undefined, options);
  }

  /** @internal */
  public _factoryNames(): { readonly lambda: string; readonly apiDestination: string } {
    return { lambda: 'TicketDelivery.lambda()', apiDestination: 'TicketDelivery.apiDestination()' };
  }
}
