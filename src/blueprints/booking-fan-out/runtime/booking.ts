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
import { Checker, ID_PATTERN, ID_PATTERN_TEXT } from '../../runtime-shared/validation';
import type { JsonObject } from '../../runtime-shared/validation';
import { LIMITS } from '../contract';

export interface Flight {
  readonly number: string;
  readonly origin: string;
  readonly destination: string;
  /** ISO 8601 */
  readonly departure: string;
}

export interface Passenger {
  readonly firstName: string;
  readonly lastName: string;
}

export interface IssueTicketInput {
  readonly bookingId: string;
  readonly flight: Flight;
  readonly passengers: Passenger[];
}

export interface ConfirmationEmailInput {
  readonly bookingId: string;
  readonly email: string;
  readonly name: string;
  readonly flight: Flight;
}

export interface LoyaltyInput {
  readonly bookingId: string;
  /** Undefined when the customer has no loyalty id (the input transformer then yields null or ""). */
  readonly memberId?: string;
  readonly fareAmount: number;
  readonly currency: string;
}

export interface IssuedTicket {
  readonly ticketNumber: string;
  readonly passengerIndex: number;
  readonly firstName: string;
  readonly lastName: string;
}

/** At most 99 passengers per booking: two-digit ticket suffixes, and one DynamoDB transaction of <= 100 actions. */
export const MAX_PASSENGERS = LIMITS.maxPassengers;

const BOOKING = { maxLength: LIMITS.maxBookingIdLength, pattern: ID_PATTERN, patternText: ID_PATTERN_TEXT };
const AIRPORT = { maxLength: 3, pattern: /^[A-Z]{3}$/, patternText: 'a 3-letter IATA airport code' };
const FLIGHT_NUMBER = { maxLength: 8, pattern: /^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$/, patternText: 'an IATA flight number like "LH1234"' };
const EMAIL = { maxLength: 254, pattern: /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+\.[^\s@<>()",;:\\]+$/, patternText: 'an email address' };
const CURRENCY = { maxLength: 3, pattern: /^[A-Z]{3}$/, patternText: 'an ISO 4217 currency code like "EUR"' };
// eslint-disable-next-line no-control-regex
const NO_CONTROL = { maxLength: LIMITS.maxNameLength, pattern: /^[^\u0000-\u001f\u007f]+$/, patternText: 'text without control characters' };

function readFlight(check: Checker, value: unknown, path: string): Flight | undefined {
  const flight = check.object(value, path);
  if (!flight) return undefined;
  const number = check.string(flight.number, `${path}.number`, FLIGHT_NUMBER);
  const origin = check.string(flight.origin, `${path}.origin`, AIRPORT);
  const destination = check.string(flight.destination, `${path}.destination`, AIRPORT);
  const departure = check.isoTimestamp(flight.departure, `${path}.departure`);
  if (number === undefined || origin === undefined || destination === undefined || departure === undefined) return undefined;
  return { number, origin, destination, departure };
}

function root(check: Checker, input: unknown): JsonObject {
  return check.object(input, 'input') ?? {};
}

/** @throws InvalidEventError */
export function parseIssueTicketInput(input: unknown): IssueTicketInput {
  const check = new Checker();
  const obj = root(check, input);
  const bookingId = check.string(obj.bookingId, 'bookingId', BOOKING);
  const flight = readFlight(check, obj.flight, 'flight');
  const passengers: Passenger[] = [];
  check.array(obj.passengers, 'passengers', 1, MAX_PASSENGERS)?.forEach((raw, i) => {
    const p = check.object(raw, `passengers[${i}]`);
    if (!p) return;
    const firstName = check.string(p.firstName, `passengers[${i}].firstName`, NO_CONTROL);
    const lastName = check.string(p.lastName, `passengers[${i}].lastName`, NO_CONTROL);
    if (firstName !== undefined && lastName !== undefined) passengers.push({ firstName, lastName });
  });
  check.done('issue-ticket input');
  return { bookingId: bookingId!, flight: flight!, passengers };
}

/** @throws InvalidEventError */
export function parseConfirmationEmailInput(input: unknown): ConfirmationEmailInput {
  const check = new Checker();
  const obj = root(check, input);
  const bookingId = check.string(obj.bookingId, 'bookingId', BOOKING);
  const email = check.string(obj.email, 'email', EMAIL);
  const name = check.string(obj.name, 'name', NO_CONTROL);
  const flight = readFlight(check, obj.flight, 'flight');
  check.done('send-confirmation-email input');
  return { bookingId: bookingId!, email: email!, name: name!, flight: flight! };
}

/** @throws InvalidEventError */
export function parseLoyaltyInput(input: unknown): LoyaltyInput {
  const check = new Checker();
  const obj = root(check, input);
  const bookingId = check.string(obj.bookingId, 'bookingId', BOOKING);
  // A customer without loyaltyId is normal: the transformer yields null (or "" inside a string template).
  const memberId = obj.memberId === null || obj.memberId === undefined || obj.memberId === ''
    ? undefined : check.string(obj.memberId, 'memberId', { maxLength: LIMITS.maxMemberIdLength, pattern: ID_PATTERN, patternText: ID_PATTERN_TEXT });
  const fareAmount = check.nonNegativeNumber(obj.fareAmount, 'fareAmount', LIMITS.maxFareAmount);
  const currency = check.string(obj.currency, 'currency', CURRENCY);
  check.done('award-loyalty-points input');
  return { bookingId: bookingId!, ...(memberId !== undefined ? { memberId } : {}), fareAmount: fareAmount!, currency: currency! };
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

export function issueTickets(input: IssueTicketInput): IssuedTicket[] {
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

export function confirmationEmail(input: ConfirmationEmailInput): EmailContent {
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
