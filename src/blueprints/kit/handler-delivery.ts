import { Duration, aws_events as events, aws_lambda as lambda, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/**
 * Options of a blueprint's Lambda delivery (`HandlerDelivery.viaLambda()`): a function calls the external system.
 */
export interface LambdaDeliveryOptions {
  /**
   * Your own function instead of the blueprint's default one. It gets no environment variables from the blueprint
   * (it must read its own configuration); when it has a role, it is granted what the default function is granted
   * (the secret, the deduplication or idempotency table). What it receives is in the blueprint's README section:
   * `ErrorToTicket` passes the matched EventBridge events unchanged, `SaasCrmToMarketing` the contact (allowed
   * fields only).
   *
   * @default - the blueprint's default function (Node.js 24, 256 MB, X-Ray, JSON logs kept one year, failed
   * asynchronous invocations to an SQS on-failure queue with an alarm)
   */
  readonly handler?: lambda.IFunction;

  /**
   * The Secrets Manager secret with the external system's endpoint and credentials, read by the default function
   * (the function is granted read access). `SaasCrmToMarketing`: required with the default function, JSON
   * `{ "endpoint": "https://.../contacts/{externalId}", "method": "PUT", "authorization": "Bearer ...", "headers": {} }`.
   * `ErrorToTicket` takes its secret as the blueprint prop `ticketingSecret` and refuses this one.
   *
   * @default - none
   */
  readonly secret?: secretsmanager.ISecret;

  /**
   * How long the default function waits for the external system per request before it gives up. Only for the
   * default function. `ErrorToTicket`: 1 second to 10 minutes (the function's timeout is this plus 20 seconds, at
   * least 30 seconds); `SaasCrmToMarketing`: 1 to 60 seconds.
   *
   * @default Duration.seconds(5)
   */
  readonly httpTimeout?: Duration;

  /**
   * The longest `Retry-After` of a 429 or 503 answer the default function waits for within an invocation (0 to 300
   * seconds); a longer one fails the invocation, and Lambda retries it later (twice), then sends it to the
   * on-failure queue. Only `SaasCrmToMarketing`'s default function honours `Retry-After`; `ErrorToTicket` refuses it.
   *
   * @default Duration.seconds(20)
   */
  readonly maxRetryAfter?: Duration;
}

/**
 * Options of a blueprint's API destination delivery (`HandlerDelivery.viaApiDestination()`): EventBridge calls the
 * external system itself.
 */
export interface ApiDestinationDeliveryOptions {
  /**
   * The HTTPS URL of the endpoint (EventBridge only calls HTTPS endpoints). `SaasCrmToMarketing` replaces one `*` in
   * it by the contact's external id (the CRM's lead id), for tools that upsert with `PUT .../contacts/<id>`.
   */
  readonly endpoint: string;

  /**
   * An existing EventBridge connection (the authorization of the calls).
   *
   * @default - a connection is created from `authorization`; one of the two must be given
   */
  readonly connection?: events.IConnection;

  /**
   * How EventBridge authorizes the calls, for a connection created by the blueprint (API key header, basic or
   * OAuth client credentials). Keep the credentials out of your code: `SecretValue.secretsManager(...)`; EventBridge
   * copies them into a secret of its own, managed with the connection.
   *
   * @default - none; `connection` must be given then
   */
  readonly authorization?: events.Authorization;

  /**
   * The HTTP method of the calls.
   *
   * @default events.HttpMethod.POST
   */
  readonly httpMethod?: events.HttpMethod;

  /**
   * At most this many calls per second to the endpoint (1 to 300). Events beyond it wait, and EventBridge retries
   * them within the route's retry policy (185 times over 24 hours by default) before the dead-letter queue.
   *
   * @default 10
   */
  readonly rateLimitPerSecond?: number;

  /**
   * Extra static HTTP headers of every call (secret headers belong on the connection). The body carries the
   * EventBridge event id, which stays the same across EventBridge's retries.
   *
   * @default - no extra headers
   */
  readonly headers?: { [name: string]: string };
}

/**
 * How a blueprint delivers to an external system (`ErrorToTicket`: the ticketing system; `SaasCrmToMarketing`: the
 * marketing tool): a Lambda function, or an EventBridge API destination with no code.
 */
export class HandlerDelivery {
  /**
   * A Lambda function calls the external system: the blueprint's default function (deduplication or idempotency,
   * retries, the secret with the endpoint and credentials) or yours.
   *
   * @param options the function, its secret and HTTP settings
   */
  public static viaLambda(options: LambdaDeliveryOptions = {}): HandlerDelivery {
    return new HandlerDelivery('lambda', options, undefined);
  }

  /**
   * EventBridge calls the external system itself through an API destination and a connection, with no code: an
   * input transformer shapes the body, and EventBridge retries 429 and 5xx answers within the route's retry policy.
   *
   * @param options the endpoint, its authorization and rate limit
   */
  public static viaApiDestination(options: ApiDestinationDeliveryOptions): HandlerDelivery {
    return new HandlerDelivery('apiDestination', undefined, options);
  }

  /** The kind of delivery: `lambda` or `apiDestination`. */
  public readonly kind: string;

  /** The options of a Lambda delivery, undefined for another kind. */
  public readonly lambdaOptions?: LambdaDeliveryOptions;

  /** The options of an API destination delivery, undefined for another kind. */
  public readonly apiDestinationOptions?: ApiDestinationDeliveryOptions;

  protected constructor(kind: string, lambdaOptions?: LambdaDeliveryOptions, apiDestinationOptions?: ApiDestinationDeliveryOptions) {
    this.kind = kind;
    this.lambdaOptions = lambdaOptions;
    this.apiDestinationOptions = apiDestinationOptions;
  }

  /**
   * The names of the factories the user called, for error messages: the deprecated blueprint-specific class's
   * (`TicketDelivery.lambda()`) or this one's.
   *
   * @internal
   */
  public _factoryNames(): { readonly lambda: string; readonly apiDestination: string } {
    return { lambda: 'HandlerDelivery.viaLambda()', apiDestination: 'HandlerDelivery.viaApiDestination()' };
  }
}
