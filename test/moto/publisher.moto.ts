/** The shared publisher against moto's EventBridge: events reach a rule's SQS target, in batches. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { createCapturedBus } from './aws-fixtures';
import type { CapturedBus } from './aws-fixtures';
import { useMoto } from './moto-server';
import { EventPublisher, PublishError } from '../../src/runtime/publisher';

useMoto();
let bus: CapturedBus;

beforeAll(async () => {
  bus = await createCapturedBus('publisher-bus', ['com.example.publisher']);
});

test('publishes 25 events in 3 PutEvents requests; all reach the rule target', async () => {
  const client = new EventBridgeClient({});
  const sent: number[] = [];
  const counting = {
    send: async (command: PutEventsCommand): Promise<PutEventsCommandOutput> => {
      sent.push(command.input.Entries?.length ?? 0);
      return client.send(command);
    },
  };
  const publisher = new EventPublisher({ client: counting, eventBusName: bus.busName, source: 'com.example.publisher' });
  const result = await publisher.publish(Array.from({ length: 25 }, (_, n) => ({ detailType: 'Numbered', detail: { n } })));

  expect(sent).toEqual([10, 10, 5]);
  expect(result.eventIds.every((id) => id.length > 0)).toBe(true);
  const received = await bus.drain();
  expect(received.map((e) => e.detail.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, n) => n));
  expect(received.every((e) => e['detail-type'] === 'Numbered' && e.source === 'com.example.publisher')).toBe(true);
});

test('an entry moto rejects is reported by index, detail-type and error code', async () => {
  // moto answers per entry; a bus that does not exist gives a per-entry error (not retryable).
  const publisher = new EventPublisher({ client: new EventBridgeClient({}), eventBusName: 'no-such-bus', source: 'com.example.publisher', maxAttempts: 2, sleep: async () => undefined });
  const attempt = publisher.publish([{ detailType: 'Lost', detail: {} }]);
  await expect(attempt).rejects.toThrow(PublishError);
  await expect(attempt).rejects.toThrow(/#0 Lost: /);
});
