import {
  MAX_PASSENGERS, confirmationEmail, escapeHtml, issueTickets, loyaltyPoints, parseConfirmationEmailInput,
  parseIssueTicketInput, parseLoyaltyInput, ticketNumber,
} from '../../../../src/blueprints/booking-fan-out/runtime/booking';
import { InvalidEventError } from '../../../../src/blueprints/runtime-shared/validation';

const flight = { number: 'LH1234', origin: 'FRA', destination: 'JFK', departure: '2026-12-24T10:30:00Z' };

describe('ticketNumber', () => {
  test('is <bookingId>-NN, 1-based', () => {
    expect(ticketNumber('BK-7', 0)).toBe('BK-7-01');
    expect(ticketNumber('BK-7', 98)).toBe('BK-7-99');
  });

  test('is deterministic', () => {
    expect(ticketNumber('BK-7', 3)).toBe(ticketNumber('BK-7', 3));
  });

  test.each([-1, 99, 1.5])('throws for index %p', (index) => {
    expect(() => ticketNumber('BK', index)).toThrow(/passenger index must be an integer between 0 and 98/);
  });

  test('issueTickets numbers passengers in input order', () => {
    expect(issueTickets({ bookingId: 'B1', flight, passengers: [{ firstName: 'Ada', lastName: 'L' }, { firstName: 'Alan', lastName: 'T' }] })).toEqual([
      { ticketNumber: 'B1-01', passengerIndex: 0, firstName: 'Ada', lastName: 'L' },
      { ticketNumber: 'B1-02', passengerIndex: 1, firstName: 'Alan', lastName: 'T' },
    ]);
  });
});

describe('parseIssueTicketInput', () => {
  test('accepts the transformer output', () => {
    const input = { bookingId: 'B1', flight, passengers: [{ firstName: 'Ada', lastName: 'Lovelace' }] };
    expect(parseIssueTicketInput(input)).toEqual(input);
  });

  test.each([
    ['no passengers', { bookingId: 'B1', flight, passengers: [] }, 'input.passengers must have at least 1 item(s), got 0'],
    ['too many passengers', { bookingId: 'B1', flight, passengers: new Array(MAX_PASSENGERS + 1).fill({ firstName: 'a', lastName: 'b' }) }, 'input.passengers must have at most 99 item(s), got 100'],
    ['bad airport', { bookingId: 'B1', flight: { ...flight, origin: 'Frankfurt' }, passengers: [{ firstName: 'a', lastName: 'b' }] }, 'input.flight.origin must match "^[A-Z]{3}$" (3-letter IATA airport code), got a string of 9 characters'],
    ['bad flight number', { bookingId: 'B1', flight: { ...flight, number: 'lh 12' }, passengers: [{ firstName: 'a', lastName: 'b' }] }, 'input.flight.number must match "^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$" (IATA flight number, e.g. LH1234), got a string of 5 characters'],
    ['bad departure', { bookingId: 'B1', flight: { ...flight, departure: 'soon' }, passengers: [{ firstName: 'a', lastName: 'b' }] }, 'input.flight.departure must be an ISO 8601 timestamp like "2026-05-01T10:00:00Z", got a string of 4 characters'],
    ['missing last name', { bookingId: 'B1', flight, passengers: [{ firstName: 'a' }] }, 'input.passengers[0].lastName is required'],
    ['bad bookingId', { bookingId: 'B 1', flight, passengers: [{ firstName: 'a', lastName: 'b' }] }, 'input.bookingId must match "^[A-Za-z0-9][A-Za-z0-9._:-]*$" (letters, digits, ".", "_", ":" or "-", starting with a letter or digit), got a string of 3 characters'],
    ['an EventBridge envelope instead of the transformed input', { 'detail-type': 'BookingConfirmed', 'detail': {} }, 'input.bookingId is required; input.flight is required; input.passengers is required'],
  ])('throws when %s', (_name, input, message) => {
    expect(() => parseIssueTicketInput(input)).toThrow(InvalidEventError);
    expect(() => parseIssueTicketInput(input)).toThrow(message);
  });
});

describe('parseConfirmationEmailInput', () => {
  test('accepts the transformer output', () => {
    const input = { bookingId: 'B1', email: 'ada@example.com', name: 'Ada Lovelace', flight };
    expect(parseConfirmationEmailInput(input)).toEqual(input);
  });

  test.each([
    ['blank name', { bookingId: 'B1', email: 'a@b.co', name: '   ', flight }, 'input.name must not be blank, got a string of 3 characters'],
    ['bad email', { bookingId: 'B1', email: 'ada', name: 'Ada', flight }, /email must be an email address/],
    ['header injection in the name', { bookingId: 'B1', email: 'a@b.co', name: 'Ada\r\nBcc: x@y.z', flight }, 'input.name must match "^[^\\u0000-\\u001f\\u007f]*$" (text without control characters), got a string of 15 characters'],
    ['missing flight', { bookingId: 'B1', email: 'a@b.co', name: 'Ada' }, 'input.flight is required'],
  ])('throws when %s', (_name, input, message) => {
    expect(() => parseConfirmationEmailInput(input)).toThrow(message);
  });
});

describe('flight departure', () => {
  test.each(['1', '2026-12-24', '2026-12-24T10:30:00', '2026-13-01T10:30:00Z', 'x'.repeat(70)])('throws for %p', (departure) => {
    const input = { bookingId: 'B1', flight: { ...flight, departure }, passengers: [{ firstName: 'A', lastName: 'B' }] };
    expect(() => parseIssueTicketInput(input)).toThrow(/input\.flight\.departure must (be an ISO 8601 timestamp like "2026-05-01T10:00:00Z"|have at most 64 character\(s\))/);
  });
});

describe('parseLoyaltyInput', () => {
  test('accepts the transformer output', () => {
    expect(parseLoyaltyInput({ bookingId: 'B1', memberId: 'M-1', fareAmount: 199.99, currency: 'EUR' }))
      .toEqual({ bookingId: 'B1', memberId: 'M-1', fareAmount: 199.99, currency: 'EUR' });
  });

  test.each([null, '', undefined])('memberId %p means no loyalty member', (memberId) => {
    expect(parseLoyaltyInput({ bookingId: 'B1', memberId, fareAmount: 1, currency: 'EUR' }).memberId).toBeUndefined();
  });

  test.each([
    ['negative fare', { bookingId: 'B1', memberId: 'M', fareAmount: -1, currency: 'EUR' }, 'input.fareAmount must be >= 0, got -1'],
    ['fare as string', { bookingId: 'B1', memberId: 'M', fareAmount: '10', currency: 'EUR' }, 'input.fareAmount must be number, got a string of 2 characters'],
    // 1e20 points would end in a DynamoDB error and a retry loop.
    ['the fare is 1e20', { bookingId: 'B1', memberId: 'M', fareAmount: 1e20, currency: 'EUR' }, 'input.fareAmount must be <= 1000000000, got 100000000000000000000'],
    ['bad currency', { bookingId: 'B1', memberId: 'M', fareAmount: 1, currency: 'euro' }, 'input.currency must match "^[A-Z]{3}$" (ISO 4217 currency code, e.g. EUR), got a string of 4 characters'],
  ])('throws when %s', (_name, input, message) => {
    expect(() => parseLoyaltyInput(input)).toThrow(message);
  });
});

describe('loyaltyPoints', () => {
  test.each([
    [199.99, 1, 199],
    [19.99, 100, 1999],
    [0, 1, 0],
    [10, 0.5, 5],
    [10.5, 1.5, 15],
  ])('floor(%p * %p) = %p', (fare, perUnit, expected) => {
    expect(loyaltyPoints(fare, perUnit)).toBe(expected);
  });
});

describe('confirmationEmail', () => {
  test('names the booking and flight, and escapes HTML', () => {
    const email = confirmationEmail({ bookingId: 'B1', email: 'a@b.co', name: 'Ada <script>', flight });
    expect(email.subject).toBe('Booking B1 confirmed: LH1234 FRA to JFK');
    expect(email.text).toContain('Dear Ada <script>,');
    expect(email.text).toContain('departing 2026-12-24 10:30 UTC');
    expect(email.html).toContain('Dear Ada &lt;script&gt;,');
    expect(email.html).not.toContain('<script>');
  });

  test('escapeHtml', () => {
    expect(escapeHtml('<a href="x">\'&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
