/**
 * The contract of the booking fan-out blueprint, written once: detail-types, JSON Schemas (draft 4), environment
 * variable names and limits. Pure data, imported by the construct (booking-fan-out.ts) and by the handlers
 * (runtime/*.lambda.ts).
 */
import { ID_DESCRIPTION, ID_PATTERN, NO_CONTROL_CHARACTERS_PATTERN } from '../contract-data';
import type { ContractData } from '../contract-data';

export const DEFAULT_BOOKING_SOURCE = 'com.example.bookings';
export const DEFAULT_EVENT_SOURCE = 'com.example.ticketing';

export const LIMITS = {
  /** Two-digit ticket suffixes, and one DynamoDB transaction of at most 100 actions. */
  maxPassengers: 99,
  maxBookingIdLength: 64,
  maxMemberIdLength: 128,
  /**
   * The largest fare accepted: beyond it, points (fare x points per unit) could leave the range DynamoDB numbers
   * and JavaScript integers share exactly.
   */
  maxFareAmount: 1_000_000_000,
  pointsPerCurrencyUnit: { min: 0, max: 1_000_000, default: 1 },
  /**
   * Bookings remembered per loyalty member (the `awardedBookingIds` set): the set must stay well below DynamoDB's
   * 400 KB item limit. The oldest are not dropped; a member over the bound gets an error (non-retryable).
   */
  maxAwardedBookingsPerMember: 2000,
  maxNameLength: 200,
} as const;

export const ENV = {
  ticketsTableName: 'TICKETS_TABLE_NAME',
  loyaltyTableName: 'LOYALTY_TABLE_NAME',
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  eventSource: 'EVENT_SOURCE',
  maxEntryBytes: 'EVENT_MAX_ENTRY_BYTES',
  senderAddress: 'SENDER_ADDRESS',
  configurationSetName: 'CONFIGURATION_SET_NAME',
  pointsPerCurrencyUnit: 'POINTS_PER_CURRENCY_UNIT',
} as const;

const FLIGHT_SCHEMA = {
  type: 'object',
  required: ['number', 'origin', 'destination', 'departure'],
  properties: {
    number: { type: 'string', description: 'IATA flight number, e.g. LH1234', pattern: '^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$' },
    origin: { type: 'string', description: '3-letter IATA airport code', pattern: '^[A-Z]{3}$' },
    destination: { type: 'string', description: '3-letter IATA airport code', pattern: '^[A-Z]{3}$' },
    departure: { type: 'string', format: 'date-time', maxLength: 64 },
  },
};

const BOOKING_ID_SCHEMA = { type: 'string', minLength: 1, maxLength: LIMITS.maxBookingIdLength, pattern: ID_PATTERN, description: ID_DESCRIPTION };
/** A person's name: no control characters, not blank (two patterns, each linear in the text). */
const NAME_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: LIMITS.maxNameLength,
  allOf: [
    { pattern: NO_CONTROL_CHARACTERS_PATTERN, description: 'text without control characters' },
    { pattern: '\\S' },
  ],
};
const EMAIL_SCHEMA = { type: 'string', format: 'email', maxLength: 254 };
const MEMBER_ID_SCHEMA = { type: 'string', minLength: 1, maxLength: LIMITS.maxMemberIdLength, pattern: ID_PATTERN, description: ID_DESCRIPTION };
const PASSENGERS_SCHEMA = {
  type: 'array',
  minItems: 1,
  maxItems: LIMITS.maxPassengers,
  items: {
    type: 'object',
    required: ['firstName', 'lastName'],
    properties: { firstName: NAME_SCHEMA, lastName: NAME_SCHEMA },
  },
};
const FARE_AMOUNT_SCHEMA = { type: 'number', minimum: 0, maximum: LIMITS.maxFareAmount };
const CURRENCY_SCHEMA = { type: 'string', description: 'ISO 4217 currency code, e.g. EUR', pattern: '^[A-Z]{3}$' };

export const BOOKING_CONFIRMED: ContractData = {
  detailType: 'BookingConfirmed',
  description: 'A flight booking was confirmed; tickets, the confirmation email and loyalty points follow.',
  detailSchema: {
    type: 'object',
    required: ['bookingId', 'customer', 'flight', 'passengers', 'fare'],
    properties: {
      bookingId: BOOKING_ID_SCHEMA,
      customer: {
        type: 'object',
        required: ['id', 'email', 'name'],
        properties: {
          id: { type: 'string' },
          email: EMAIL_SCHEMA,
          name: NAME_SCHEMA,
          loyaltyId: { ...MEMBER_ID_SCHEMA, description: 'Only for loyalty members.' },
        },
      },
      flight: FLIGHT_SCHEMA,
      passengers: PASSENGERS_SCHEMA,
      fare: {
        type: 'object',
        required: ['amount', 'currency'],
        properties: { amount: FARE_AMOUNT_SCHEMA, currency: CURRENCY_SCHEMA },
      },
    },
  },
};

/**
 * What each consumer receives: the fields its input transformer cuts out of `BookingConfirmed`, with the same
 * schemas (the handlers validate their input against these).
 */
export const CONSUMER_INPUT_SCHEMAS = {
  /** `{ bookingId, flight, passengers }` */
  issueTicket: {
    type: 'object',
    required: ['bookingId', 'flight', 'passengers'],
    properties: { bookingId: BOOKING_ID_SCHEMA, flight: FLIGHT_SCHEMA, passengers: PASSENGERS_SCHEMA },
  },
  /** `{ bookingId, email, name, flight }` */
  confirmationEmail: {
    type: 'object',
    required: ['bookingId', 'email', 'name', 'flight'],
    properties: { bookingId: BOOKING_ID_SCHEMA, email: EMAIL_SCHEMA, name: NAME_SCHEMA, flight: FLIGHT_SCHEMA },
  },
  /** `{ bookingId, memberId?, fareAmount, currency }`: a customer without loyalty id has no (or a null, or "") memberId. */
  loyalty: {
    type: 'object',
    required: ['bookingId', 'fareAmount', 'currency'],
    properties: { bookingId: BOOKING_ID_SCHEMA, memberId: MEMBER_ID_SCHEMA, fareAmount: FARE_AMOUNT_SCHEMA, currency: CURRENCY_SCHEMA },
  },
} as const;

export const TICKETS_ISSUED: ContractData = {
  detailType: 'TicketsIssued',
  description: 'The e-tickets of a booking were issued, one per passenger.',
  detailSchema: {
    type: 'object',
    required: ['bookingId', 'flight', 'tickets'],
    properties: {
      bookingId: { type: 'string' },
      flight: FLIGHT_SCHEMA,
      tickets: {
        type: 'array',
        items: {
          type: 'object',
          required: ['ticketNumber', 'firstName', 'lastName'],
          properties: {
            ticketNumber: { type: 'string', description: '<bookingId>-NN, NN = passenger position from 01' },
            firstName: { type: 'string' },
            lastName: { type: 'string' },
          },
        },
      },
    },
  },
};
