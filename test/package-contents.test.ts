import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// What `npm pack` would put in the tarball (the build runs this after compile and bundle, so lib/ and assets/ exist).
interface PackFile { readonly path: string; readonly size: number }
const ROOT = path.join(__dirname, '..');
const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })) as
  Array<{ files: PackFile[]; bundled: string[]; unpackedSize: number }>;
const files = pack.files.map((f) => f.path);

describe('the npm tarball', () => {
  test('holds the compiled library, its jsii assembly, the bundled handlers and the docs', () => {
    for (const required of ['lib/index.js', 'lib/index.d.ts', '.jsii', 'README.md', 'LICENSE', 'package.json', 'lib/runtime/publisher.js', 'lib/runtime/publisher.d.ts']) {
      expect(files).toContain(required);
    }
    const handlers = files.filter((f) => /^assets\/blueprints\/[a-z-]+\/runtime\/[a-z-]+\.lambda\/index\.js$/.test(f));
    expect(handlers.length).toBeGreaterThanOrEqual(5);
  });

  test('carries its run-time dependencies bundled (Ajv for draft-04 checks)', () => {
    expect(pack.bundled).toEqual(expect.arrayContaining(['ajv', 'ajv-draft-04']));
  });

  test.each([
    ['the example app\'s synth output', /^cdk\.out\//],
    ['the README snippet cache', /^\.readme-snippets\//],
    ['moto state', /^\.moto\//],
    ['the Python tools of the checks', /^(\.venv\/|requirements-dev\.)/],
    ['benchmark output', /^bench\//],
    ['sources and tests', /^(src|test|examples|projenrc)\//],
    ['integration test apps, their snapshots and integ-runner output', /(^|\/)(integ\.[^/]+\.ts(\.snapshot\/|$)|cdk-integ\.out\.)/],
    ['handler code compiled by jsii (it needs devDependencies)', /^lib\/blueprints\/([a-z-]+\/runtime|runtime-shared)\//],
    ['coverage and test reports', /^(coverage|test-reports)\//],
    ['build configuration', /^(tsconfig.*\.json|\.projenrc\.ts|cdk\.json|\.jsii\.tabl\.json|\.eslintrc\.json)$/],
  ])('leaves out %s', (_name, pattern) => {
    expect(files.filter((f) => pattern.test(f))).toEqual([]);
  });

  test('the handler bundles are built from one Powertools version (one copy of commons to bundle)', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const powertools = Object.entries(lock.packages)
      .filter(([at]) => /node_modules\/@aws-lambda-powertools\/[a-z-]+$/.test(at))
      .map(([at, p]) => `${at.replace(/^.*node_modules\//, '')}@${p.version}`);
    expect(powertools.filter((p) => p.startsWith('@aws-lambda-powertools/commons@'))).toHaveLength(1);
    expect(new Set(powertools.map((p) => p.split('@')[2])).size).toBe(1);
  });
});
