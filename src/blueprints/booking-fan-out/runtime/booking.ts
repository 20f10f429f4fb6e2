/**
 * Pure logic of the booking fan-out blueprint. Each consumer receives only the fields it needs, cut out of
 * `BookingConfirmed` by an EventBridge input transformer, so the inputs here are NOT event envelopes:
 *
 * - issue-ticket:             `{ bookingId, flight, passengers }`
 * - send-confirmation-email:  `{ bookingId, email, name, flight }`
 * - award-loyalty-points:     `{ bookingId, memberId, fareAmount, currency }`
 *
 * `BookingConfirmed` detail: `{ bookingId, customer: { id, email, name, loyaltyId? },
 *   flight: { number, origin, destination, departure }, passengers: [{ firstName, lastName }],
 *   fare: { amount, currency } }`.
 */
import { isObject, requireObject, validateAgainstSchema } from '../../runtime-shared/validation';
import { CONSUMER_INPUT_SCHEMAS, LIMITS } from '../contract';
import type {
  BookingConfirmedDetailFlight as Flight, ConfirmationEmailConsumerInput, IssueTicketConsumerInput, LoyaltyConsumerInput,
} from './contract.generated';

export interface IssuedTicket {
  readonly ticketNumber: string;
  readonly passengerIndex: number;
  readonly firstName: string;
  readonly lastName: string;
}

/** At most 99 passengers per booking: two-digit ticket suffixes, and one DynamoDB transaction of <= 100 actions. */
export const MAX_PASSENGERS = LIMITS.maxPassengers;

/** Each input is checked against its schema in the contract (the fields of `BookingConfirmed` it is cut from). */
function validateInput<T>(schema: object, input: unknown, what: string): T {
  return validateAgainstSchema<T>(schema, requireObject(input, 'input', what), what, 'input');
}

/** @throws InvalidEventError */
export function parseIssueTicketInput(input: unknown): IssueTicketConsumerInput {
  const { bookingId, flight, passengers } = validateInput<IssueTicketConsumerInput>(CONSUMER_INPUT_SCHEMAS.issueTicket, input, 'issue-ticket input');
  return {
    bookingId,
    flight: pickFlight(flight),
    passengers: passengers.map(({ firstName, lastName }) => ({ firstName, lastName })),
  };
}

/** @throws InvalidEventError */
export function parseConfirmationEmailInput(input: unknown): ConfirmationEmailConsumerInput {
  const { bookingId, email, name, flight } = validateInput<ConfirmationEmailConsumerInput>(
    CONSUMER_INPUT_SCHEMAS.confirmationEmail, input, 'send-confirmation-email input');
  return { bookingId, email, name, flight: pickFlight(flight) };
}

/** @throws InvalidEventError */
export function parseLoyaltyInput(input: unknown): LoyaltyConsumerInput {
  // A customer without loyaltyId is normal: the transformer yields null (or "" inside a string template).
  const normalized = isObject(input) && (input.memberId === null || input.memberId === '')
    ? Object.fromEntries(Object.entries(input).filter(([key]) => key !== 'memberId'))
    : input;
  const { bookingId, memberId, fareAmount, currency } = validateInput<LoyaltyConsumerInput>(
    CONSUMER_INPUT_SCHEMAS.loyalty, normalized, 'award-loyalty-points input');
  return { bookingId, ...(memberId !== undefined ? { memberId } : {}), fareAmount, currency };
}

/** Only the flight fields the contract names (a producer's extra fields are not carried into tickets and emails). */
function pickFlight(flight: Flight): Flight {
  return { number: flight.number, origin: flight.origin, destination: flight.destination, departure: flight.departure };
}

/**
 * Deterministic e-ticket number of the passenger at `index` (0-based): `<bookingId>-<NN>`, NN = index + 1
 * on two digits. The same booking always gives the same numbers, so a retry rewrites the same tickets
 * instead of issuing new ones, and two bookings can never share a number.
 */
export function ticketNumber(bookingId: string, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_PASSENGERS) {
    throw new Error(`passenger index must be an integer between 0 and ${MAX_PASSENGERS - 1}, got ${index}`);
  }
  return `${bookingId}-${String(index + 1).padStart(2, '0')}`;
}

export function issueTickets(input: IssueTicketConsumerInput): IssuedTicket[] {
  return input.passengers.map((p, i) => ({
    ticketNumber: ticketNumber(input.bookingId, i),
    passengerIndex: i,
    firstName: p.firstName,
    lastName: p.lastName,
  }));
}

/** Points for a fare: floor(fareAmount * pointsPerUnit). No currency conversion. */
export function loyaltyPoints(fareAmount: number, pointsPerUnit: number): number {
  // Round to cents first so that 19.99 * 100 does not become 1998.9999999999998.
  return Math.floor(Math.round(fareAmount * pointsPerUnit * 100) / 100);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export function confirmationEmail(input: ConfirmationEmailConsumerInput): EmailContent {
  const { bookingId, name, flight } = input;
  const departure = new Date(flight.departure).toISOString().replace('T', ' ').replace(/:\d{2}\.\d{3}Z$/, ' UTC');
  const subject = `Booking ${bookingId} confirmed: ${flight.number} ${flight.origin} to ${flight.destination}`;
  const lines = [
    `Dear ${name},`,
    '',
    `your booking ${bookingId} is confirmed.`,
    `Flight ${flight.number} from ${flight.origin} to ${flight.destination}, departing ${departure}.`,
    '',
    'Your e-tickets follow in a separate message.',
  ];
  const html = `<!DOCTYPE html><html><body>${lines.map((l) => (l === '' ? '' : `<p>${escapeHtml(l)}</p>`)).join('')}</body></html>`;
  return { subject, text: lines.join('\n'), html };
}
