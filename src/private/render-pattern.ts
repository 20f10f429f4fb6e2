import { aws_events as events } from 'aws-cdk-lib';

/**
 * Renders an aws-cdk-lib `EventPattern` (camelCase `detailType`) in EventBridge's JSON form (`detail-type`).
 * Values may still contain tokens; they resolve when the template is synthesized.
 */
export function renderEventPattern(pattern: events.EventPattern): { [key: string]: any } {
  const out: { [key: string]: any } = {};
  for (const [key, value] of Object.entries(pattern)) {
    if (value === undefined) {
      continue;
    }
    out[key === 'detailType' ? 'detail-type' : key] = value;
  }
  return out;
}
