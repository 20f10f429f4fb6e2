/**
 * Booking fan-out, deployed with its defaults (its own bus, registry and tables, the real ticketing, email and
 * loyalty handlers) and one extra consumer, an SQS queue.
 *
 * Asserts, for one `BookingConfirmed` event of a loyalty member with two passengers:
 * - ticketing wrote one ticket per passenger to the tickets table and announced `TicketsIssued` on the bus;
 * - loyalty credited the member with the fare in points (1 per currency unit) in the loyalty table;
 * - the extra consumer received the whole event.
 *
 * Not covered: the confirmation email. SES sends only from a verified identity (and, in the SES sandbox, only to
 * verified recipients), which a test app cannot create; with the placeholder sender below the email function's
 * SendEmail is refused and the event ends in its on-failure queue. Its routing and input transformer are covered
 * offline (test/blueprints/booking-fan-out).
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, aws_events_targets as targets, aws_sqs as sqs } from 'aws-cdk-lib';
import { WAIT, awaitMessage, integStack, integTest, probeQueue, putEvent } from './support';
import { BookingFanOut } from '../../src/blueprints/booking-fan-out';

const app = new App();
const stack = integStack(app, 'EventBridgeBlueprintsIntegBookingFanOut');
const extra = new sqs.Queue(stack, 'Analytics', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
const fanOut = new BookingFanOut(stack, 'BookingFanOut', {
  senderAddress: 'bookings@example.com',
  extraConsumers: [new targets.SqsQueue(extra)],
});
const ticketsIssued = probeQueue(stack, 'TicketsIssued', fanOut.eventBus, fanOut.ticketsIssued.pattern());

const integ = integTest(app, 'BookingFanOut', stack);

const booking = {
  bookingId: 'BK-INTEG-1',
  customer: { id: 'integ-customer', email: 'success@simulator.amazonses.com', name: 'Ada Lovelace', loyaltyId: 'MEMBER-INTEG-1' },
  flight: { number: 'LH1234', origin: 'FRA', destination: 'JFK', departure: '2030-01-01T10:00:00Z' },
  passengers: [{ firstName: 'Ada', lastName: 'Lovelace' }, { firstName: 'Charles', lastName: 'Babbage' }],
  fare: { amount: 250, currency: 'EUR' },
};

function ticket(ticketNumber: string, firstName: string) {
  const get = integ.assertions.awsApiCall('DynamoDB', 'getItem', {
    TableName: fanOut.ticketsTable.tableName,
    Key: { bookingId: { S: 'BK-INTEG-1' }, ticketNumber: { S: ticketNumber } },
    ConsistentRead: true,
  });
  get.expect(ExpectedResult.objectLike({ Item: { ticketNumber: { S: ticketNumber }, firstName: { S: firstName } } }));
  return get.waitForAssertions(WAIT);
}

const loyalty = integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: fanOut.loyaltyTable.tableName,
  Key: { memberId: { S: 'MEMBER-INTEG-1' } },
  ConsistentRead: true,
});
loyalty.expect(ExpectedResult.objectLike({ Item: { memberId: { S: 'MEMBER-INTEG-1' }, points: { N: '250' } } }));

putEvent(integ, fanOut.eventBus, 'com.example.bookings', 'BookingConfirmed', booking)
  .next(ticket('BK-INTEG-1-01', 'Ada'))
  .next(ticket('BK-INTEG-1-02', 'Charles'))
  .next(awaitMessage(integ, ticketsIssued, {
    Body: Match.serializedJson(Match.objectLike({ 'detail-type': 'TicketsIssued', 'detail': Match.objectLike({ bookingId: 'BK-INTEG-1' }) })),
  }))
  .next(loyalty.waitForAssertions(WAIT))
  .next(awaitMessage(integ, extra, {
    Body: Match.serializedJson(Match.objectLike({ 'detail-type': 'BookingConfirmed', 'detail': Match.objectLike({ bookingId: 'BK-INTEG-1' }) })),
  }));

app.synth();
