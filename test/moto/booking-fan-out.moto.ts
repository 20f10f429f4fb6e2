/** The booking fan-out handlers against moto: DynamoDB, SESv2, EventBridge and Powertools idempotency. */
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { createCapturedBus, createIdempotencyTable, createTable, fakeLambdaContext, motoModelData, silencePowertools } from './aws-fixtures';
import type { CapturedBus } from './aws-fixtures';
import { useMoto } from './moto-server';
import { createAwardLoyaltyPointsHandler } from '../../src/blueprints/booking-fan-out/runtime/award-loyalty-points.lambda';
import { createIssueTicketHandler } from '../../src/blueprints/booking-fan-out/runtime/issue-ticket.lambda';
import { createSendConfirmationEmailHandler } from '../../src/blueprints/booking-fan-out/runtime/send-confirmation-email.lambda';
import { EventPublisher } from '../../src/runtime/publisher';

silencePowertools();

const TICKETS = 'tickets';
const LOYALTY = 'loyalty';
const IDEMPOTENCY = 'idempotency';
const SOURCE = 'com.example.booking';
const SENDER = 'bookings@example.com';
const flight = { number: 'LH1234', origin: 'FRA', destination: 'JFK', departure: '2026-12-24T10:30:00Z' };

const moto = useMoto();
let ddb: DynamoDBClient;
let bus: CapturedBus;

beforeEach(async () => {
  await moto.reset();
  ddb = new DynamoDBClient({});
  await createTable(ddb, TICKETS, 'bookingId', 'ticketNumber');
  await createTable(ddb, LOYALTY, 'memberId');
  await createIdempotencyTable(ddb, IDEMPOTENCY);
  bus = await createCapturedBus('booking-bus', [SOURCE]);
});

describe('issue-ticket', () => {
  const makeHandler = () => createIssueTicketHandler({ ticketsTableName: TICKETS, idempotencyTableName: IDEMPOTENCY }, {
    dynamoDb: ddb,
    publisher: new EventPublisher({ client: new EventBridgeClient({}), eventBusName: bus.busName, source: SOURCE }),
  });
  const input = { bookingId: 'BK-1', flight, passengers: [{ firstName: 'Ada', lastName: 'Lovelace' }, { firstName: 'Alan', lastName: 'Turing' }] };

  const tickets = async () => (await ddb.send(new QueryCommand({
    TableName: TICKETS, KeyConditionExpression: 'bookingId = :b', ExpressionAttributeValues: { ':b': { S: 'BK-1' } },
  }))).Items ?? [];

  test('writes one ticket per passenger and emits TicketsIssued', async () => {
    const result = await makeHandler()(input, fakeLambdaContext());
    expect(result).toEqual({ status: 'issued', bookingId: 'BK-1', ticketNumbers: ['BK-1-01', 'BK-1-02'] });
    const items = await tickets();
    expect(items.map((i) => [i.ticketNumber.S, i.firstName.S, i.lastName.S])).toEqual([['BK-1-01', 'Ada', 'Lovelace'], ['BK-1-02', 'Alan', 'Turing']]);
    expect(items[0].flight.M?.number.S).toBe('LH1234');
    const events = await bus.drain();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ 'detail-type': 'TicketsIssued', 'detail': { bookingId: 'BK-1', tickets: [{ ticketNumber: 'BK-1-01' }, { ticketNumber: 'BK-1-02' }] } });
  });

  test('a redelivery issues nothing new and emits nothing', async () => {
    const handle = makeHandler();
    const first = await handle(input, fakeLambdaContext());
    const issuedAt = (await tickets())[0].issuedAt.S;
    expect(await handle(input, fakeLambdaContext())).toEqual(first);
    expect(await tickets()).toHaveLength(2);
    expect((await tickets())[0].issuedAt.S).toBe(issuedAt);
    expect(await bus.drain()).toHaveLength(1);
  });

  test('without the idempotency record, a retry rewrites the same tickets (deterministic numbers)', async () => {
    await makeHandler()(input, fakeLambdaContext());
    process.env.POWERTOOLS_IDEMPOTENCY_DISABLED = 'true';
    try {
      await makeHandler()(input, fakeLambdaContext());
    } finally {
      delete process.env.POWERTOOLS_IDEMPOTENCY_DISABLED;
    }
    expect((await tickets()).map((i) => i.ticketNumber.S)).toEqual(['BK-1-01', 'BK-1-02']);
  });

  test('rejects an event envelope (the input transformer is missing)', async () => {
    await expect(makeHandler()({ 'detail-type': 'BookingConfirmed', 'detail': input }, fakeLambdaContext())).rejects.toThrow(/Invalid issue-ticket input \(non-retryable/);
  });
});

describe('send-confirmation-email', () => {
  const makeHandler = () => createSendConfirmationEmailHandler({ senderAddress: SENDER, idempotencyTableName: IDEMPOTENCY }, {
    dynamoDb: ddb,
    ses: new SESv2Client({}),
  });
  const input = { bookingId: 'BK-2', email: 'ada@example.com', name: 'Ada Lovelace', flight };

  /** moto has no SESv2 API to list sent mail: read its model dump. */
  const sentMessages = async () => (await motoModelData(moto.endpoint)).ses?.Message ?? [];

  beforeEach(async () => {
    await new SESv2Client({}).send(new CreateEmailIdentityCommand({ EmailIdentity: SENDER }));
  });

  test('sends one email; a redelivery of the same booking sends nothing', async () => {
    const handle = makeHandler();
    const first = await handle(input, fakeLambdaContext());
    expect(first).toMatchObject({ status: 'sent', bookingId: 'BK-2' });
    expect(first.messageId).not.toBe('unknown');
    expect(await handle(input, fakeLambdaContext())).toEqual(first);
    const messages = await sentMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ source: SENDER, subject: 'Booking BK-2 confirmed: LH1234 FRA to JFK' });
    expect(JSON.stringify(messages[0].destinations)).toContain('ada@example.com');
  });

  test('another booking sends another email', async () => {
    const handle = makeHandler();
    await handle(input, fakeLambdaContext());
    await handle({ ...input, bookingId: 'BK-3' }, fakeLambdaContext());
    expect(await sentMessages()).toHaveLength(2);
  });

  test('an SES rejection fails the invocation and a retry can send (no idempotency record kept)', async () => {
    const handle = createSendConfirmationEmailHandler({ senderAddress: 'unverified@nowhere.example', idempotencyTableName: IDEMPOTENCY }, {
      dynamoDb: ddb, ses: new SESv2Client({}),
    });
    await expect(handle(input, fakeLambdaContext())).rejects.toThrow(/not verified/);
    await expect(makeHandler()(input, fakeLambdaContext())).resolves.toMatchObject({ status: 'sent' });
  });
});

describe('award-loyalty-points', () => {
  const makeHandler = (pointsPerCurrencyUnit?: number) =>
    createAwardLoyaltyPointsHandler({ loyaltyTableName: LOYALTY, pointsPerCurrencyUnit }, { dynamoDb: ddb });
  const member = async (memberId: string) =>
    (await ddb.send(new GetItemCommand({ TableName: LOYALTY, Key: { memberId: { S: memberId } }, ConsistentRead: true }))).Item;

  test('awards floor(fare * rate) points once per booking', async () => {
    const handle = makeHandler(2);
    const input = { bookingId: 'BK-4', memberId: 'M-1', fareAmount: 199.99, currency: 'EUR' };
    expect(await handle(input)).toEqual({ status: 'awarded', bookingId: 'BK-4', memberId: 'M-1', points: 399, totalPoints: 399 });
    expect(await handle(input)).toEqual({ status: 'duplicate', bookingId: 'BK-4', memberId: 'M-1' });
    expect(await handle({ ...input, bookingId: 'BK-5', fareAmount: 10 })).toMatchObject({ status: 'awarded', points: 20, totalPoints: 419 });
    const item = await member('M-1');
    expect(item?.points.N).toBe('419');
    expect(item?.awardedBookingIds.SS?.sort()).toEqual(['BK-4', 'BK-5']);
  });

  test('defaults to 1 point per currency unit', async () => {
    await expect(makeHandler()({ bookingId: 'BK-6', memberId: 'M-2', fareAmount: 99.9, currency: 'USD' })).resolves.toMatchObject({ points: 99 });
  });

  test('a customer without loyalty id is skipped', async () => {
    await expect(makeHandler()({ bookingId: 'BK-7', memberId: null, fareAmount: 50, currency: 'EUR' }))
      .resolves.toEqual({ status: 'skipped', bookingId: 'BK-7', reason: 'no loyalty member id' });
  });

  test('a malformed input throws a non-retryable error', async () => {
    await expect(makeHandler()({ bookingId: 'BK-8', memberId: 'M-1', fareAmount: 'a lot', currency: 'EUR' })).rejects.toThrow(/non-retryable.*fareAmount/);
  });
});
