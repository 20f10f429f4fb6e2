/**
 * Booking fan-out: send the booking confirmation email with SESv2 SendEmail.
 *
 * Input (cut out of `BookingConfirmed` by the rule's input transformer): `{ bookingId, email, name, flight }`.
 * Returns `{ status: 'sent', bookingId, messageId }`.
 *
 * Idempotent per `bookingId` (Powertools `makeIdempotent`): a redelivered event returns the stored result
 * and sends nothing. SES has no idempotency token, so one gap remains: if the function dies after SES
 * accepted the message but before Powertools stored the result, the retry sends a second email.
 *
 * Environment: SENDER_ADDRESS (a verified SES identity), CONFIGURATION_SET_NAME (optional),
 * IDEMPOTENCY_TABLE_NAME, POWERTOOLS_SERVICE_NAME (optional).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { SendEmailCommandOutput } from '@aws-sdk/client-sesv2';
import type { Context } from 'aws-lambda';
import { ENV } from '../contract';
import { confirmationEmail, parseConfirmationEmailInput } from './booking';
import type { ConfirmationEmailConsumerInput } from './contract.generated';
import type { Env } from '../../runtime-shared/env';
import { optionalEnv, requireEnv } from '../../runtime-shared/env';
import { blueprintHandler } from '../../runtime-shared/handler';
import { createLogger, createTracer, idempotencyStore, lazyHandler } from '../../runtime-shared/runtime';

interface SendConfirmationEmailResult {
  readonly status: 'sent';
  readonly bookingId: string;
  readonly messageId: string;
}

export interface SendConfirmationEmailConfig {
  readonly senderAddress: string;
  readonly configurationSetName?: string;
  readonly idempotencyTableName: string;
}

export interface SendEmailClient {
  send(command: SendEmailCommand): Promise<SendEmailCommandOutput>;
}

export interface SendConfirmationEmailDeps {
  readonly dynamoDb: DynamoDBClient;
  readonly ses: SendEmailClient;
  readonly logger?: Logger;
  /** @default - no tracing */
  readonly tracer?: Tracer;
}

function sendConfirmationEmailConfigFromEnv(env: Env): SendConfirmationEmailConfig {
  const configurationSetName = optionalEnv(env, ENV.configurationSetName);
  return {
    senderAddress: requireEnv(env, ENV.senderAddress),
    ...(configurationSetName !== undefined ? { configurationSetName } : {}),
    idempotencyTableName: requireEnv(env, ENV.idempotencyTableName),
  };
}

export function createSendConfirmationEmailHandler(config: SendConfirmationEmailConfig, deps: SendConfirmationEmailDeps) {
  const logger = deps.logger ?? createLogger('booking-fan-out');

  async function send(input: ConfirmationEmailConsumerInput, _context: Context): Promise<SendConfirmationEmailResult> {
    const content = confirmationEmail(input);
    const out = await deps.ses.send(new SendEmailCommand({
      FromEmailAddress: config.senderAddress,
      Destination: { ToAddresses: [input.email] },
      Content: {
        Simple: {
          Subject: { Data: content.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: content.text, Charset: 'UTF-8' }, Html: { Data: content.html, Charset: 'UTF-8' } },
        },
      },
      ...(config.configurationSetName ? { ConfigurationSetName: config.configurationSetName } : {}),
      EmailTags: [{ Name: 'bookingId', Value: input.bookingId.replace(/[^A-Za-z0-9_-]/g, '_') }],
    }));
    const messageId = out.MessageId ?? 'unknown';
    logger.info('Confirmation email sent', { bookingId: input.bookingId, messageId });
    return { status: 'sent', bookingId: input.bookingId, messageId };
  }

  return blueprintHandler<ConfirmationEmailConsumerInput, SendConfirmationEmailResult>({
    what: 'send-confirmation-email input',
    logger,
    tracer: deps.tracer,
    parse: parseConfirmationEmailInput,
    logKeys: (input) => ({ bookingId: input.bookingId }),
    idempotency: {
      persistenceStore: idempotencyStore(config.idempotencyTableName, deps.dynamoDb),
      keyPath: 'bookingId',
      keyOf: (input) => `bookingId ${input.bookingId}`,
    },
    process: send,
  });
}

/** Lambda entry point: builds clients and configuration from the environment on first use. */
export const handler = lazyHandler(() => {
  const tracer = createTracer();
  return createSendConfirmationEmailHandler(sendConfirmationEmailConfigFromEnv(process.env), {
    dynamoDb: tracer.captureAWSv3Client(new DynamoDBClient({})),
    ses: tracer.captureAWSv3Client(new SESv2Client({})),
    tracer,
  });
});
