import { readdirSync, statSync } from 'fs';
import { join, relative } from 'path';
import * as ts from 'typescript';

const isAlias = (symbol: ts.Symbol): boolean => (symbol.flags & ts.SymbolFlags.Alias) !== 0; // eslint-disable-line no-bitwise

/**
 * Exports under `src/` that no other file imports and that no public entry point re-exports: "dead exports"
 * (issue #20 point 7). An export counts as used when
 * - another file imports it by name, by namespace, or re-exports it by name;
 * - a public entry point (`entryPoints`) exports it, directly or through `export *` chains;
 * - another export of the same file refers to it in its declaration's types (a parameter or result type must stay
 *   exported for the declaration files), function bodies and initializers not counted;
 * - it is the `handler` of a `*.lambda.ts` file (the esbuild entry point);
 * - it is in a generated file (`*.generated.ts`: every type of a contract, used or not).
 * What is left is either unused or used only inside its own file: delete it, or drop the `export`.
 */
export function unusedExports(root: string, options: { scan: string[]; checked: string; entryPoints: string[] }): string[] {
  const files = options.scan.flatMap((dir) => tsFiles(join(root, dir)));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.CommonJS,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    resolveJsonModule: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const used = new Set<ts.Declaration>();
  const own = (sf: ts.SourceFile) => relative(root, sf.fileName).split('\\').join('/');

  const mark = (symbol: ts.Symbol | undefined): void => {
    if (!symbol) return;
    const target = isAlias(symbol) ? checker.getAliasedSymbol(symbol) : symbol;
    for (const d of target.declarations ?? []) used.add(d);
  };
  const markModule = (file: ts.SourceFile, seen: Set<ts.SourceFile>): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const moduleSymbol = checker.getSymbolAtLocation(file);
    for (const e of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
      const target = isAlias(e) ? checker.getAliasedSymbol(e) : e;
      for (const d of target.declarations ?? []) {
        used.add(d);
        if (ts.isSourceFile(d)) markModule(d, seen); // export * as ns from './x'
      }
    }
  };

  const sources = program.getSourceFiles().filter((sf) => !sf.isDeclarationFile && !relative(root, sf.fileName).startsWith('..')
    && !sf.fileName.includes('node_modules'));
  for (const sf of sources) {
    if (options.entryPoints.includes(own(sf))) markModule(sf, new Set());
    sf.forEachChild(function visit(node: ts.Node): void {
      if (ts.isImportDeclaration(node) && node.importClause) {
        const { name, namedBindings } = node.importClause;
        if (name) mark(checker.getSymbolAtLocation(name));
        if (namedBindings && ts.isNamedImports(namedBindings)) namedBindings.elements.forEach((e) => mark(checker.getSymbolAtLocation(e.name)));
        if (namedBindings && ts.isNamespaceImport(namedBindings)) {
          const m = checker.getSymbolAtLocation(node.moduleSpecifier);
          if (m) checker.getExportsOfModule(m).forEach(mark);
        }
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && node.exportClause && ts.isNamedExports(node.exportClause)) {
        node.exportClause.elements.forEach((e) => mark(checker.getSymbolAtLocation(e.propertyName ?? e.name)));
      }
      node.forEachChild(visit);
    });
  }

  const checkedFiles = sources.filter((sf) => own(sf).startsWith(options.checked));
  const exportsOf = (sf: ts.SourceFile) => {
    const m = checker.getSymbolAtLocation(sf);
    return m ? checker.getExportsOfModule(m).filter((e) => !isAlias(e)) : [];
  };
  for (const sf of checkedFiles) {
    const exported = new Set(exportsOf(sf));
    for (const e of exported) {
      for (const d of e.declarations ?? []) {
        d.forEachChild(function walk(node: ts.Node): void {
          if (ts.isBlock(node) || isInitializerOrBody(node)) return;
          if (ts.isIdentifier(node)) {
            const s = checker.getSymbolAtLocation(node);
            if (s && s !== e && exported.has(s)) mark(s);
          }
          node.forEachChild(walk);
        });
      }
    }
  }

  const unused: string[] = [];
  for (const sf of checkedFiles) {
    for (const e of exportsOf(sf)) {
      if (own(sf).endsWith('.lambda.ts') && e.name === 'handler') continue;
      if (own(sf).endsWith('.generated.ts')) continue;
      if ((e.declarations ?? []).some((d) => used.has(d))) continue;
      unused.push(`${own(sf)}: ${e.name}`);
    }
  }
  return unused.sort();
}

function isInitializerOrBody(node: ts.Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isParameter(parent) || ts.isEnumMember(parent))
    && parent.initializer === node) return true;
  return ts.isArrowFunction(parent) && parent.body === node;
}

function tsFiles(dir: string): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  return names.flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.') || name.endsWith('.snapshot')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}
