/**
 * The shape of one event in a blueprint's contract module (`<blueprint>/contract.ts`): pure data, imported both by
 * the construct (which publishes it as an `EventContract`) and by the handler (which validates against it), so
 * that detail-types, schemas and limits are written once.
 */
export interface ContractData {
  /** The event's `detail-type`. */
  readonly detailType: string;
  /** What the event means (the schema's description). */
  readonly description: string;
  /** JSON Schema draft 4 of the event's `detail`. */
  readonly detailSchema: { [key: string]: any };
}

/**
 * Identifiers used in DynamoDB keys and ticket numbers (JSON Schema `pattern`): letters, digits, `.`, `_`, `:`, `-`,
 * starting with a letter or digit. Lengths are set per field with `maxLength`.
 */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';
/** The `description` of fields with {@link ID_PATTERN}: handlers quote it when a value breaks the pattern. */
export const ID_DESCRIPTION = 'letters, digits, ".", "_", ":" or "-", starting with a letter or digit';
/** Text without control characters (names shown in emails and tickets). */
export const NO_CONTROL_CHARACTERS_PATTERN = '^[^\\u0000-\\u001f\\u007f]*$';
