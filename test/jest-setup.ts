/**
 * Runs before every test file.
 *
 * aws-cdk-lib validates every synthesized template against the CloudFormation resource schemas and only warns (unless
 * `@aws-cdk/core:validateAgainstDefaultRules` is set). In the unit tests that validation took about 60% of the synth
 * time, and its warnings come from tests that feed bad input on purpose. The tests skip it; the example app
 * (`npm run synth:example`) keeps it, and CI lints every example template with cfn-lint.
 */
process.env.CDK_VALIDATION = 'false';
