import { aws_events as events } from 'aws-cdk-lib';
import { delimit } from '../private/jsonata-text';
import { renderEventPattern } from '../private/render-pattern';

/**
 * The part of an event a subscriber filter examines.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-filtering.html
 */
export enum FilterScope {
  /**
   * The event data: for `PutEvents`, the EventBridge envelope (`source`, `detail-type`, `detail`, ...); for
   * `PutRawEvents`, the payload as sent.
   */
  DATA = 'DATA',
  /** The key-value pairs a producer set with `PutRawEvents`. Exact values only. */
  METADATA = 'METADATA',
  /** The fields EventBridge sets: `ContentType`, `aws:Source`, `aws:DetailType`, `EventGroupId`, ... */
  SYSTEM_METADATA = 'SYSTEM_METADATA',
}

/**
 * One filter of a subscriber: an event pattern and the scope it examines. An event must match every filter; a
 * subscriber has at most one filter per scope. Subscriber filters do not support wildcards, and `METADATA`
 * filters match exact values only: both are checked at synth.
 */
export class SubscriberFilter {
  /**
   * A filter on the event data, in EventBridge's JSON form (`"detail-type"`, not `detailType`). For `PutEvents`
   * traffic a Classic rule's pattern carries over unchanged.
   */
  public static data(pattern: { [key: string]: any }): SubscriberFilter {
    return new SubscriberFilter(FilterScope.DATA, pattern);
  }

  /**
   * A filter on the event data written as an aws-cdk-lib `EventPattern` (`detailType` becomes `detail-type`).
   */
  public static fromEventPattern(pattern: events.EventPattern): SubscriberFilter {
    return new SubscriberFilter(FilterScope.DATA, renderEventPattern(pattern));
  }

  /** A filter on the producer's metadata keys (`PutRawEvents`): exact values only, e.g. `{ tenant: ['acme'] }`. */
  public static metadata(pattern: { [key: string]: any }): SubscriberFilter {
    return new SubscriberFilter(FilterScope.METADATA, pattern);
  }

  /** A filter on the fields EventBridge sets, e.g. `{ 'aws:Source': ['aws.s3'] }`. */
  public static systemMetadata(pattern: { [key: string]: any }): SubscriberFilter {
    return new SubscriberFilter(FilterScope.SYSTEM_METADATA, pattern);
  }

  private constructor(
    /** The scope. */
    public readonly scope: FilterScope,
    /** The event pattern. */
    public readonly pattern: { [key: string]: any },
  ) {}
}

/**
 * What the target receives.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-transform.html
 */
export class SubscriberTransformer {
  /** The published data, unchanged (EventBridge's default). */
  public static readonly RAW = new SubscriberTransformer('RAW');

  /** A JSON envelope with `Data`, `Metadata` and `SystemMetadata`. */
  public static readonly WITH_METADATA = new SubscriberTransformer('WITH_METADATA');

  /**
   * The result of a JSONata expression that reads the event as `$events` (`$events.Data.detail.orderId` for
   * `PutEvents`). Give the expression with or without its `{% %}` delimiters; it is parsed at synth.
   */
  public static jsonata(expression: string): SubscriberTransformer {
    return new SubscriberTransformer('JSONATA', delimit(expression));
  }

  private constructor(
    /** `RAW`, `WITH_METADATA` or `JSONATA`. */
    public readonly type: string,
    /**
     * The expression, with its `{% %}` delimiters.
     *
     * @default - not a JSONata transformer
     */
    public readonly expression?: string,
  ) {}
}

/**
 * How a subscriber orders its deliveries.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-ordering.html
 */
export enum SubscriberOrdering {
  /** In parallel, for the highest throughput. */
  UNORDERED = 'UNORDERED',
  /**
   * In publish order within an event group (`SystemMetadata.EventGroupId`): an event that cannot be delivered holds
   * up the later events of its group while it is retried.
   */
  FIFO = 'FIFO',
}

/**
 * Where a new subscriber starts reading the bus.
 */
export class StartingPosition {
  /** Only events published after the subscriber exists. */
  public static readonly LATEST = new StartingPosition('LATEST');

  /**
   * The oldest event the bus still retains.
   *
   * @param end stop delivering at this time
   * @default - no end
   */
  public static horizon(end?: Date): StartingPosition {
    return new StartingPosition('POINT_IN_TIME', 'HORIZON', undefined, end);
  }

  /**
   * Events from a point in time within the bus's retention.
   *
   * @param start the first publish time to deliver
   * @param end stop delivering at this time
   * @default - no end
   */
  public static timestamp(start: Date, end?: Date): StartingPosition {
    return new StartingPosition('POINT_IN_TIME', 'TIMESTAMP', start, end);
  }

  private constructor(
    /** `LATEST` or `POINT_IN_TIME`. */
    public readonly position: string,
    /**
     * `HORIZON` or `TIMESTAMP`.
     *
     * @default - LATEST
     */
    public readonly pointType?: string,
    /**
     * The start.
     *
     * @default - not a timestamp position
     */
    public readonly start?: Date,
    /**
     * The end.
     *
     * @default - no end
     */
    public readonly end?: Date,
  ) {}
}

/**
 * How much a subscriber logs about its deliveries. Records go to a CloudWatch Logs vended-log delivery that you
 * set up for the subscriber.
 */
export enum SubscriberLogLevel {
  /** No records. */
  OFF = 'OFF',
  /** Failed delivery attempts. */
  ERROR = 'ERROR',
  /** Every delivery attempt. */
  INFO = 'INFO',
}
