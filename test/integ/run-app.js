// Runs one integ app for integ-runner (its `--app` command): `node run-app.js integ.<name>.ts`.
//
// Why a wrapper: the newest @aws-cdk/integ-runner on the registry (2.197.10) bundles a CDK toolkit that reads cloud
// assembly schema 53 at most, and refuses the schema-55 manifests that aws-cdk-lib 2.276 writes
// ("AssemblyVersionMismatch: Maximum schema version supported is 53.x.x, but found 55.0.0"), before it compares or
// deploys anything. After the app has synthesized, this wrapper lowers the `version` field of the assembly's
// manifests to the newest major integ-runner reads. Nothing else is changed: the templates and asset manifests that
// the snapshot comparison reads are the app's own. Remove this wrapper (and the `--app` option of the integ tasks
// in .projenrc.ts) once an integ-runner that reads schema 55 is available.
'use strict';
const fs = require('fs');
const path = require('path');

const INTEG_RUNNER_MAX_SCHEMA_MAJOR = 53;

const [appFile] = process.argv.slice(2);
if (!appFile) {
  console.error('usage: node run-app.js <integ app .ts file>');
  process.exit(2);
}
const outdir = process.env.CDK_OUTDIR;

// Transpile only: the apps are type-checked with the tests (tsc -p test/tsconfig.json).
require('ts-node/register/transpile-only');
require(path.resolve(appFile));

if (outdir) {
  for (const file of fs.readdirSync(outdir)) {
    if (!/^(manifest|integ|.+\.assets)\.json$/.test(file)) continue;
    const at = path.join(outdir, file);
    const json = JSON.parse(fs.readFileSync(at, 'utf8'));
    const major = typeof json.version === 'string' ? Number(json.version.split('.')[0]) : NaN;
    if (major > INTEG_RUNNER_MAX_SCHEMA_MAJOR) {
      json.version = `${INTEG_RUNNER_MAX_SCHEMA_MAJOR}.0.0`;
      fs.writeFileSync(at, JSON.stringify(json, undefined, 2));
    }
  }
}
