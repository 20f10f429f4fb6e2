import { readFileSync } from 'fs';
import { join } from 'path';
import { jsiiAssembly } from '../helpers';

/**
 * Every public symbol of the jsii assembly has its entry in the committed API.md (issue #20 point 7): each type, and
 * each public property, method, static and enum member, by the anchor jsii-docgen writes (`id="<fqn>..."`).
 * Protected members are not documented by jsii-docgen and are left out. `npm run build` compiles (.jsii) and
 * regenerates API.md before the tests; CI fails if the regenerated API.md differs from the committed one.
 */

const ROOT = join(__dirname, '..', '..');

function undocumented(jsii: any, apiMd: string): string[] {
  const missing: string[] = [];
  const has = (id: string) => apiMd.includes(`id="${id}"`);
  for (const [fqn, type] of Object.entries<any>(jsii.types)) {
    if (!has(fqn)) missing.push(fqn);
    for (const m of type.methods ?? []) if (!m.protected && !has(`${fqn}.${m.name}`)) missing.push(`${fqn}.${m.name}()`);
    for (const p of type.properties ?? []) if (!p.protected && !has(`${fqn}.property.${p.name}`)) missing.push(`${fqn}.${p.name}`);
    for (const e of type.members ?? []) if (!has(`${fqn}.${e.name}`)) missing.push(`${fqn}.${e.name}`);
  }
  return missing;
}

test('every public type and member of the assembly is in API.md', () => {
  const jsii = jsiiAssembly();
  const apiMd = readFileSync(join(ROOT, 'API.md'), 'utf8');
  expect(Object.keys(jsii.types).length).toBeGreaterThan(150);
  expect(undocumented(jsii, apiMd)).toEqual([]);
});

test('the check reports a type and a member that API.md lacks', () => {
  const jsii = {
    types: {
      'lib.core.Documented': { properties: [{ name: 'size' }], methods: [{ name: 'grant' }, { name: 'createResource', protected: true }] },
      'lib.core.Missing': { members: [{ name: 'ONE' }] },
    },
  };
  const apiMd = '<a name="Documented" id="lib.core.Documented"></a> <a id="lib.core.Documented.property.size"></a>';
  expect(undocumented(jsii, apiMd)).toEqual(['lib.core.Documented.grant()', 'lib.core.Missing', 'lib.core.Missing.ONE']);
});

test('every export of the TypeScript-only publisher (lib/runtime/publisher) is in API.md', () => {
  const apiMd = readFileSync(join(ROOT, 'API.md'), 'utf8');
  const source = readFileSync(join(ROOT, 'src', 'runtime', 'publisher.ts'), 'utf8');
  const names = [...source.matchAll(/^export (?:const|function|class|interface|type) (\w+)/gm)].map((m) => m[1]);
  expect(names).toEqual(expect.arrayContaining(['EventPublisher', 'ContractPublisher', 'PublishError', 'EventPublisherOptions']));
  const missing = names.filter((name) => !apiMd.includes(`id="cdk-eventbridge-blueprints/lib/runtime/publisher.${name}"`));
  expect(missing).toEqual([]);
});
