/**
 * Booking fan-out: award loyalty points for a booking.
 *
 * Input (cut out of `BookingConfirmed` by the rule's input transformer): `{ bookingId, memberId, fareAmount, currency }`.
 * `memberId` null, missing or "" (the customer has no `loyaltyId`) is not an error: nothing is awarded.
 * Points = floor(fareAmount * POINTS_PER_CURRENCY_UNIT); no currency conversion.
 * Returns `{ status: 'awarded', bookingId, memberId, points, totalPoints } | { status: 'duplicate', bookingId, memberId }
 *   | { status: 'skipped', bookingId, reason }`.
 *
 * Idempotent per booking without a separate idempotency table: ONE conditional UpdateItem adds the points
 * and the booking id to the member's `awardedBookingIds` string set, on condition that the set does not
 * contain it yet. The guard and the increment are atomic, so a redelivery (however late) awards nothing.
 * The set is bounded (contract LIMITS.maxAwardedBookingsPerMember): a member over the bound gets an
 * `AwardedBookingsFullError` (the event goes to the on-failure queue and its alarm) instead of an item that
 * grows towards DynamoDB's 400 KB limit.
 *
 * Environment: LOYALTY_TABLE_NAME (pk `memberId` S; attributes `points` N, `awardedBookingIds` SS),
 * POINTS_PER_CURRENCY_UNIT (optional, default 1), POWERTOOLS_SERVICE_NAME (optional).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { ENV, LIMITS } from '../contract';
import { loyaltyPoints, parseLoyaltyInput } from './booking';
import type { LoyaltyConsumerInput } from './contract.generated';
import type { Env } from '../../runtime-shared/env';
import { numberEnv, requireEnv } from '../../runtime-shared/env';
import { blueprintHandler } from '../../runtime-shared/handler';
import { createLogger, createTracer, lazyHandler } from '../../runtime-shared/runtime';

/** The member's `awardedBookingIds` set holds its maximum: archive old booking ids, then redrive the event. */
export class AwardedBookingsFullError extends Error {
  public readonly retryable = false;
  constructor(public readonly memberId: string, public readonly count: number) {
    super(`Loyalty member ${memberId} already has ${count} awarded bookings, the maximum of ${LIMITS.maxAwardedBookingsPerMember}; `
      + 'archive old entries of awardedBookingIds, then redrive the event from the on-failure queue');
    this.name = 'AwardedBookingsFullError';
  }
}

type AwardLoyaltyPointsResult =
  | { status: 'awarded'; bookingId: string; memberId: string; points: number; totalPoints: number }
  | { status: 'duplicate'; bookingId: string; memberId: string }
  | { status: 'skipped'; bookingId: string; reason: string };

export interface AwardLoyaltyPointsConfig {
  readonly loyaltyTableName: string;
  /** @default 1 */
  readonly pointsPerCurrencyUnit?: number;
}

export interface AwardLoyaltyPointsDeps {
  readonly dynamoDb: DynamoDBClient;
  readonly logger?: Logger;
  /** @default - no tracing */
  readonly tracer?: Tracer;
  /** @default Date.now */
  readonly now?: () => number;
}

function awardLoyaltyPointsConfigFromEnv(env: Env): AwardLoyaltyPointsConfig {
  return {
    loyaltyTableName: requireEnv(env, ENV.loyaltyTableName),
    pointsPerCurrencyUnit: numberEnv(env, ENV.pointsPerCurrencyUnit, LIMITS.pointsPerCurrencyUnit.default, LIMITS.pointsPerCurrencyUnit),
  };
}

export function createAwardLoyaltyPointsHandler(config: AwardLoyaltyPointsConfig, deps: AwardLoyaltyPointsDeps) {
  const logger = deps.logger ?? createLogger('booking-fan-out');
  const now = deps.now ?? Date.now;
  const doc = DynamoDBDocumentClient.from(deps.dynamoDb);
  const perUnit = config.pointsPerCurrencyUnit ?? 1;

  // Idempotent by its own conditional update (no idempotency table), so no Powertools idempotency here.
  const run = blueprintHandler<LoyaltyConsumerInput, AwardLoyaltyPointsResult>({
    what: 'award-loyalty-points input',
    logger,
    tracer: deps.tracer,
    parse: parseLoyaltyInput,
    logKeys: (input) => ({ bookingId: input.bookingId }),
    process: award,
  });
  return (event: unknown, context?: Context) => run(event, context as Context);

  async function award(input: LoyaltyConsumerInput): Promise<AwardLoyaltyPointsResult> {
    if (input.memberId === undefined) {
      logger.info('Customer is not a loyalty member; no points awarded', { bookingId: input.bookingId });
      return { status: 'skipped', bookingId: input.bookingId, reason: 'no loyalty member id' };
    }
    const points = loyaltyPoints(input.fareAmount, perUnit);
    try {
      const out = await doc.send(new UpdateCommand({
        TableName: config.loyaltyTableName,
        Key: { memberId: input.memberId },
        UpdateExpression: 'SET points = if_not_exists(points, :zero) + :points, updatedAt = :now ADD awardedBookingIds :booking',
        // The set is bounded (LIMITS.maxAwardedBookingsPerMember) so that the item stays far below 400 KB.
        ConditionExpression: 'attribute_not_exists(awardedBookingIds) OR (NOT contains(awardedBookingIds, :bookingId) AND size(awardedBookingIds) < :max)',
        ExpressionAttributeValues: {
          ':zero': 0,
          ':points': points,
          ':now': new Date(now()).toISOString(),
          ':booking': new Set([input.bookingId]),
          ':bookingId': input.bookingId,
          ':max': LIMITS.maxAwardedBookingsPerMember,
        },
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      const totalPoints = Number(out.Attributes?.points ?? points);
      logger.info('Loyalty points awarded', { bookingId: input.bookingId, memberId: input.memberId, points, totalPoints, currency: input.currency });
      return { status: 'awarded', bookingId: input.bookingId, memberId: input.memberId, points, totalPoints };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error | undefined)?.name === 'ConditionalCheckFailedException') {
        const awarded = (err as { Item?: { awardedBookingIds?: { SS?: string[] } } }).Item?.awardedBookingIds?.SS;
        if (awarded !== undefined && !awarded.includes(input.bookingId)) {
          // Not a duplicate: the member's set is full. Fail, so that the event reaches the on-failure queue and its alarm.
          throw new AwardedBookingsFullError(input.memberId, awarded.length);
        }
        logger.info('Points for this booking were already awarded', { bookingId: input.bookingId, memberId: input.memberId });
        return { status: 'duplicate', bookingId: input.bookingId, memberId: input.memberId };
      }
      throw err;
    }
  }
}

/** Lambda entry point: builds clients and configuration from the environment on first use. */
export const handler = lazyHandler(() => {
  const tracer = createTracer();
  return createAwardLoyaltyPointsHandler(awardLoyaltyPointsConfigFromEnv(process.env), {
    dynamoDb: tracer.captureAWSv3Client(new DynamoDBClient({})), tracer,
  });
});
