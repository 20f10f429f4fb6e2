import { Duration, aws_events as events, aws_lambda as lambda } from 'aws-cdk-lib';

/**
 * Options of the Lambda delivery of `ErrorToTicket`.
 */
export interface LambdaTicketDeliveryOptions {
  /**
   * The function that opens the tickets, instead of the default one.
   *
   * It receives the matched EventBridge events unchanged (application `ErrorReported` events and CloudWatch
   * `CloudWatch Alarm State Change` events) and gets no environment variables from the blueprint: it must read its
   * own configuration. When it has a role, it is granted read access to `ticketingSecret` and read-write access to
   * the deduplication table (`PutItem`, `UpdateItem`, `DeleteItem`, `GetItem`); give it their names yourself,
   * e.g. as `TICKETING_SECRET_ARN` and `DEDUP_TABLE_NAME` like the default handler.
   *
   * @default - the blueprint's `OpenTicketFunction` (Node.js 24, 256 MB, X-Ray, JSON logs kept one year,
   * failed asynchronous invocations to an SQS on-failure destination)
   */
  readonly handler?: lambda.IFunction;

  /**
   * How long the default function waits for the ticketing system before it gives up (and EventBridge/Lambda retry).
   * Between 1 second and 10 minutes. The function's timeout is this plus 20 seconds (at least 30 seconds).
   *
   * Only for the default function (`HTTP_TIMEOUT_MS`).
   *
   * @default Duration.seconds(5)
   */
  readonly httpTimeout?: Duration;
}

/**
 * Options of the API destination delivery of `ErrorToTicket`.
 */
export interface ApiDestinationTicketDeliveryOptions {
  /**
   * The HTTPS URL of the ticketing system's "create ticket" endpoint. EventBridge only calls HTTPS endpoints.
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
   * OAuth client credentials). Keep the credentials out of your code: `SecretValue.secretsManager(...)`.
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
   * At most this many calls per second to the ticketing system (1 to 300); events beyond it wait and are retried by
   * EventBridge, within the route's retry policy.
   *
   * @default 10
   */
  readonly rateLimitPerSecond?: number;

  /**
   * Extra static HTTP headers of every call (secret headers belong on the connection). The ticket body carries
   * the EventBridge event id as `eventId`, which stays the same across EventBridge's retries.
   *
   * @default - no extra headers
   */
  readonly headers?: { [name: string]: string };
}

/**
 * How `ErrorToTicket` delivers tickets to the ticketing system.
 */
export class TicketDelivery {
  /**
   * A Lambda function opens the tickets: it deduplicates errors by fingerprint in a DynamoDB table (one ticket
   * per fingerprint and `dedupWindow`), reads the endpoint and credentials from `ticketingSecret` and calls the
   * ticketing system's HTTP API.
   *
   * @param options the function and its HTTP timeout
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
   */
  public static apiDestination(options: ApiDestinationTicketDeliveryOptions): TicketDelivery {
    return new TicketDelivery('apiDestination', undefined, options);
  }

  /** The kind of delivery: `lambda` or `apiDestination`. */
  public readonly kind: string;

  /** The options of a Lambda delivery, undefined for another kind. */
  public readonly lambdaOptions?: LambdaTicketDeliveryOptions;

  /** The options of an API destination delivery, undefined for another kind. */
  public readonly apiDestinationOptions?: ApiDestinationTicketDeliveryOptions;

  private constructor(kind: string, lambdaOptions?: LambdaTicketDeliveryOptions, apiDestinationOptions?: ApiDestinationTicketDeliveryOptions) {
    this.kind = kind;
    this.lambdaOptions = lambdaOptions;
    this.apiDestinationOptions = apiDestinationOptions;
  }
}
