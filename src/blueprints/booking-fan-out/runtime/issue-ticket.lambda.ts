/**
 * Booking fan-out: issue one e-ticket per passenger.
 *
 * Input (cut out of `BookingConfirmed` by the rule's input transformer): `{ bookingId, flight, passengers }`.
 * Effect: writes the tickets (deterministic numbers `<bookingId>-NN`) to the tickets table in one transaction,
 * then emits `TicketsIssued { bookingId, flight, tickets: [{ ticketNumber, firstName, lastName }] }`.
 * Returns `{ status: 'issued', bookingId, ticketNumbers }`.
 *
 * Idempotent: Powertools `makeIdempotent` keyed on `bookingId` returns the stored result for a redelivery;
 * below it, the writes themselves are idempotent (same keys, same values, `issuedAt` kept from the first
 * write), so even a retry after a lost idempotency record issues no new ticket.
 *
 * Environment: TICKETS_TABLE_NAME (pk `bookingId` S, sk `ticketNumber` S), IDEMPOTENCY_TABLE_NAME,
 * EVENT_BUS_NAME, EVENT_SOURCE, EVENT_MAX_ENTRY_BYTES (optional), POWERTOOLS_SERVICE_NAME (optional).
 */
import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { ENV, TICKETS_ISSUED as TICKETS_ISSUED_CONTRACT } from '../contract';
import { issueTickets, parseIssueTicketInput } from './booking';
import type { IssueTicketInput } from './booking';
import type { EventPublisher } from '../../../runtime/publisher';
import type { Env } from '../../runtime-shared/env';
import { requireEnv } from '../../runtime-shared/env';
import { createLogger, idempotencyConfig, idempotencyStore, lazyHandler, publisherFromEnv } from '../../runtime-shared/runtime';
import { InvalidEventError } from '../../runtime-shared/validation';

export const TICKETS_ISSUED = TICKETS_ISSUED_CONTRACT.detailType;

export interface IssueTicketResult {
  readonly status: 'issued';
  readonly bookingId: string;
  readonly ticketNumbers: string[];
}

export interface IssueTicketConfig {
  readonly ticketsTableName: string;
  readonly idempotencyTableName: string;
}

export interface IssueTicketDeps {
  readonly dynamoDb: DynamoDBClient;
  readonly publisher: EventPublisher;
  readonly logger?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
}

export function issueTicketConfigFromEnv(env: Env): IssueTicketConfig {
  return { ticketsTableName: requireEnv(env, ENV.ticketsTableName), idempotencyTableName: requireEnv(env, ENV.idempotencyTableName) };
}

export function createIssueTicketHandler(config: IssueTicketConfig, deps: IssueTicketDeps) {
  const logger = deps.logger ?? createLogger('booking-fan-out');
  const now = deps.now ?? Date.now;
  const doc = DynamoDBDocumentClient.from(deps.dynamoDb);

  async function issue(input: IssueTicketInput, _context: Context): Promise<IssueTicketResult> {
    const tickets = issueTickets(input);
    const issuedAt = new Date(now()).toISOString();
    await doc.send(new TransactWriteCommand({
      TransactItems: tickets.map((t) => ({
        Update: {
          TableName: config.ticketsTableName,
          Key: { bookingId: input.bookingId, ticketNumber: t.ticketNumber },
          UpdateExpression: 'SET passengerIndex = :idx, firstName = :first, lastName = :last, flight = :flight, '
            + 'issuedAt = if_not_exists(issuedAt, :issuedAt)',
          ExpressionAttributeValues: {
            ':idx': t.passengerIndex, ':first': t.firstName, ':last': t.lastName, ':flight': input.flight, ':issuedAt': issuedAt,
          },
        },
      })),
    }));
    await deps.publisher.publish([{
      detailType: TICKETS_ISSUED,
      detail: {
        bookingId: input.bookingId,
        flight: input.flight,
        tickets: tickets.map((t) => ({ ticketNumber: t.ticketNumber, firstName: t.firstName, lastName: t.lastName })),
      },
    }]);
    logger.info('Tickets issued', { bookingId: input.bookingId, count: tickets.length });
    return { status: 'issued', bookingId: input.bookingId, ticketNumbers: tickets.map((t) => t.ticketNumber) };
  }

  const idempotentIssue = makeIdempotent(issue, {
    persistenceStore: idempotencyStore(config.idempotencyTableName, deps.dynamoDb),
    config: idempotencyConfig('bookingId'),
  });

  return async function issueTicket(event: unknown, context: Context): Promise<IssueTicketResult> {
    let input: IssueTicketInput;
    try {
      input = parseIssueTicketInput(event);
    } catch (err) {
      if (err instanceof InvalidEventError) logger.error('Rejected malformed issue-ticket input', { problems: err.problems });
      throw err;
    }
    return idempotentIssue(input, context);
  };
}

/** Lambda entry point: builds clients and configuration from the environment on first use. */
export const handler = lazyHandler(() => createIssueTicketHandler(issueTicketConfigFromEnv(process.env), {
  dynamoDb: new DynamoDBClient({}),
  publisher: publisherFromEnv(process.env, new EventBridgeClient({})),
}));
