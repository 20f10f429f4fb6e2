import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A policy document of an L1 resource, resolved (CloudFormation intrinsics for the tokens), with `rewrite` applied to
 * each statement; undefined when no statement changed. For aspects that fix what aws-cdk-lib's L2s write (a
 * condition they leave out, a grant wider than the service needs): assign the result to the L1 property, so that the
 * template and cdk-nag see it.
 */
export function rewriteStatements(scope: IConstruct, document: unknown, rewrite: (statement: any, index: number) => any): any | undefined {
  const resolved = Stack.of(scope).resolve(document);
  const statements: any[] = Array.isArray(resolved?.Statement) ? resolved.Statement : [];
  let changed = false;
  const next = statements.map((statement, i) => {
    const rewritten = rewrite(statement, i);
    changed ||= rewritten !== statement;
    return rewritten;
  });
  return changed ? { ...resolved, Statement: next } : undefined;
}
