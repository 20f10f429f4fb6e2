import { LIMITS, STATUS_FIELDS } from '../contract';

/** One level of a topic filter: a literal of safe characters, or `+` (the device id). */
const LITERAL_LEVEL = /^[A-Za-z0-9_.:-]+$/;

/**
 * The problems of a status topic filter (empty when it is usable). A usable filter has 1 to 8 levels, at most 256
 * bytes, exactly one `+` level (the device id, which the rule reads with `topic(n)`), no `#` (the `+` level must
 * have a fixed position), does not start with `$` (AWS IoT reserved topics), and has literal levels of letters,
 * digits, `_`, `.`, `:` and `-` only, so the filter can be quoted in the rule's SQL as is.
 *
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/topics.html
 */
export function topicFilterProblems(filter: string): string[] {
  if (filter.length === 0) {
    return ['must not be empty'];
  }
  if (Buffer.byteLength(filter, 'utf8') > LIMITS.maxTopicBytes) {
    return [`must be at most ${LIMITS.maxTopicBytes} bytes (AWS IoT's topic limit)`];
  }
  const levels = filter.split('/');
  if (levels.length > LIMITS.maxTopicLevels) {
    return [`must have at most ${LIMITS.maxTopicLevels} levels (AWS IoT allows 7 forward slashes), got ${levels.length}`];
  }
  const problems: string[] = [];
  if (filter.startsWith('$')) {
    problems.push('must not start with "$" (reserved AWS IoT topics)');
  }
  if (levels.includes('#') || filter.includes('#')) {
    problems.push('must not contain "#": the device id level must have a fixed position');
  }
  const plus = levels.filter((level) => level === '+').length;
  if (plus !== 1) {
    problems.push(`must have exactly one "+" level, the device id (thing name), got ${plus}`);
  }
  const bad = levels.find((level) => level !== '+' && level !== '#' && !LITERAL_LEVEL.test(level));
  if (bad !== undefined) {
    problems.push(`has the level ${JSON.stringify(bad)}; levels are "+" or letters, digits, "_", ".", ":", "-" (empty levels not allowed)`);
  }
  return problems;
}

/**
 * The SQL of the status rule: the device id from the `+` level of the topic (never from the payload: the device's
 * IoT policy decides which topic it may publish on), the receive time, and the known status fields only (a
 * bounded event, whatever the device sends).
 *
 * @param filter a filter for which `topicFilterProblems` is empty
 */
export function statusRuleSql(filter: string): string {
  const deviceLevel = filter.split('/').indexOf('+') + 1;
  return `SELECT topic(${deviceLevel}) AS deviceId, timestamp() AS receivedAt, ${STATUS_FIELDS.join(', ')} FROM '${filter}'`;
}

/**
 * The SQL of the last-seen rule (with `heartbeatTimeout`): the device id and the receive time, nothing the device
 * sends. Its DynamoDB action writes the result as the device's item, so every item has the same small, bounded size
 * whatever the device puts in its status, and a scan page of 1 MB holds thousands of devices.
 *
 * @param filter a filter for which `topicFilterProblems` is empty
 */
export function lastSeenRuleSql(filter: string): string {
  const deviceLevel = filter.split('/').indexOf('+') + 1;
  return `SELECT topic(${deviceLevel}) AS deviceId, timestamp() AS receivedAt FROM '${filter}'`;
}
