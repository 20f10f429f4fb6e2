import { awscdk, javascript } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-eventbridge-blueprints',
  description: 'Safe-by-default Amazon EventBridge building blocks, blueprints and offline event-pattern tooling for AWS CDK v2',
  keywords: ['aws-cdk', 'cdk', 'eventbridge', 'events', 'event-driven', 'schema-registry', 'event-pattern'],
  author: 'cdk-eventbridge-blueprints contributors',
  authorAddress: 'maintainers@cdk-eventbridge-blueprints.dev',
  repositoryUrl: 'https://github.com/cdk-eventbridge-blueprints/cdk-eventbridge-blueprints.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // The offline router's command line: `npx cdk-eventbridge-blueprints route --app cdk.out --event event.json`.
  bin: { 'cdk-eventbridge-blueprints': 'lib/testing/cli-main.js' },

  cdkVersion: '2.276.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  minNodeVersion: '20.0.0',

  // Our CI is .ci/run; no GitHub workflows, no release tooling (it needs Node >= 22).
  github: false,
  release: false,
  // JS-only packaging: no publishTo* options (pacmak for other languages needs registries we cannot reach).
  docgen: true,

  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    awsSdkConnectionReuse: false,
    // The Lambda runtime ships AWS SDK v3; Powertools and our own code are bundled.
    bundlingOptions: { externals: ['@aws-sdk/*'] },
  },

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
    },
  },

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'bench', 'examples', 'projenrc'],
  },
  tsconfigDev: {
    include: ['../bench/**/*.ts', '../examples/**/*.ts'],
  },

  // JSONata: parsed at synth (subscriber transformers) and evaluated by the offline Custom Event Bus router.
  // Not a jsii library, so it is bundled.
  bundledDeps: ['jsonata@^2.2.2'],

  devDeps: [
    'esbuild@^0.28',
    'cdk-nag@^3',
    'aws-cdk@^2.1100.0',
    'fast-check@^3',
    '@types/aws-lambda',
    '@aws-sdk/client-cloudformation',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-eventbridge',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-sesv2',
    '@aws-sdk/client-sqs',
    '@aws-sdk/lib-dynamodb',
    '@aws-lambda-powertools/logger',
    '@aws-lambda-powertools/idempotency',
  ],
  gitignore: ['cdk.out/', '.jsii.tabl.json', '/bench/out/', '/.moto/', '/.readme-snippets/'],
});

project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
project.tasks.addEnvironment('CDK_DISABLE_CLI_TELEMETRY', 'true');

// ts-jest only transpiles (isolatedModules), so type-check tests, benchmarks and examples first.
project.testTask.prependExec('tsc -p test/tsconfig.json --noEmit');

const synthExample = project.addTask('synth:example', {
  description: 'Bundle the Lambda handlers and synthesize the example app to cdk.out/ (offline, no credentials needed)',
});
synthExample.spawn(project.tasks.tryFind('bundle')!);
synthExample.exec('cdk synth --quiet --no-notices');

project.addTask('bench', {
  description: 'Run the benchmarks (not part of the test command)',
  exec: 'node --expose-gc -r ts-node/register/transpile-only bench/index.ts',
  receiveArgs: true,
});

project.addTask('test:moto', {
  description: 'Integration tests against a local AWS API (moto server, Python)',
  exec: "jest --ci --coverage=false --runInBand --testMatch '<rootDir>/test/**/*.moto.ts'",
});

project.addPackageIgnore('/examples/');
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/cdk.json');
project.addPackageIgnore('/.ci/');

project.synth();
