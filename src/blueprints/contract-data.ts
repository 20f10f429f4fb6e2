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
