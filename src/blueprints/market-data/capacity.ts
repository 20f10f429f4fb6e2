/**
 * The market-data blueprint's capacity check at synth: a declared peak tick rate against EventBridge's default
 * quotas of the stack's Region and the PutEvents entry size. Pure functions and data; the construct turns the
 * findings into warnings.
 *
 * Default quotas of Custom Event Bus - Classic, per account and Region, from the EventBridge user guide's quota page
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html, read 2026-11-30). Both are adjustable
 * in Service Quotas, so they are warnings, not errors.
 */

/** Service Quotas code of "PutEvents throttle limit in transactions per second" (requests, up to 10 entries each). */
const PUT_EVENTS_QUOTA_CODE = 'L-9B653E91';
/** Service Quotas code of "Invocations throttle limit in transactions per second" (an event matched and sent to a target). */
const INVOCATIONS_QUOTA_CODE = 'L-5540C5E3';

/** PutEvents requests per second, by Region; `other` for "each of the other supported Regions". */
export const PUT_EVENTS_TPS: Readonly<Record<string, number>> = {
  'us-east-1': 10_000,
  'us-east-2': 2_400,
  'us-west-1': 1_200,
  'us-west-2': 10_000,
  'ap-east-1': 600,
  'ap-northeast-1': 1_200,
  'ap-northeast-2': 600,
  'ap-south-1': 600,
  'ap-southeast-1': 1_200,
  'ap-southeast-2': 1_200,
  'ca-central-1': 600,
  'eu-central-1': 2_400,
  'eu-north-1': 600,
  'eu-south-2': 2_400,
  'eu-west-1': 10_000,
  'eu-west-2': 1_200,
  'eu-west-3': 600,
  'sa-east-1': 600,
  'other': 400,
};

/** Target invocations per second, by Region; `other` for "each of the other supported Regions". */
export const INVOCATIONS_TPS: Readonly<Record<string, number>> = {
  'us-east-1': 18_750,
  'us-east-2': 4_500,
  'us-west-1': 2_250,
  'us-west-2': 18_750,
  'ap-east-1': 1_100,
  'ap-northeast-1': 2_250,
  'ap-northeast-2': 1_100,
  'ap-south-1': 1_100,
  'ap-southeast-1': 2_250,
  'ap-southeast-2': 2_250,
  'ca-central-1': 1_100,
  'eu-central-1': 4_500,
  'eu-north-1': 1_100,
  'eu-south-2': 4_500,
  'eu-west-1': 18_750,
  'eu-west-2': 2_250,
  'eu-west-3': 1_100,
  'sa-east-1': 1_100,
  'other': 750,
};

/** The PutEvents entry size the blueprint plans for: 256 KB (larger entries need a bus that accepts 1 MB). */
const ENTRY_SIZE_LIMIT_BYTES = 256 * 1024;
/** A PutEvents request holds at most 10 entries. */
const ENTRIES_PER_PUT_EVENTS = 10;
/**
 * Bytes EventBridge counts for a `MarketTick` entry besides the tick itself: `Time` (14), `Source` and `DetailType`
 * (the blueprint's, at most a few dozen). 256 leaves room for long sources.
 */
const ENTRY_OVERHEAD_BYTES = 256;

/** What the check needs to know. */
export interface CapacityInput {
  /** The stack's Region, or undefined when the stack is environment-agnostic. */
  readonly region?: string;
  /** Ticks per second at peak, after the pipe's filter. */
  readonly peakTicksPerSecond: number;
  /** The largest tick payload, bytes. */
  readonly maxTickBytes: number;
  /** The pipe's batch size (ticks per PutEvents request of the pipe). */
  readonly pipeBatchSize: number;
}

/** One finding: a warning id and its text. */
export interface CapacityFinding {
  readonly id: string;
  readonly message: string;
}

/** The quotas used for a Region, and how they were chosen (for the messages). */
export function quotasFor(region: string | undefined): { putEvents: number; invocations: number; where: string } {
  if (region === undefined) {
    return {
      putEvents: PUT_EVENTS_TPS.other,
      invocations: INVOCATIONS_TPS.other,
      where: 'the lowest Regional default (the stack has no Region at synth; give it an env to check its own)',
    };
  }
  const known = PUT_EVENTS_TPS[region] !== undefined;
  return {
    putEvents: PUT_EVENTS_TPS[region] ?? PUT_EVENTS_TPS.other,
    invocations: INVOCATIONS_TPS[region] ?? INVOCATIONS_TPS.other,
    where: known ? `the default of ${region}` : `the default of ${region} ("each of the other supported Regions")`,
  };
}

/**
 * The blueprint's EventBridge load at the declared peak:
 * - PutEvents requests: the pipe's (one per batch of `pipeBatchSize` ticks) plus the consumer's
 *   `AlgorithmParametersUpdated` events, at most one per tick, 10 per request;
 * - invocations: one per tick (the routing rule's Kinesis target).
 */
export function loadAtPeak(input: CapacityInput): { putEventsRequests: number; invocations: number } {
  const peak = input.peakTicksPerSecond;
  return {
    putEventsRequests: Math.ceil(peak / input.pipeBatchSize) + Math.ceil(peak / ENTRIES_PER_PUT_EVENTS),
    invocations: Math.ceil(peak),
  };
}

/** Every quota the declared peak would exceed. */
export function capacityFindings(input: CapacityInput): CapacityFinding[] {
  const findings: CapacityFinding[] = [];
  const quotas = quotasFor(input.region);
  const load = loadAtPeak(input);
  if (load.putEventsRequests > quotas.putEvents) {
    findings.push({
      id: 'cdk-eventbridge-blueprints:marketDataPutEventsQuota',
      message: `At the declared peak of ${input.peakTicksPerSecond} ticks/s the blueprint sends about ${load.putEventsRequests} PutEvents requests/s `
        + `(the pipe's batches of ${input.pipeBatchSize} plus the AlgorithmParametersUpdated events, 10 per request), above the EventBridge quota `
        + `"PutEvents throttle limit in transactions per second" (${PUT_EVENTS_QUOTA_CODE}) of ${quotas.putEvents}/s, ${quotas.where}. `
        + 'The quota is per account and Region and shared with every other producer; throttled requests are retried and ticks arrive late. '
        + 'Request an increase in Service Quotas, or lower the rate with the pipe\'s payload filter.',
    });
  }
  if (load.invocations > quotas.invocations) {
    findings.push({
      id: 'cdk-eventbridge-blueprints:marketDataInvocationsQuota',
      message: `At the declared peak of ${input.peakTicksPerSecond} ticks/s the routing rule makes about ${load.invocations} target invocations/s, `
        + `above the EventBridge quota "Invocations throttle limit in transactions per second" (${INVOCATIONS_QUOTA_CODE}) of ${quotas.invocations}/s, `
        + `${quotas.where}. Throttled invocations are delayed, so parameters lag the market. Request an increase in Service Quotas.`,
    });
  }
  const entryBytes = input.maxTickBytes + ENTRY_OVERHEAD_BYTES;
  if (entryBytes > ENTRY_SIZE_LIMIT_BYTES) {
    findings.push({
      id: 'cdk-eventbridge-blueprints:marketDataEntrySize',
      message: `A tick of the declared maxTickSize (${input.maxTickBytes} bytes) makes a PutEvents entry of about ${entryBytes} bytes, above `
        + `the 256 KB (${ENTRY_SIZE_LIMIT_BYTES} bytes) PutEvents entry size: the pipe cannot put it on the bus and reports it to its dead-letter queue. `
        + 'Keep ticks small (they are usually well under 1 KB) or put large payloads elsewhere and send a reference.',
    });
  }
  return findings;
}
