/** Helpers for the handler integration tests against moto: tables, a bus whose events land in SQS, a Lambda context. */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeDefinition, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';

/** Powertools needs `getRemainingTimeInMillis`; the rest is for completeness. */
export function fakeLambdaContext(functionName = 'test-function'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export async function createTable(client: DynamoDBClient, tableName: string, partitionKey: string, sortKey?: string): Promise<void> {
  const attributes: AttributeDefinition[] = [{ AttributeName: partitionKey, AttributeType: 'S' }];
  const keys: KeySchemaElement[] = [{ AttributeName: partitionKey, KeyType: 'HASH' }];
  if (sortKey) {
    attributes.push({ AttributeName: sortKey, AttributeType: 'S' });
    keys.push({ AttributeName: sortKey, KeyType: 'RANGE' });
  }
  await client.send(new CreateTableCommand({ TableName: tableName, AttributeDefinitions: attributes, KeySchema: keys, BillingMode: 'PAY_PER_REQUEST' }));
}

/** The Powertools idempotency table layout: partition key `id`. */
export const createIdempotencyTable = (client: DynamoDBClient, tableName: string) => createTable(client, tableName, 'id');

export interface ReceivedEvent {
  readonly 'detail-type': string;
  readonly 'source': string;
  readonly 'detail': any;
  readonly [key: string]: unknown;
}

export interface CapturedBus {
  readonly busName: string;
  readonly queueUrl: string;
  /** Receive (and delete) every event currently in the queue. */
  drain(): Promise<ReceivedEvent[]>;
}

/** A custom bus with a rule matching `source` that sends every event to an SQS queue. */
export async function createCapturedBus(busName: string, source: string[]): Promise<CapturedBus> {
  const events = new EventBridgeClient({});
  const sqs = new SQSClient({});
  await events.send(new CreateEventBusCommand({ Name: busName }));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: `${busName}-capture` }));
  const queueUrl = queue.QueueUrl!;
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  await events.send(new PutRuleCommand({ Name: `${busName}-all`, EventBusName: busName, EventPattern: JSON.stringify({ source }) }));
  await events.send(new PutTargetsCommand({ Rule: `${busName}-all`, EventBusName: busName, Targets: [{ Id: 'capture', Arn: attrs.Attributes!.QueueArn! }] }));
  return {
    busName,
    queueUrl,
    drain: async () => {
      const received: ReceivedEvent[] = [];
      for (;;) {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        const messages = out.Messages ?? [];
        if (messages.length === 0) break;
        for (const m of messages) {
          received.push(JSON.parse(m.Body!));
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
        }
      }
      return received;
    },
  };
}

/** moto's internal model dump (`GET /moto-api/data.json`): `{ service: { ModelClass: [instances...] } }`. */
export async function motoModelData(endpoint: string): Promise<Record<string, Record<string, Array<Record<string, unknown>>>>> {
  const res = await fetch(`${endpoint}/moto-api/data.json`);
  if (!res.ok) throw new Error(`moto data.json: HTTP ${res.status}`);
  return res.json() as Promise<Record<string, Record<string, Array<Record<string, unknown>>>>>;
}

/** Quiet Powertools Logger output during tests (set before handlers are created). */
export function silencePowertools(): void {
  process.env.POWERTOOLS_LOG_LEVEL = process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT';
  process.env.AWS_LAMBDA_FUNCTION_NAME = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'moto-test';
}

/** Receives and deletes every message of a queue; returns the bodies. */
export async function drain(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) return bodies;
    bodies.push(...messages.map((m) => m.Body!));
    await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
    }));
  }
}
