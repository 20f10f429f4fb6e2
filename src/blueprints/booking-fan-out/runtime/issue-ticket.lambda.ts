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
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { ENV, TICKETS_ISSUED as TICKETS_ISSUED_CONTRACT } from '../contract';
import { issueTickets, parseIssueTicketInput } from './booking';
import type { IssueTicketConsumerInput, TicketsIssuedDetail } from './contract.generated';
import type { EventPublisher } from '../../../runtime/publisher';
import type { Env } from '../../runtime-shared/env';
import { requireEnv } from '../../runtime-shared/env';
import { blueprintHandler } from '../../runtime-shared/handler';
import { createLogger, createTracer, idempotencyStore, lazyHandler, publisherFromEnv } from '../../runtime-shared/runtime';

const TICKETS_ISSUED = TICKETS_ISSUED_CONTRACT.detailType;

interface IssueTicketResult {
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
  /** @default - no tracing */
  readonly tracer?: Tracer;
  /** @default Date.now */
  readonly now?: () => number;
}

function issueTicketConfigFromEnv(env: Env): IssueTicketConfig {
  return { ticketsTableName: requireEnv(env, ENV.ticketsTableName), idempotencyTableName: requireEnv(env, ENV.idempotencyTableName) };
}

export function createIssueTicketHandler(config: IssueTicketConfig, deps: IssueTicketDeps) {
  const logger = deps.logger ?? createLogger('booking-fan-out');
  const now = deps.now ?? Date.now;
  const doc = DynamoDBDocumentClient.from(deps.dynamoDb);

  async function issue(input: IssueTicketConsumerInput, _context: Context): Promise<IssueTicketResult> {
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
      } satisfies TicketsIssuedDetail,
    }]);
    logger.info('Tickets issued', { bookingId: input.bookingId, count: tickets.length });
    return { status: 'issued', bookingId: input.bookingId, ticketNumbers: tickets.map((t) => t.ticketNumber) };
  }

  return blueprintHandler<IssueTicketConsumerInput, IssueTicketResult>({
    what: 'issue-ticket input',
    logger,
    tracer: deps.tracer,
    parse: parseIssueTicketInput,
    logKeys: (input) => ({ bookingId: input.bookingId }),
    idempotency: {
      persistenceStore: idempotencyStore(config.idempotencyTableName, deps.dynamoDb),
      keyPath: 'bookingId',
      keyOf: (input) => `bookingId ${input.bookingId}`,
    },
    process: issue,
  });
}

/** Lambda entry point: builds clients and configuration from the environment on first use. */
export const handler = lazyHandler(() => {
  const tracer = createTracer();
  return createIssueTicketHandler(issueTicketConfigFromEnv(process.env), {
    dynamoDb: tracer.captureAWSv3Client(new DynamoDBClient({})),
    publisher: publisherFromEnv(process.env, tracer.captureAWSv3Client(new EventBridgeClient({}))),
    tracer,
  });
});
