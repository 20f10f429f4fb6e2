import { Token } from 'aws-cdk-lib';
import { LEAD_FIELDS, LEAD_UPDATED } from './contract';

/** EventBridge accepts at most 100 entries in an input transformer's `InputPathsMap`. */
const MAX_INPUT_PATHS = 100;
/** `$.a.b-c[0].d`: names without `.`, `[`, `]` or spaces, and array indexes. Linear, bounded by the length check. */
const JSON_PATH = /^\$(?:\.[^.[\]\s]+|\[[0-9]{1,4}\])+$/;

/**
 * Properties of a custom {@link LeadEventFormat}.
 */
export interface CustomLeadEventFormatProps {
  /**
   * The `detail-type` values of the lead events.
   */
  readonly detailTypes: string[];

  /**
   * Where each lead field is in the event, as a JSON path (`$.detail.lead.email`). Keys are lead fields: `leadId`
   * (required), `email`, `firstName`, `lastName`, `company`, `jobTitle`, `phone`, `country`, `leadStatus`,
   * `leadSource`, `emailOptOut`, `updatedAt`.
   */
  readonly fieldPaths: { [field: string]: string };

  /**
   * An event pattern on `detail` that lead events must also match (for example a change type).
   *
   * @default - no condition on `detail`
   */
  readonly detailPattern?: { [key: string]: any };
}

/**
 * The shape of a CRM's lead events: which `detail-type` they have, and where each lead field is. The routes match
 * on it, and the input transformer reads the allowed fields from these paths, so that only they leave the account.
 */
export class LeadEventFormat {
  /**
   * Salesforce Change Data Capture events of the Lead object, as Salesforce Event Relay puts them on a partner event
   * bus: `detail-type` is the change event's name (`LeadChangeEvent`), `detail.payload` holds the
   * `ChangeEventHeader` (`changeType`, `recordIds`, ...) and only the fields that changed, with the compound fields
   * `Name` and `Address` nested. Creations, updates and undeletions are matched; deletions and gap events are not
   * (they carry no lead fields).
   *
   * Fields: `leadId` = `ChangeEventHeader.recordIds[0]` (a change event may name several records that changed the
   * same way; the contact is made for the first), `email` = `Email`, `firstName` / `lastName` = `Name.FirstName` /
   * `Name.LastName`, `company` = `Company`, `jobTitle` = `Title`, `phone` = `Phone`, `country` =
   * `Address.Country`, `leadStatus` = `Status`, `leadSource` = `LeadSource`, `emailOptOut` = `HasOptedOutOfEmail`,
   * `updatedAt` = `LastModifiedDate` (epoch milliseconds: Event Relay sends date-times as numbers; the Lambda
   * delivery turns them into ISO 8601, the API destination passes the number on).
   *
   * @see https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_message_structure.htm
   * @see https://developer.salesforce.com/docs/platform/event-relay/guide/event-relay-config.html
   */
  public static salesforceChangeDataCapture(): LeadEventFormat {
    const p = '$.detail.payload';
    return new LeadEventFormat('salesforce-cdc', ['LeadChangeEvent'], {
      leadId: `${p}.ChangeEventHeader.recordIds[0]`,
      email: `${p}.Email`,
      firstName: `${p}.Name.FirstName`,
      lastName: `${p}.Name.LastName`,
      company: `${p}.Company`,
      jobTitle: `${p}.Title`,
      phone: `${p}.Phone`,
      country: `${p}.Address.Country`,
      leadStatus: `${p}.Status`,
      leadSource: `${p}.LeadSource`,
      emailOptOut: `${p}.HasOptedOutOfEmail`,
      updatedAt: `${p}.LastModifiedDate`,
    }, { payload: { ChangeEventHeader: { changeType: ['CREATE', 'UPDATE', 'UNDELETE'] } } });
  }

  /**
   * The blueprint's own `LeadUpdated` events (what the webhook receiver puts on the bus, and what a partner can be
   * asked to send): every lead field at the top of `detail` under its own name (`$.detail.email`, ...).
   */
  public static generic(): LeadEventFormat {
    const paths: { [field: string]: string } = {};
    for (const field of LEAD_FIELDS) paths[field] = `$.detail.${field}`;
    return new LeadEventFormat('generic', [LEAD_UPDATED.detailType], paths);
  }

  /**
   * Your CRM's own shape.
   *
   * @param props the detail-types and the JSON path of each lead field
   */
  public static custom(props: CustomLeadEventFormatProps): LeadEventFormat {
    return new LeadEventFormat('custom', props.detailTypes, props.fieldPaths, props.detailPattern);
  }

  /** `salesforce-cdc`, `generic` or `custom`. */
  public readonly name: string;

  /** The `detail-type` values of the lead events. */
  public readonly detailTypes: string[];

  /** The JSON path of each lead field in the event. */
  public readonly fieldPaths: { [field: string]: string };

  /** The event pattern on `detail` that lead events must also match, if any. */
  public readonly detailPattern?: { [key: string]: any };

  private constructor(name: string, detailTypes: string[], fieldPaths: { [field: string]: string }, detailPattern?: { [key: string]: any }) {
    this.name = name;
    this.detailTypes = detailTypes;
    this.fieldPaths = fieldPaths;
    this.detailPattern = detailPattern;
  }

  /**
   * The problems of this format, for the construct's error (empty when it is valid).
   * @internal
   */
  public _problems(): string[] {
    const problems: string[] = [];
    if (!Array.isArray(this.detailTypes) || this.detailTypes.length === 0) {
      problems.push('detailTypes must name at least one detail-type');
    }
    for (const detailType of this.detailTypes ?? []) {
      if (!Token.isUnresolved(detailType) && (typeof detailType !== 'string' || detailType.trim() === '' || detailType.length > 128)) {
        problems.push(`detailTypes must hold non-empty strings of at most 128 characters, got ${JSON.stringify(detailType)?.slice(0, 80)}`);
      }
    }
    const fields = Object.keys(this.fieldPaths ?? {});
    const unknown = fields.filter((f) => !(LEAD_FIELDS as readonly string[]).includes(f));
    if (unknown.length > 0) {
      problems.push(`fieldPaths has unknown lead fields ${unknown.slice(0, 5).map((f) => JSON.stringify(f.slice(0, 40))).join(', ')} (allowed: ${LEAD_FIELDS.join(', ')})`);
    }
    if (!fields.includes('leadId')) {
      problems.push('fieldPaths must give the path of leadId (the contact\'s external id)');
    }
    if (fields.length + 1 > MAX_INPUT_PATHS) {
      problems.push(`fieldPaths has ${fields.length} entries, more than an input transformer takes`);
    }
    for (const [field, path] of Object.entries(this.fieldPaths ?? {})) {
      if (Token.isUnresolved(path)) continue;
      if (typeof path !== 'string' || path.length > 256 || !JSON_PATH.test(path)) {
        problems.push(`fieldPaths.${field} must be a JSON path like "$.detail.${field}" (names and [index] only, at most 256 characters), got ${JSON.stringify(path)?.slice(0, 80)}`);
      }
    }
    return problems;
  }
}
