import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/**
 * Runs the cdk-nag v3 AwsSolutions and Serverless packs over a stack and returns every unacknowledged finding
 * as "rule: construct path". Constructs whose path contains one of `ignorePaths` are the test's own fixtures.
 */
export function nagFindings(stack: Stack, ignorePaths: string[] = []): string[] {
  // Synthesize first, as `cdk synth` does before its validation plugins run: aspects (the library's trust conditions and
  // narrowed grants) have then done their work.
  Template.fromStack(stack);
  const out: string[] = [];
  for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
    const report = pack.validateScope(stack) as any;
    for (const violation of report.violations ?? []) {
      for (const resource of violation.violatingResources ?? []) {
        const path: string = resource.constructPath ?? resource.resourceLogicalId ?? '';
        if (!ignorePaths.some((p) => path.includes(p))) {
          out.push(`${violation.ruleName}: ${path}`);
        }
      }
    }
  }
  return out;
}
