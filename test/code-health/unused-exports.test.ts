import { join } from 'path';
import { unusedExports } from './unused-exports';

test('the check finds an export used by nobody and one used only in its own file', () => {
  const fixture = join(__dirname, 'fixture');
  expect(unusedExports(fixture, { scan: ['src', 'test'], checked: 'src/', entryPoints: ['src/index.ts'] }))
    .toEqual(['src/lib.ts: LOCAL_ONLY', 'src/lib.ts: neverUsed']);
});
