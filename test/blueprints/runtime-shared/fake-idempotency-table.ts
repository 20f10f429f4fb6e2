import {
  ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;

/**
 * An in-memory stand-in for the Powertools idempotency table (partition key `id`, TTL `expiration`), behind
 * aws-sdk-client-mock: the four calls Powertools makes, with its put condition (no live record).
 */
export function fakeIdempotencyTable(): { items: Map<string, Item>; reset: () => void } {
  const items = new Map<string, Item>();
  const mock = mockClient(DynamoDBClient);
  const install = () => {
    mock.on(PutItemCommand).callsFake((input) => {
      const key = input.Item.id.S as string;
      const old = items.get(key);
      const live = old !== undefined && Number(old.expiration?.N ?? 0) >= Date.now() / 1000;
      if (live) {
        throw new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed', Item: old });
      }
      items.set(key, { ...input.Item });
      return {};
    });
    mock.on(UpdateItemCommand).callsFake((input) => {
      const key = input.Key.id.S as string;
      const item = { ...(items.get(key) ?? { id: { S: key } }) };
      // Powertools writes `SET #a = :a, #b = :b, ...`.
      for (const [, name, value] of (input.UpdateExpression as string).matchAll(/(#\w+) = (:\w+)/g)) {
        item[input.ExpressionAttributeNames[name]] = input.ExpressionAttributeValues[value];
      }
      items.set(key, item);
      return {};
    });
    mock.on(DeleteItemCommand).callsFake((input) => {
      items.delete(input.Key.id.S as string);
      return {};
    });
    mock.on(GetItemCommand).callsFake((input) => ({ Item: items.get(input.Key.id.S as string) }));
  };
  install();
  return {
    items,
    reset: () => {
      items.clear();
      mock.reset();
      install();
    },
  };
}
