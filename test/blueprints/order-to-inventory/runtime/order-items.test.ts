import { MAX_DISTINCT_SKUS, findShortages, mergeLineItems, parseOrderPlaced } from '../../../../src/blueprints/order-to-inventory/runtime/order-items';
import { InvalidEventError } from '../../../../src/blueprints/runtime-shared/validation';

const event = (detail: unknown) => ({ 'version': '0', 'id': 'e1', 'detail-type': 'OrderPlaced', 'source': 'com.example.orders', detail });

describe('mergeLineItems', () => {
  test('adds up quantities of the same SKU, in order of first appearance', () => {
    expect(mergeLineItems([{ sku: 'B', quantity: 1 }, { sku: 'A', quantity: 2 }, { sku: 'B', quantity: 3 }]))
      .toEqual([{ sku: 'B', quantity: 4 }, { sku: 'A', quantity: 2 }]);
  });

  test('keeps distinct SKUs as they are', () => {
    expect(mergeLineItems([{ sku: 'A', quantity: 1 }, { sku: 'a', quantity: 1 }])).toHaveLength(2);
  });
});

describe('parseOrderPlaced', () => {
  test('returns the order with merged items', () => {
    expect(parseOrderPlaced(event({ orderId: 'o-1', customerId: 'c-9', items: [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 2 }] })))
      .toEqual({ orderId: 'o-1', customerId: 'c-9', items: [{ sku: 'A', quantity: 3 }] });
  });

  test('customerId is optional', () => {
    expect(parseOrderPlaced(event({ orderId: 'o-1', items: [{ sku: 'A', quantity: 1 }] }))).toEqual({ orderId: 'o-1', items: [{ sku: 'A', quantity: 1 }] });
  });

  test.each([
    ['no detail', { id: 'x' }, /detail must be an object/],
    ['not an object', 'hello', /event must be an object/],
    ['missing orderId', { items: [{ sku: 'A', quantity: 1 }] }, 'detail.orderId is required'],
    ['orderId with spaces', { orderId: 'a b', items: [{ sku: 'A', quantity: 1 }] }, 'detail.orderId must match "^[A-Za-z0-9][A-Za-z0-9._:-]*$" (letters, digits, ".", "_", ":" or "-", starting with a letter or digit), got a string of 3 characters'],
    ['empty items', { orderId: 'o', items: [] }, 'detail.items must have at least 1 item(s), got 0'],
    ['items not an array', { orderId: 'o', items: {} }, 'detail.items must be array, got an object with 0 keys'],
    ['zero quantity', { orderId: 'o', items: [{ sku: 'A', quantity: 0 }] }, 'detail.items[0].quantity must be >= 1, got 0'],
    ['fractional quantity', { orderId: 'o', items: [{ sku: 'A', quantity: 1.5 }] }, 'detail.items[0].quantity must be integer, got 1.5'],
    ['string quantity', { orderId: 'o', items: [{ sku: 'A', quantity: '2' }] }, 'detail.items[0].quantity must be integer, got a string of 1 character'],
    ['missing sku', { orderId: 'o', items: [{ quantity: 2 }] }, 'detail.items[0].sku is required'],
    ['blank sku', { orderId: 'o', items: [{ sku: '  ', quantity: 2 }] }, 'detail.items[0].sku must not be blank, got a string of 2 characters'],
    ['quantity over the limit', { orderId: 'o', items: [{ sku: 'A', quantity: 1_000_001 }] }, 'detail.items[0].quantity must be <= 1000000, got 1000001'],
    ['item not an object', { orderId: 'o', items: [5] }, 'detail.items[0] must be object, got 5'],
    // The SKU is a partition key: DynamoDB counts its UTF-8 bytes (2,048 at most), not its characters.
    ['the sku is 600 "€" (1,800 bytes)', { orderId: 'o', items: [{ sku: '€'.repeat(600), quantity: 1 }] }, /detail\.items\[0\]\.sku must be at most 1024 bytes in UTF-8, got 1800/],
  ])('throws when %s', (_name, detail, message) => {
    const parse = () => parseOrderPlaced(_name === 'not an object' ? detail : _name === 'no detail' ? detail : event(detail));
    expect(parse).toThrow(InvalidEventError);
    expect(parse).toThrow(message);
    expect(parse).toThrow(/non-retryable/);
  });

  test('lists every problem at once', () => {
    try {
      parseOrderPlaced(event({ items: [{ sku: '', quantity: -1 }] }));
      fail('should throw');
    } catch (err) {
      expect((err as InvalidEventError).problems).toHaveLength(3);
    }
  });

  test(`throws for more than ${MAX_DISTINCT_SKUS} distinct SKUs`, () => {
    const items = Array.from({ length: MAX_DISTINCT_SKUS + 1 }, (_, i) => ({ sku: `S${i}`, quantity: 1 }));
    expect(() => parseOrderPlaced(event({ orderId: 'o', items }))).toThrow(/at most 99 distinct SKUs .* got 100; split the order/);
  });

  test(`accepts ${MAX_DISTINCT_SKUS} distinct SKUs, and more lines when they merge`, () => {
    const items = Array.from({ length: 150 }, (_, i) => ({ sku: `S${i % MAX_DISTINCT_SKUS}`, quantity: 1 }));
    expect(parseOrderPlaced(event({ orderId: 'o', items })).items).toHaveLength(MAX_DISTINCT_SKUS);
  });
});

describe('findShortages', () => {
  const items = [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 1 }, { sku: 'C', quantity: 2 }];

  test('reports lines with less stock than requested; an unknown SKU has 0', () => {
    expect(findShortages(items, new Map([['A', 3], ['B', 10]]))).toEqual([
      { sku: 'A', requested: 5, available: 3 },
      { sku: 'C', requested: 2, available: 0 },
    ]);
  });

  test('also reports SKUs DynamoDB said failed, even if stock came back since', () => {
    expect(findShortages(items, new Map([['A', 5], ['B', 10], ['C', 2]]), new Set(['B']))).toEqual([
      { sku: 'B', requested: 1, available: 10 },
    ]);
  });
});
