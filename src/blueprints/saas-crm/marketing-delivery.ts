import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { ApiDestinationDeliveryOptions, HandlerDelivery, LambdaDeliveryOptions } from '../kit/handler-delivery';

/**
 * Options of the API destination delivery of `SaasCrmToMarketing`.
 *
 * @deprecated use `ApiDestinationDeliveryOptions` (with `HandlerDelivery.viaApiDestination()`)
 */
export interface ApiDestinationMarketingDeliveryOptions extends ApiDestinationDeliveryOptions {}

/**
 * Options of the Lambda delivery of `SaasCrmToMarketing`.
 *
 * @deprecated use `LambdaDeliveryOptions` (with `HandlerDelivery.viaLambda()`), whose `secret` is `marketingSecret`
 */
export interface LambdaMarketingDeliveryOptions extends LambdaDeliveryOptions {
  /**
   * The Secrets Manager secret with the marketing tool's endpoint and credentials: the former name of `secret`
   * (give one of the two).
   *
   * @default - none
   * @deprecated use `secret`
   */
  readonly marketingSecret?: secretsmanager.ISecret;
}

/**
 * How `SaasCrmToMarketing` delivers contacts to the marketing tool.
 *
 * @deprecated use `HandlerDelivery`, the delivery type of every blueprint that calls an external system
 */
export class MarketingDelivery extends HandlerDelivery {
  /**
   * EventBridge calls the marketing tool itself through an API destination: no code, a rate limit, retries and a
   * dead-letter queue. Fields the event does not carry are sent as empty strings (input transformers cannot leave
   * them out): configure the tool to ignore empty values, or use the Lambda delivery.
   *
   * @param options the endpoint, its authorization and rate limit
   * @deprecated use `HandlerDelivery.viaApiDestination()`
   */
  public static apiDestination(options: ApiDestinationMarketingDeliveryOptions): MarketingDelivery {
    return new MarketingDelivery('apiDestination', undefined, options);
  }

  /**
   * A Lambda function upserts each contact: only the allowed fields that have a value, with the EventBridge event
   * id as `Idempotency-Key` and Powertools idempotency, honouring 429 / `Retry-After`.
   *
   * @param options the secret with the endpoint, or your own function
   * @deprecated use `HandlerDelivery.viaLambda()`
   */
  public static lambda(options: LambdaMarketingDeliveryOptions): MarketingDelivery {
    return new MarketingDelivery('lambda', options, undefined);
  }

  /** @internal */
  public _factoryNames(): { readonly lambda: string; readonly apiDestination: string } {
    return { lambda: 'MarketingDelivery.lambda()', apiDestination: 'MarketingDelivery.apiDestination()' };
  }
}
