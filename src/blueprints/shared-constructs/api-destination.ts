import { Token, aws_events as events } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { propError, show } from '../../private/errors';
import { ApiDestinationDeliveryOptions } from '../kit/handler-delivery';

/**
 * Checks the settings of a blueprint's API destination delivery (the prop is `delivery`): `connection` or
 * `authorization`, an https endpoint, a rate limit of 1 to 300.
 */
export function checkApiDestinationSettings(scope: Construct, constructType: string, settings: ApiDestinationDeliveryOptions): void {
  if (settings.connection && settings.authorization) {
    throw propError(scope, constructType, 'delivery', 'takes `connection` or `authorization`, not both: `authorization` is for a connection created by the blueprint');
  }
  if (!settings.connection && !settings.authorization) {
    throw propError(scope, constructType, 'delivery', 'needs `connection` or `authorization`: EventBridge calls an API destination through a connection');
  }
  if (!Token.isUnresolved(settings.endpoint) && !/^https:\/\/[^/\s]+/.test(settings.endpoint)) {
    throw propError(scope, constructType, 'delivery endpoint', `must be an https:// URL (EventBridge only calls HTTPS endpoints), got ${show(settings.endpoint)}`);
  }
  const rate = settings.rateLimitPerSecond;
  if (rate !== undefined && !Token.isUnresolved(rate) && (!Number.isInteger(rate) || rate < 1 || rate > 300)) {
    throw propError(scope, constructType, 'delivery rateLimitPerSecond', `must be a whole number between 1 and 300, got ${show(rate)}`);
  }
}

/**
 * The connection (given, or created from `authorization` with id `Connection`) and the API destination (id
 * `ApiDestination`, POST and 10 calls per second unless set) of a blueprint's delivery.
 *
 * @param description what the endpoint is, e.g. `Ticketing system of <path>`
 */
export function createApiDestination(scope: Construct, settings: ApiDestinationDeliveryOptions, description: string): {
  readonly connection: events.IConnection;
  readonly apiDestination: events.ApiDestination;
  readonly createdConnection?: events.Connection;
} {
  const createdConnection = settings.connection ? undefined : new events.Connection(scope, 'Connection', {
    authorization: settings.authorization!,
    description: description.slice(0, 512),
  });
  const connection = settings.connection ?? createdConnection!;
  const apiDestination = new events.ApiDestination(scope, 'ApiDestination', {
    connection,
    endpoint: settings.endpoint,
    httpMethod: settings.httpMethod ?? events.HttpMethod.POST,
    rateLimitPerSecond: settings.rateLimitPerSecond ?? 10,
    description: description.slice(0, 512),
  });
  return { connection, apiDestination, createdConnection };
}
