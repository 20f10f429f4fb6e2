import { parseJsonText } from './json-text';
import { CustomBusEvent, CustomBusEvents } from '../custom-bus-router';

/**
 * An event for a Custom Event Bus: given as such (an object with `data`), or an EventBridge event or `PutEvents`
 * entry, published as `PutEvents` would publish it (`CustomBusEvents.putEvents`).
 */
export function customBusEvent(event: any, region: string | undefined): CustomBusEvent {
  if (event !== null && typeof event === 'object' && !Array.isArray(event) && 'data' in event) {
    return event as CustomBusEvent;
  }
  const e = event ?? {};
  return CustomBusEvents.putEvents({
    source: e.source ?? e.Source,
    detailType: e['detail-type'] ?? e.DetailType,
    detail: typeof e.Detail === 'string' ? parseJsonText(e.Detail, 'Detail') : (e.detail ?? e.Detail ?? {}),
    resources: e.resources ?? e.Resources,
    time: e.time,
    account: e.account,
    id: e.id,
  }, region ?? e.region);
}

/** Whether the event is given in the Custom Event Bus's own form (`data`, `metadata`, ...), not as a PutEvents entry. */
export function isCustomBusEventForm(event: any): boolean {
  return event !== null && typeof event === 'object' && !Array.isArray(event) && 'data' in event;
}
