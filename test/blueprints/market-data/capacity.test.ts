import {
  INVOCATIONS_TPS, PUT_EVENTS_TPS, capacityFindings, loadAtPeak, quotasFor,
} from '../../../src/blueprints/market-data/capacity';

// Defaults from https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html (read 2026-11-30).
test.each([
  ['us-east-1', 10_000, 18_750],
  ['us-west-2', 10_000, 18_750],
  ['eu-west-1', 10_000, 18_750],
  ['us-east-2', 2_400, 4_500],
  ['eu-central-1', 2_400, 4_500],
  ['ap-northeast-1', 1_200, 2_250],
  ['sa-east-1', 600, 1_100],
  ['af-south-1', 400, 750],
])('quotas of %s: PutEvents %d/s, invocations %d/s', (region, putEvents, invocations) => {
  expect(quotasFor(region)).toMatchObject({ putEvents, invocations });
});

test('a Region the page does not list gets "each of the other supported Regions"; no Region gets the lowest defaults', () => {
  expect(quotasFor('me-central-1').where).toBe('the default of me-central-1 ("each of the other supported Regions")');
  expect(quotasFor(undefined)).toMatchObject({ putEvents: 400, invocations: 750 });
  expect(Math.min(...Object.values(PUT_EVENTS_TPS))).toBe(400);
  expect(Math.min(...Object.values(INVOCATIONS_TPS))).toBe(750);
});

test('load at peak: the pipe\'s batches plus the parameter events (10 per request); one invocation per tick', () => {
  expect(loadAtPeak({ peakTicksPerSecond: 1000, maxTickBytes: 1, pipeBatchSize: 10 })).toEqual({ putEventsRequests: 200, invocations: 1000 });
  expect(loadAtPeak({ peakTicksPerSecond: 1000, maxTickBytes: 1, pipeBatchSize: 1 })).toEqual({ putEventsRequests: 1100, invocations: 1000 });
  expect(loadAtPeak({ peakTicksPerSecond: 0.5, maxTickBytes: 1, pipeBatchSize: 10 })).toEqual({ putEventsRequests: 2, invocations: 1 });
});

test('findings at the boundaries: equal to a quota is fine, one above is not', () => {
  const at = (peak: number, bytes = 1024) => capacityFindings({ region: 'us-east-1', peakTicksPerSecond: peak, maxTickBytes: bytes, pipeBatchSize: 10 }).map((f) => f.id);
  expect(at(18_750)).toEqual([]);
  expect(at(18_751)).toEqual(['cdk-eventbridge-blueprints:marketDataInvocationsQuota']);
  expect(at(50_000)).toEqual(['cdk-eventbridge-blueprints:marketDataInvocationsQuota']); // 5,000 + 5,000 PutEvents requests: at the quota
  expect(at(50_010)).toEqual(['cdk-eventbridge-blueprints:marketDataPutEventsQuota', 'cdk-eventbridge-blueprints:marketDataInvocationsQuota']);
  expect(at(1, 256 * 1024 - 256)).toEqual([]);
  expect(at(1, 256 * 1024 - 255)).toEqual(['cdk-eventbridge-blueprints:marketDataEntrySize']);
});
