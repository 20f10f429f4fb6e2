import { Duration, aws_events as events, aws_lambda as lambda, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/**
 * Options of the API destination delivery of `SaasCrmToMarketing`.
 */
export interface ApiDestinationMarketingDeliveryOptions {
  /**
   * The HTTPS URL of the marketing tool's contact endpoint. One `*` in it is replaced by the contact's external id
   * (the CRM's lead id), for tools that upsert with `PUT .../contacts/<id>`.
   */
  readonly endpoint: string;

  /**
   * How EventBridge authorizes the calls, for a connection created by the blueprint: an API key
   * (`events.Authorization.apiKey(...)`) or OAuth client credentials (`events.Authorization.oauth(...)`), with
   * the secret parts from Secrets Manager (`SecretValue.secretsManager(...)`). EventBridge copies them into a
   * secret of its own, managed with the connection. A credential in plain text gets a synth warning.
   *
   * @default - none; `connection` must be given then
   */
  readonly authorization?: events.Authorization;

  /**
   * An existing connection (the authorization of the calls).
   *
   * @default - a connection is created from `authorization`; one of the two must be given
   */
  readonly connection?: events.IConnection;

  /**
   * The HTTP method of the calls.
   *
   * @default events.HttpMethod.POST
   */
  readonly httpMethod?: events.HttpMethod;

  /**
   * At most this many calls per second to the marketing tool (1 to 300). Events beyond it wait, and EventBridge
   * retries them within the route's retry policy (185 times over 24 hours by default) before the dead-letter queue.
   *
   * @default 10
   */
  readonly rateLimitPerSecond?: number;

  /**
   * Extra static HTTP headers of every call (secret headers belong on the connection).
   *
   * @default - no extra headers
   */
  readonly headers?: { [name: string]: string };
}

/**
 * Options of the Lambda delivery of `SaasCrmToMarketing`.
 */
export interface LambdaMarketingDeliveryOptions {
  /**
   * The Secrets Manager secret with the marketing tool's endpoint and credentials, JSON
   * `{ "endpoint": "https://.../contacts/{externalId}", "method": "PUT", "authorization": "Bearer ...", "headers": {} }`
   * (`method`, `authorization` and `headers` optional). The function is granted read access.
   *
   * Required with the default function.
   *
   * @default - none
   */
  readonly marketingSecret?: secretsmanager.ISecret;

  /**
   * Your own function instead of the default upsert function. It receives the same contact (the input
   * transformer's output, allowed fields only) and, when it has a role, read access to `marketingSecret` and the
   * idempotency table, but no environment variables.
   *
   * @default - the blueprint's `UpsertContact` function (Node.js 24, 256 MB, X-Ray, JSON logs kept one year,
   * failed invocations to an SQS on-failure queue with an alarm)
   */
  readonly handler?: lambda.IFunction;

  /**
   * How long the default function waits for the marketing tool per request (1 to 60 seconds).
   *
   * @default Duration.seconds(5)
   */
  readonly httpTimeout?: Duration;

  /**
   * The longest `Retry-After` of a 429 or 503 answer the default function waits for within an invocation (0 to 300
   * seconds). A longer one fails the invocation, and Lambda retries it later (twice), then sends it to the
   * on-failure queue.
   *
   * @default Duration.seconds(20)
   */
  readonly maxRetryAfter?: Duration;
}

/**
 * How `SaasCrmToMarketing` delivers contacts to the marketing tool.
 */
export class MarketingDelivery {
  /**
   * EventBridge calls the marketing tool itself through an API destination: no code, a rate limit, retries and a
   * dead-letter queue. Fields the event does not carry are sent as empty strings (input transformers cannot leave
   * them out): configure the tool to ignore empty values, or use `MarketingDelivery.lambda()`.
   *
   * @param options the endpoint, its authorization and rate limit
   */
  public static apiDestination(options: ApiDestinationMarketingDeliveryOptions): MarketingDelivery {
    return new MarketingDelivery('apiDestination', options, undefined);
  }

  /**
   * A Lambda function upserts each contact: only the allowed fields that have a value, with the EventBridge event
   * id as `Idempotency-Key` and Powertools idempotency, honouring 429 / `Retry-After`.
   *
   * @param options the secret with the endpoint, or your own function
   */
  public static lambda(options: LambdaMarketingDeliveryOptions): MarketingDelivery {
    return new MarketingDelivery('lambda', undefined, options);
  }

  /** The kind of delivery: `apiDestination` or `lambda`. */
  public readonly kind: string;

  /** The options of an API destination delivery, undefined for another kind. */
  public readonly apiDestinationOptions?: ApiDestinationMarketingDeliveryOptions;

  /** The options of a Lambda delivery, undefined for another kind. */
  public readonly lambdaOptions?: LambdaMarketingDeliveryOptions;

  private constructor(kind: string, apiDestinationOptions?: ApiDestinationMarketingDeliveryOptions, lambdaOptions?: LambdaMarketingDeliveryOptions) {
    this.kind = kind;
    this.apiDestinationOptions = apiDestinationOptions;
    this.lambdaOptions = lambdaOptions;
  }
}
