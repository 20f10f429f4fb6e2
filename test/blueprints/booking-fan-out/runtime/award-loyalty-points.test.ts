import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { LIMITS } from '../../../../src/blueprints/booking-fan-out/contract';
import {
  AwardedBookingsFullError, createAwardLoyaltyPointsHandler,
} from '../../../../src/blueprints/booking-fan-out/runtime/award-loyalty-points.lambda';
import { silentLogger } from '../../runtime-shared/silent-logger';

// The handler talks through the document client; its exceptions keep DynamoDB's raw attribute values.
const dynamo = mockClient(DynamoDBDocumentClient);
const input = { bookingId: 'BK-1', memberId: 'M-1', fareAmount: 199.99, currency: 'EUR' };

function handler() {
  return createAwardLoyaltyPointsHandler({ loyaltyTableName: 'loyalty', pointsPerCurrencyUnit: 2 }, {
    dynamoDb: new DynamoDBClient({ region: 'eu-west-1' }), logger: silentLogger, now: () => Date.UTC(2026, 0, 1),
  });
}

function conditionFailed(awarded?: string[]) {
  return new ConditionalCheckFailedException({
    $metadata: {},
    message: 'The conditional request failed',
    ...(awarded ? { Item: { awardedBookingIds: { SS: awarded } } } : {}),
  });
}

beforeEach(() => dynamo.reset());

test('adds the points and the booking in one conditional update bounded by the set size', async () => {
  dynamo.on(UpdateCommand).resolves({ Attributes: { points: 1399 } });
  await expect(handler()(input)).resolves.toEqual({ status: 'awarded', bookingId: 'BK-1', memberId: 'M-1', points: 399, totalPoints: 1399 });
  const call = dynamo.commandCalls(UpdateCommand)[0].args[0].input;
  expect(call.ConditionExpression).toContain('size(awardedBookingIds) < :max');
  expect(call.ExpressionAttributeValues?.[':max']).toBe(LIMITS.maxAwardedBookingsPerMember);
  expect(call.Key).toEqual({ memberId: 'M-1' });
});

test('a redelivered booking is a duplicate', async () => {
  dynamo.on(UpdateCommand).rejects(conditionFailed(['BK-0', 'BK-1']));
  await expect(handler()(input)).resolves.toEqual({ status: 'duplicate', bookingId: 'BK-1', memberId: 'M-1' });
});

test('throws when the member\'s set of awarded bookings is full (not a duplicate)', async () => {
  const full = Array.from({ length: LIMITS.maxAwardedBookingsPerMember }, (_, i) => `BK-OLD-${i}`);
  dynamo.on(UpdateCommand).rejects(conditionFailed(full));
  const attempt = handler()(input);
  await expect(attempt).rejects.toThrow(AwardedBookingsFullError);
  await expect(attempt).rejects.toThrow(`Loyalty member M-1 already has ${LIMITS.maxAwardedBookingsPerMember} awarded bookings`);
});

test('a fare of 1e20 is refused before DynamoDB is called', async () => {
  await expect(handler()({ ...input, fareAmount: 1e20 })).rejects.toThrow('input.fareAmount must be <= 1000000000, got 100000000000000000000');
  expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
});

test('no member id: nothing awarded, nothing called', async () => {
  await expect(handler()({ ...input, memberId: null })).resolves.toEqual({ status: 'skipped', bookingId: 'BK-1', reason: 'no loyalty member id' });
  expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
});
