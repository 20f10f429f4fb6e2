import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { addExampleStacks } from '../examples/stacks';
import { main } from '../src/testing/cli';

// The README shows the diagram of the example app; it must be what the diagram command prints for it.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-readme-diagram-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the README diagram is what `diagram` prints for the example app', async () => {
  // Like `cdk synth`, which writes construct paths into the templates.
  const app = new App({ outdir: dir, context: { 'aws:cdk:enable-path-metadata': true } });
  addExampleStacks(app);
  app.synth();
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const block = /<!-- diagram: (.*) -->\n```mermaid\n([\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  let out = '';
  let err = '';
  const code = await main(['diagram', '--app', dir, ...block![1].split(' ')], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  expect(code).toBe(0);
  expect(err).not.toMatch(/error/);
  expect(out).toBe(block![2]);
});
