import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, '.readme-snippets');

/** Every ```ts block of the README, as [line, code]. */
function snippets(): Array<[number, string]> {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const out: Array<[number, string]> = [];
  const re = /```ts\n([\s\S]*?)```/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    out.push([text.slice(0, m.index).split('\n').length, m[1]]);
  }
  return out;
}

test('every TypeScript snippet in the README compiles against the library', () => {
  const blocks = snippets();
  expect(blocks.length).toBeGreaterThanOrEqual(5);
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const files = blocks.map(([line, code]) => {
    const file = path.join(OUT, `readme-line-${line}.ts`);
    const source = code
      .replace(/from 'cdk-eventbridge-blueprints'/g, "from '../src'")
      .replace(/from 'cdk-eventbridge-blueprints\/lib\/([^']+)'/g, "from '../src/$1'");
    // Each snippet is a module of its own.
    fs.writeFileSync(file, `${source}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    ignoreDeprecations: '6.0',
  } as ts.CompilerOptions);
  const problems = ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file && d.file.fileName.startsWith(OUT))
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${path.basename(d.file!.fileName)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  expect(problems).toEqual([]);
});

test('the Python and Java examples of the README are the files the binding tests run, word for word', () => {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const re = /```(python|java)\n((?:#|\/\/) (bindings\/\S+?\.(?:py|java))\b[\s\S]*?)```/g;
  const seen: string[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const [, language, code, file] = m;
    seen.push(language);
    expect({ file, code }).toEqual({ file, code: fs.readFileSync(path.join(ROOT, file), 'utf8') });
  }
  expect(seen.sort()).toEqual(['java', 'python']);
});
