/**
 * The contract of the booking fan-out blueprint, written once: detail-types, JSON Schemas (draft 4), environment
 * variable names and limits. Pure data, imported by the construct (booking-fan-out.ts) and by the handlers
 * (runtime/*.lambda.ts).
 */
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
    origin: { type: 'string', pattern: '^[A-Z]{3}$' },
    destination: { type: 'string', pattern: '^[A-Z]{3}$' },
    departure: { type: 'string', format: 'date-time', maxLength: 64 },
  },
};

export const BOOKING_CONFIRMED: ContractData = {
  detailType: 'BookingConfirmed',
  description: 'A flight booking was confirmed; tickets, the confirmation email and loyalty points follow.',
  detailSchema: {
    type: 'object',
    required: ['bookingId', 'customer', 'flight', 'passengers', 'fare'],
    properties: {
      bookingId: { type: 'string', minLength: 1, maxLength: LIMITS.maxBookingIdLength },
      customer: {
        type: 'object',
        required: ['id', 'email', 'name'],
        properties: {
          id: { type: 'string' },
          email: { type: 'string', format: 'email' },
          name: { type: 'string' },
          loyaltyId: { type: 'string', description: 'Only for loyalty members.' },
        },
      },
      flight: FLIGHT_SCHEMA,
      passengers: {
        type: 'array',
        minItems: 1,
        maxItems: LIMITS.maxPassengers,
        items: {
          type: 'object',
          required: ['firstName', 'lastName'],
          properties: { firstName: { type: 'string' }, lastName: { type: 'string' } },
        },
      },
      fare: {
        type: 'object',
        required: ['amount', 'currency'],
        properties: {
          amount: { type: 'number', minimum: 0, maximum: LIMITS.maxFareAmount },
          currency: { type: 'string', pattern: '^[A-Z]{3}$' },
        },
      },
    },
  },
};

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
