import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createIssueTicketHandler } from '../../../../src/blueprints/booking-fan-out/runtime/issue-ticket.lambda';
import { createSendConfirmationEmailHandler } from '../../../../src/blueprints/booking-fan-out/runtime/send-confirmation-email.lambda';
import { ConflictingPayloadError } from '../../../../src/blueprints/runtime-shared/handler';
import { EventPublisher } from '../../../../src/runtime/publisher';
import { fakeIdempotencyTable } from '../../runtime-shared/fake-idempotency-table';
import { silentLogger } from '../../runtime-shared/silent-logger';

const table = fakeIdempotencyTable();
const doc = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const ses = mockClient(SESv2Client);
const context = { functionName: 'f', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const flight = { number: 'LH1234', origin: 'FRA', destination: 'JFK', departure: '2026-12-24T10:30:00Z' };

beforeEach(() => {
  table.reset();
  doc.reset();
  eventBridge.reset();
  ses.reset();
  doc.on(TransactWriteCommand).resolves({});
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});

describe('issue-ticket', () => {
  const issue = () => createIssueTicketHandler({ ticketsTableName: 'tickets', idempotencyTableName: 'idem' }, {
    dynamoDb: new DynamoDBClient({ region: 'eu-west-1' }),
    publisher: new EventPublisher({ client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'bus', source: 'com.example.ticketing' }),
    logger: silentLogger,
  });

  test('writes one ticket per passenger and announces TicketsIssued once per booking', async () => {
    const handler = issue();
    const input = { bookingId: 'BK-1', flight, passengers: [{ firstName: 'Ada', lastName: 'L' }, { firstName: 'Alan', lastName: 'T' }] };
    await expect(handler(input, context)).resolves.toEqual({ status: 'issued', bookingId: 'BK-1', ticketNumbers: ['BK-1-01', 'BK-1-02'] });
    await handler(input, context);
    expect(doc.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(doc.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems).toHaveLength(2);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  test('a reused bookingId with other passengers is refused', async () => {
    const handler = issue();
    await handler({ bookingId: 'BK-2', flight, passengers: [{ firstName: 'Ada', lastName: 'L' }] }, context);
    await expect(handler({ bookingId: 'BK-2', flight, passengers: [{ firstName: 'Eve', lastName: 'X' }] }, context))
      .rejects.toThrow(ConflictingPayloadError);
  });
});

describe('send-confirmation-email', () => {
  const send = () => createSendConfirmationEmailHandler({ senderAddress: 'bookings@example.com', idempotencyTableName: 'idem' }, {
    dynamoDb: new DynamoDBClient({ region: 'eu-west-1' }), ses: new SESv2Client({ region: 'eu-west-1' }), logger: silentLogger,
  });

  test('sends one email per booking', async () => {
    const handler = send();
    const input = { bookingId: 'BK-3', email: 'ada@example.com', name: 'Ada', flight };
    await expect(handler(input, context)).resolves.toEqual({ status: 'sent', bookingId: 'BK-3', messageId: 'm-1' });
    await handler(input, context);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(ses.commandCalls(SendEmailCommand)[0].args[0].input).toMatchObject({
      FromEmailAddress: 'bookings@example.com', Destination: { ToAddresses: ['ada@example.com'] },
    });
  });

  test('a reused bookingId with another address is refused, not silently skipped', async () => {
    const handler = send();
    await handler({ bookingId: 'BK-4', email: 'ada@example.com', name: 'Ada', flight }, context);
    await expect(handler({ bookingId: 'BK-4', email: 'eve@example.com', name: 'Eve', flight }, context)).rejects.toThrow(ConflictingPayloadError);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });
});
