import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { JsonFile, awscdk, javascript } from 'projen';
import { layerZones } from './projenrc/layers';

/**
 * Handler runtime code (`runtime/` folders, the handlers' shared runtime) is bundled by esbuild into assets/ and
 * never compiled by jsii into lib/: it needs packages (Powertools) that are only devDependencies.
 */
const RUNTIME_ONLY = ['src/blueprints/*/runtime/**', 'src/blueprints/runtime-shared/**'];
/** The version of the next release; CHANGELOG.md says what is in it. */
const VERSION = '0.1.0';
/** One Powertools version for every bundle (two versions of commons ended up in the bundles before). */
const POWERTOOLS_VERSION = '2.35.0';
/**
 * The oldest aws-cdk-lib and constructs we support: the peer range is ^FLOOR. 2.258.0 is the first release whose policy
 * validation context carries the construct tree (appConstruct) that cdk-nag 3 needs to run as a synth plugin, as the
 * README and the example app use it; the library code alone needs 2.252.0 (Validations.acknowledge). constructs 10.5.0
 * is what aws-cdk-lib 2.258.0 itself requires. `npm run test:compat` compiles, tests and synthesizes on this floor.
 */
const CDK_FLOOR = '2.258.0';
const CONSTRUCTS_FLOOR = '10.5.0';
/** The releases development, the build and CI's main job run on (the newest we use). */
const CDK_DEV = '2.276.0';
const CONSTRUCTS_DEV = '10.5.1';

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

  // Peer dependencies ^FLOOR; the devDependencies pin the newest releases (CDK_DEV, added below) instead of the floor.
  cdkVersion: CDK_FLOOR,
  constructsVersion: CONSTRUCTS_FLOOR,
  peerDependencyOptions: { pinnedDevDependency: false },
  jsiiVersion: '~6.0.0',
  minNodeVersion: '20.0.0',

  // Our CI is .ci/run; no GitHub workflows, no release tooling (it needs Node >= 22).
  github: false,
  release: false,
  docgen: true,

  // Every jsii language, named as the CDK libraries our users already use name theirs (aws-cdk-lib, cdk-nag,
  // cdk-monitoring-constructs). `npm run package-all` builds each into dist/<language>/ (release: false, so nothing
  // is published from here); the four submodules become core/blueprints/patterns/testing in every language.
  publishToPypi: {
    distName: 'cdk-eventbridge-blueprints',
    module: 'cdk_eventbridge_blueprints',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkeventbridgeblueprints',
    mavenGroupId: 'io.github.cdk-eventbridge-blueprints',
    mavenArtifactId: 'cdk-eventbridge-blueprints',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkEventBridgeBlueprints',
    packageId: 'CdkEventBridgeBlueprints',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-eventbridge-blueprints/cdk-eventbridge-blueprints-go',
    packageName: 'cdkeventbridgeblueprints',
  },

  // Integration tests are integ-runner apps (test/integ/integ.*.ts, tasks below), not projen's own `*.integ.ts`
  // convention (a cdk-deploy task per file and a `.integ.snapshot` folder compared by projen).
  integrationTestAutoDiscover: false,

  // Handlers are bundled explicitly below (no generated *-function.ts constructs: BlueprintFunction takes the asset).
  lambdaAutoDiscover: false,
  excludeTypescript: RUNTIME_ONLY,
  // Run-time dependencies of the library itself (jsii requires non-jsii ones bundled): draft-04 checks of contracts
  // (Ajv), and JSONata, parsed at synth (subscriber transformers) and evaluated by the offline Custom Event Bus router.
  bundledDeps: ['ajv@^8.17.1', 'ajv-draft-04@^1.0.0', 'jsonata@^2.2.2'],

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
      // Jest's default is one worker less than the cores: a single worker on CI's 2 cores. The suites are CPU-bound
      // synths, and the main thread is idle while workers run, so one worker per core.
      maxWorkers: '100%',
      // Unit tests skip aws-cdk-lib's built-in CloudFormation schema validation of every synth (test/jest-setup.ts).
      setupFiles: ['<rootDir>/test/jest-setup.ts'],
    },
  },

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'bench', 'examples', 'projenrc'],
    // An eslint-disable that disables nothing is an error (and `--fix` removes it).
    commandOptions: { extraArgs: ['--report-unused-disable-directives'] },
  },
  tsconfigDev: {
    include: ['../bench/**/*.ts', '../examples/**/*.ts'],
  },

  devDeps: [
    'esbuild@^0.28',
    'cdk-nag@^3',
    'aws-cdk@^2.1100.0',
    'fast-check@^3',
    '@types/aws-lambda',
    '@aws-sdk/client-cloudformation',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-eventbridge@^3.1169.0',
    '@aws-sdk/client-kinesis',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-sesv2',
    '@aws-sdk/client-sqs',
    '@aws-sdk/lib-dynamodb',
    `@aws-lambda-powertools/logger@${POWERTOOLS_VERSION}`,
    `@aws-lambda-powertools/idempotency@${POWERTOOLS_VERSION}`,
    `@aws-lambda-powertools/tracer@${POWERTOOLS_VERSION}`,
    'aws-sdk-client-mock@^4',
    // photo-upload blueprint: pure-JS image decoding/resizing (bundled into the thumbnail handler) and its S3/SNS clients.
    '@aws-sdk/client-s3',
    '@jimp/core@^1.6.1',
    '@jimp/js-jpeg@^1.6.1',
    '@jimp/js-png@^1.6.1',
    '@jimp/plugin-resize@^1.6.1',
    'image-size@^2.1.0',
    // Integration tests (test/integ/integ.*.ts): integ-runner compares each app with its committed snapshot offline;
    // the apps assert deployed behaviour with integ-tests-alpha when run against an account.
    '@aws-cdk/integ-runner@^2.197.10',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
  ],
  gitignore: ['cdk.out/', '.jsii.tabl.json', '/bench/out/', '/.moto/', '/.readme-snippets/', '/.venv/', '/bindings/python/.venv/', '/bindings/java/target/', '/tools/event-ruler-harness/target/', '__pycache__/'],
});
// integ-runner: the snapshots' bundled assets (its comparison reads only the templates and manifests) and its working
// folders. Added here, after projen's `!/test/`, which drops every `/test/...` pattern added before it.
project.gitignore.exclude('/test/integ/*.snapshot/asset.*', '/test/integ/cdk-integ.out.*');

// jsii warns that the devDependency is not pinned at the peer floor: ours is the newest release on purpose, and
// `npm run test:compat` compiles and tests on the floor.
const JSII_FLAGS = '--silence-warnings=reserved-word --silence-warnings=metadata/missing-dev-dependency';
project.compileTask.reset(`jsii ${JSII_FLAGS}`);
project.tasks.tryFind('watch')!.reset(`jsii -w ${JSII_FLAGS}`);

// After the constructor: projen's AwsCdkDeps drops any constructs devDependency given in `devDeps`.
project.addDevDeps(`aws-cdk-lib@${CDK_DEV}`, `constructs@${CONSTRUCTS_DEV}`);

// Every handler entry point (src/…/runtime/*.lambda.ts) is bundled to assets/<path>.lambda/index.js.
for (const entrypoint of handlerEntryPoints('src')) {
  project.bundler.addBundle(entrypoint, {
    platform: 'node',
    target: 'node24',
    // The Lambda runtime ships AWS SDK v3; Powertools and our own code are bundled.
    externals: ['@aws-sdk/*'],
    // Smaller assets (the npm tarball carries them); stack traces keep function names.
    minify: true,
    esbuildArgs: { '--keep-names': true },
    tsconfigPath: project.tsconfigDev.fileName,
  });
}
// The jsii tsconfig leaves the runtime code out; this one (type-checking and linting only) takes it back in.
new JsonFile(project, 'src/blueprints/tsconfig.json', {
  obj: { extends: '../../tsconfig.json', compilerOptions: { noEmit: true }, include: ['**/*.ts'], exclude: [] },
});
project.eslint?.allowDevDeps('src/blueprints/*/runtime/**');
project.eslint?.allowDevDeps('src/blueprints/runtime-shared/**');

// The layer map of docs/ARCHITECTURE.md ("Import directions"), enforced: one zone per forbidden direction.
project.eslint?.addRules({ 'import/no-restricted-paths': ['error', { zones: layerZones() }] });

// The release version: bumped by hand with a CHANGELOG.md entry (release: false, so no release tooling bumps it).
project.package.addVersion(VERSION);

project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
project.tasks.addEnvironment('CDK_DISABLE_CLI_TELEMETRY', 'true');

// ts-jest only transpiles (isolatedModules), so type-check tests, benchmarks and examples first.
project.testTask.prependExec('tsc -p test/tsconfig.json --noEmit');

// The handlers' types, generated from the blueprint contracts (projenrc/contract-types.ts) into the committed
// src/blueprints/<name>/runtime/contract.generated.ts: before the handlers are bundled (so before compile,
// synth:example, the integ tasks and scripts/compat-floor.sh's `projen bundle`) and before the tests are type-checked.
// Committed, so that a fresh clone type-checks and lints without it; CI's clean-tree check fails when a contract
// changed and its types were not regenerated, and test/blueprints/contract-types.test.ts fails too.
const contractTypes = project.addTask('gen:contract-types', {
  description: 'Generate the handler types of every blueprint contract (src/blueprints/<name>/runtime/contract.generated.ts)',
  exec: 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/contract-types.ts',
});
project.tasks.tryFind('bundle')!.prependSpawn(contractTypes);
project.testTask.prependSpawn(contractTypes);

const synthExample = project.addTask('synth:example', {
  description: 'Bundle the Lambda handlers and synthesize the example app to cdk.out/ (offline, no credentials needed)',
});
synthExample.spawn(project.tasks.tryFind('bundle')!);
synthExample.exec('cdk synth --quiet --no-notices');

// `build` packages JavaScript only, with or without CI=true (projen's default packages every language outside CI);
// `npm run package-all` builds every language. No .NET SDK can be installed from the registries these machines
// reach, so the .NET package is generated as C# source (dist/dotnet/) and not compiled here.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);
// One npm tarball, made by scripts/pack-clean.sh (no sources or maps of bundled dependencies): dist/js holds it and
// every language package embeds it (pacmak's --pack-command; pacmak copies the whole repository for a custom pack
// command, about 50 s, so package-all builds the compiled languages in one pacmak run).
const PACK = '--pack-command "bash scripts/pack-clean.sh"';
project.tasks.tryFind('package:js')!.reset('rm -rf dist/js && mkdir -p dist/js');
project.tasks.tryFind('package:js')!.exec('bash ../../scripts/pack-clean.sh ../..', { cwd: 'dist/js' });
for (const language of ['java', 'python', 'go']) {
  project.tasks.tryFind(`package:${language}`)!.reset(`jsii-pacmak -v ${PACK} --target ${language}`);
}
project.tasks.tryFind('package:dotnet')!.reset(`jsii-pacmak -v ${PACK} --target dotnet --code-only`);
const packageAll = project.tasks.tryFind('package-all')!;
packageAll.reset();
packageAll.spawn(project.tasks.tryFind('package:js')!);
packageAll.exec(`jsii-pacmak -v ${PACK} --target python --target java --target go`);
packageAll.spawn(project.tasks.tryFind('package:dotnet')!);

// The bindings, run in their own languages against what package-all built (dist/): bindings/<language>/.
const bindings = project.addTask('test:bindings', {
  description: 'Run the Python (pytest), Java (Maven, JUnit) and Go binding tests against dist/ (run package-all first)',
});
for (const [language, script] of [['python', 'python/run-tests.sh'], ['java', 'java/run-tests.sh'], ['go', 'go/run.sh']]) {
  bindings.spawn(project.addTask(`test:${language}`, {
    description: `Run the ${language} binding tests against dist/${language} (run package-all first)`,
    exec: `bash bindings/${script}`,
    receiveArgs: true,
  }));
}

// aws/event-ruler (EventBridge's matching engine, Java) in the loop: tools/event-ruler-harness, built by Maven (event-ruler
// and its dependencies pinned, from Maven Central), is the peer of the differential test and of the benchmark.
const eventRulerHarness = project.addTask('build:event-ruler-harness', {
  description: 'Build tools/event-ruler-harness (aws/event-ruler behind an NDJSON pipe) with Maven; needs a JDK 17+ and Maven',
  exec: 'mvn --batch-mode --no-transfer-progress --quiet -f tools/event-ruler-harness/pom.xml package',
});
const differential = project.addTask('test:differential', {
  description: 'Differential test of the pattern engine against aws/event-ruler (seeded random pairs and the conformance suite); fails without java and mvn',
  exec: "jest --ci --coverage=false --runInBand --testMatch '<rootDir>/test/**/*.differential.ts'",
  receiveArgs: true,
});
differential.prependSpawn(eventRulerHarness);

const bench = project.addTask('bench', {
  description: 'Run the benchmarks (not part of the test command); the pattern-engine benchmark runs aws/event-ruler beside ours',
  exec: 'node --expose-gc -r ts-node/register/transpile-only bench/index.ts',
  receiveArgs: true,
});
bench.prependSpawn(eventRulerHarness);

// moto and cfn-lint are not on a new machine: they come from PyPI, pinned, into a virtual environment of the repository.
project.addTask('install:python', {
  description: 'Install the pinned Python tools of the checks (moto server, cfn-lint) into .venv/ from requirements-dev.txt',
  steps: [
    { exec: '[ -x .venv/bin/python ] || python3 -m venv .venv' },
    { exec: '.venv/bin/python -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt' },
  ],
});

project.addTask('test:moto', {
  description: 'Integration tests against a local AWS API (moto server, Python)',
  exec: "jest --ci --coverage=false --runInBand --testMatch '<rootDir>/test/**/*.moto.ts'",
});

// The public event publisher (lib/runtime/publisher, for Lambda code) sends with the AWS SDK, which the Lambda runtime
// provides: an optional peer dependency, required on the first send, so a plain install can load the module. jsii
// refuses a peer dependency that is not a jsii module, so the range lives in "optionalPeerDependencies" and
// scripts/pack-clean.sh moves it into the packed package.json's peerDependencies (peerDependenciesMeta: optional).
const OPTIONAL_PEERS: Record<string, string> = { '@aws-sdk/client-eventbridge': '^3.188.0' };
project.package.addField('optionalPeerDependencies', OPTIONAL_PEERS);
project.package.addField('peerDependenciesMeta', Object.fromEntries(Object.keys(OPTIONAL_PEERS).map((name) => [name, { optional: true }])));

// Integration tests (test/integ/integ.*.ts): integ-runner synthesizes every app and compares it with its committed
// snapshot (test/integ/integ.*.ts.snapshot/). Without --update-on-failed or --force it deploys nothing and needs no
// credentials; it fails when a template differs from its snapshot or a snapshot is missing.
const INTEG_RUNNER = [
  'integ-runner',
  '--directory test/integ',
  // TypeScript apps, transpiled only (they are type-checked with the tests), through a wrapper that bridges the cloud
  // assembly schema versions of aws-cdk-lib and integ-runner (see test/integ/run-app.js).
  '--app "node test/integ/run-app.js {filePath}"',
  '--test-regex "^integ\\..*\\.ts$"',
  '--max-workers 2',
].join(' ');
const integSnapshots = project.addTask('integ:snapshots', {
  description: 'Synthesize every integration test app and compare it with its committed snapshot (no credentials, deploys nothing)',
  exec: INTEG_RUNNER,
  receiveArgs: true,
});
integSnapshots.prependSpawn(project.tasks.tryFind('bundle')!);
project.addTask('integ:update', {
  description: 'Rewrite the snapshot of every integration test app whose template changed (no credentials, deploys nothing): review the diff',
  exec: `${INTEG_RUNNER} --dry-run --update-on-failed`,
  receiveArgs: true,
}).prependSpawn(project.tasks.tryFind('bundle')!);
project.addTask('integ:deploy', {
  description: 'Deploy every integration test app (or the ones named) to your AWS account, run its assertions, destroy it and update its snapshot',
  exec: `${INTEG_RUNNER} --force --update-on-failed`,
  receiveArgs: true,
}).prependSpawn(project.tasks.tryFind('bundle')!);

// The compatibility job: a copy of the repository outside it, on the aws-cdk-lib/constructs floor (scripts/compat-floor.sh).
project.addTask('test:compat', {
  description: `Compile, test and synthesize the example on the aws-cdk-lib ${CDK_FLOOR} / constructs ${CONSTRUCTS_FLOOR} floor, in a copy outside the repository`,
  exec: 'scripts/compat-floor.sh',
});

// jsii-docgen documents the jsii assembly only; the TypeScript-only publisher for Lambda code
// (lib/runtime/publisher) is appended to API.md by this script, so that no public symbol is missing from it.
project.tasks.tryFind('docgen')!.exec('ts-node --project projenrc/tsconfig.json projenrc/api-md-typescript-only.ts');

project.addPackageIgnore('/examples/');
project.addPackageIgnore('/scripts/');
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/cdk.json');
project.addPackageIgnore('/.ci/');
project.addPackageIgnore('/requirements-dev.*');
project.addPackageIgnore('/bindings/');
project.addPackageIgnore('/tools/');
// Local outputs that must never reach the tarball (checked by test/package-contents.test.ts).
for (const local of ['/cdk.out/', '/.readme-snippets/', '/.moto/', '/.venv/', '/bench/out/', '/.jsii.tabl.json', '/coverage/', '/test-reports/']) {
  project.addPackageIgnore(local);
}

project.synth();

/** Every handler entry point (`*.lambda.ts` in a `runtime` folder) under `dir`, sorted. */
function handlerEntryPoints(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => join(dir, file).split('\\').join('/'))
    .filter((file) => /\/runtime\/[^/]+\.lambda\.ts$/.test(file))
    .sort();
}
