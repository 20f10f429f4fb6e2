import { join } from 'path';
import { unusedExports } from './unused-exports';

test('the check finds an export used by nobody and one used only in its own file', () => {
  const fixture = join(__dirname, 'fixture');
  expect(unusedExports(fixture, { scan: ['src', 'test'], checked: 'src/', entryPoints: ['src/index.ts'] }))
    .toEqual(['src/lib.ts: LOCAL_ONLY', 'src/lib.ts: neverUsed']);
});

test('src/ has no dead export: every export is imported elsewhere, public, or part of another export\'s types', () => {
  const unused = unusedExports(join(__dirname, '..', '..'), {
    scan: ['src', 'test', 'bench', 'examples', 'projenrc', 'scripts'],
    checked: 'src/',
    // the jsii submodules, the TypeScript-only publisher for Lambda code, and the deprecated deep-import paths
    entryPoints: ['src/index.ts', 'src/runtime/publisher.ts', 'src/custom-bus/index.ts', 'src/pattern-matching/index.ts'],
  });
  expect(unused).toEqual([]);
});
