import { Template } from 'aws-cdk-lib/assertions';

/**
 * The definition of the template's one state machine, parsed. The CloudFormation references (table name, bus ARN,
 * partition) sit inside JSON strings of the definition; a placeholder keeps the JSON valid.
 */
export function stateMachineDefinition(template: Template): any {
  const machines = Object.values<any>(template.findResources('AWS::StepFunctions::StateMachine'));
  if (machines.length !== 1) {
    throw new Error(`expected one state machine, got ${machines.length}`);
  }
  const parts = machines[0].Properties.DefinitionString['Fn::Join'][1] as any[];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'REF')).join(''));
}

/** A JSONata state field (`{% expression %}`) without its delimiters. */
export function jsonataOf(field: string): string {
  return field.replace(/^\{%|%\}$/g, '');
}
