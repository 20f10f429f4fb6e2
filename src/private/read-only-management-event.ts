/**
 * Which CloudTrail management events EventBridge treats as read-only: those a rule in state `ENABLED` does not
 * receive, and only a rule in state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` does. Shared by the
 * CloudTrail-audit blueprint (its warning on listed event names) and the offline router (which decides delivery).
 *
 * The user guide, "Receiving read-only management events from AWS services":
 * - an `ENABLED` rule matches every event "except for read-only AWS management events delivered through CloudTrail";
 * - "You may already be receiving read-only management events, if those events don't start with Describe, Get, or
 *   List" — so the split is made on the name, not only on CloudTrail's `readOnly` flag;
 * - "events from the following AWS STS APIs are change events, even though they begin with the verb Get:
 *   GetFederationToken, GetSessionToken".
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html
 */

/** The `detail-type` of CloudTrail API call events. */
export const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The rule state that also receives read-only management events. */
export const STATE_WITH_READ_ONLY = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

const READ_ONLY_VERB = /^(Describe|Get|List)/;

/** AWS STS calls that begin with `Get` but are change events (source `aws.sts`). */
const STS_CHANGE_EVENTS = new Set(['GetFederationToken', 'GetSessionToken']);

/** Whether an API call name is one EventBridge holds back from `ENABLED` rules (for the given event source). */
export function isReadOnlyEventName(eventName: string, source?: string): boolean {
  if (!READ_ONLY_VERB.test(eventName)) {
    return false;
  }
  return !(STS_CHANGE_EVENTS.has(eventName) && (source === undefined || source === 'aws.sts'));
}

/**
 * Whether an event is a read-only CloudTrail management event as EventBridge decides it: `detail-type`
 * `AWS API Call via CloudTrail`, not a data event (`detail.eventCategory` absent or `Management`), `detail.readOnly`
 * not `false`, and an `eventName` beginning with Describe, Get or List (the two STS exceptions aside).
 */
export function isReadOnlyManagementEvent(event: any): boolean {
  if (event === null || typeof event !== 'object' || event['detail-type'] !== API_CALL_DETAIL_TYPE) {
    return false;
  }
  const detail = event.detail;
  if (detail === null || typeof detail !== 'object' || typeof detail.eventName !== 'string') {
    return false;
  }
  if (detail.readOnly === false || (detail.eventCategory !== undefined && detail.eventCategory !== 'Management')) {
    return false;
  }
  const source = typeof event.source === 'string' ? event.source : undefined;
  return isReadOnlyEventName(detail.eventName, source);
}
