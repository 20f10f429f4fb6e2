import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The tarball we release, made as `npm run package:js` and every language package make it (scripts/pack-clean.sh);
// the build runs this after compile and bundle, so lib/ and assets/ exist.
const ROOT = path.join(__dirname, '..');
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'package-contents-'));
const TARBALL = path.join(WORK, execFileSync('bash', [path.join(ROOT, 'scripts', 'pack-clean.sh'), ROOT], { cwd: WORK, encoding: 'utf8' })
  .trim().split('\n').pop()!);
const files = execFileSync('tar', ['-tzf', TARBALL], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  .split('\n').filter((f) => f !== '' && !f.endsWith('/')).map((f) => f.replace(/^package\//, ''));
const manifest = JSON.parse(execFileSync('tar', ['-xzOf', TARBALL, 'package/package.json'], { encoding: 'utf8' }));
const repoManifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

describe('the npm tarball', () => {
  test('holds the compiled library, its jsii assembly, the bundled handlers and the docs', () => {
    for (const required of ['lib/index.js', 'lib/index.d.ts', '.jsii', 'README.md', 'LICENSE', 'package.json', 'lib/runtime/publisher.js', 'lib/runtime/publisher.d.ts']) {
      expect(files).toContain(required);
    }
    const handlers = files.filter((f) => /^assets\/blueprints\/[a-z-]+\/runtime\/[a-z-]+\.lambda\/index\.js$/.test(f));
    expect(handlers.length).toBeGreaterThanOrEqual(5);
  });

  test('carries its run-time dependencies bundled (Ajv for draft-04 checks, JSONata)', () => {
    expect(manifest.bundledDependencies).toEqual(expect.arrayContaining(['ajv', 'ajv-draft-04', 'jsonata']));
    for (const dep of ['ajv', 'ajv-draft-04', 'jsonata']) {
      expect(files).toContain(`node_modules/${dep}/package.json`);
    }
  });

  test('ships no TypeScript sources and no source maps, its own or of bundled dependencies', () => {
    expect(files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.map$/.test(f))).toEqual([]);
    // The bundled dependencies' compiled JavaScript stays.
    expect(files).toContain('node_modules/ajv/dist/ajv.js');
  });

  test('has a release version, with a CHANGELOG entry for it', () => {
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.version).not.toBe('0.0.0');
    expect(files).toContain('CHANGELOG.md');
    expect(fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8')).toContain(`## [${manifest.version}]`);
  });

  test('declares the AWS SDK of the public publisher as an optional peer dependency', () => {
    expect(manifest.peerDependencies['@aws-sdk/client-eventbridge']).toBe(repoManifest.optionalPeerDependencies['@aws-sdk/client-eventbridge']);
    expect(manifest.peerDependenciesMeta['@aws-sdk/client-eventbridge']).toEqual({ optional: true });
    expect(manifest.optionalPeerDependencies).toBeUndefined();
    // jsii's own view (package.json's peers, read by jsii) keeps to the jsii peers.
    expect(Object.keys(repoManifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
  });

  test('the publisher loads from a plain install without the AWS SDK, and says what is missing when it sends', () => {
    const install = path.join(WORK, 'plain', 'node_modules', 'cdk-eventbridge-blueprints');
    fs.mkdirSync(install, { recursive: true });
    execFileSync('tar', ['-xzf', TARBALL, '-C', install, '--strip-components=1']);
    const script = `
      const { EventPublisher } = require('cdk-eventbridge-blueprints/lib/runtime/publisher');
      const publisher = new EventPublisher({ client: { send: async () => ({}) }, eventBusName: 'orders', source: 'test' });
      publisher.publish([{ detailType: 'T', detail: {} }]).then(
        () => console.log('sent'), (e) => console.log('refused: ' + e.message));`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: path.join(WORK, 'plain'), encoding: 'utf8' });
    expect(out.trim()).toBe('refused: EventPublisher sends with @aws-sdk/client-eventbridge, which is not installed: '
      + 'the Lambda Node.js runtime provides it; elsewhere add it to your dependencies (npm install @aws-sdk/client-eventbridge)');
  });

  test.each([
    ['the example app\'s synth output', /^cdk\.out\//],
    ['the README snippet cache', /^\.readme-snippets\//],
    ['moto state', /^\.moto\//],
    ['the Python tools of the checks', /^(\.venv\/|requirements-dev\.)/],
    ['benchmark output', /^bench\//],
    ['sources and tests', /^(src|test|examples|projenrc|bindings|scripts)\//],
    ['language packages', /^dist\//],
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
