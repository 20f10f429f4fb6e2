import { App, SecretValue, Stack, aws_events as events, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { ErrorToTicket, ErrorToTicketStack, TicketDelivery } from '../src/blueprints/error-to-ticket';

/**
 * Adds the error-to-ticket examples to the app: the construct with the default Lambda delivery (deduplicated
 * tickets, endpoint and credentials in a Secrets Manager secret), and the stack with the code-free API destination
 * delivery.
 */
export function addErrorToTicketExamples(app: App): void {
  const stack = new Stack(app, 'ErrorToTicketExample');
  new ErrorToTicket(stack, 'ErrorToTicket', {
    errorSource: 'com.example.shop',
    alarmNamePrefixes: ['prod-'],
    // Create the secret before deploying: {"endpoint": "https://...", "authorization": "Bearer ..."}
    ticketingSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'TicketingSecret', 'error-to-ticket/ticketing'),
  });

  new ErrorToTicketStack(app, 'ErrorToTicketApiDestinationExample', {
    errorSource: 'com.example.shop',
    delivery: TicketDelivery.apiDestination({
      endpoint: 'https://tickets.example.com/api/tickets',
      authorization: events.Authorization.apiKey('X-Api-Key', SecretValue.secretsManager('error-to-ticket/api-key')),
      rateLimitPerSecond: 5,
    }),
  });
}
