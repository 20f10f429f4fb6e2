/**
 * Appends to API.md the reference of the TypeScript-only public module `lib/runtime/publisher` (the event publisher
 * for Lambda code). jsii-docgen documents the jsii assembly only, and the publisher is not part of it (it is not
 * exported from src/index.ts: see docs/ARCHITECTURE.md), so without this step its public symbols would be missing
 * from API.md. Run by the `docgen` task after jsii-docgen: `ts-node --transpile-only projenrc/api-md-typescript-only.ts`.
 */
import { appendFileSync, readFileSync } from 'fs';
import { join } from 'path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
const MODULES = [{ file: 'src/runtime/publisher.ts', importPath: 'cdk-eventbridge-blueprints/lib/runtime/publisher' }];

/** The markdown reference of one module: each export with its TSDoc and its declaration without bodies. */
export function moduleReference(fileName: string, text: string, importPath: string): string {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2020, true);
  const lines = [`### \`${importPath}\``, '', `TypeScript only (not a jsii submodule). Source: \`${fileName}\`.`, ''];
  for (const statement of sf.statements) {
    if (!isExported(statement)) continue;
    const name = declarationName(statement);
    lines.push(`#### \`${name}\` <a name="${importPath}.${name}" id="${importPath}.${name}"></a>`, '');
    const doc = docOf(statement, sf);
    if (doc) lines.push(doc, '');
    lines.push('```ts', signature(statement, sf), '```', '');
    if (ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement)) {
      for (const member of statement.members as ts.NodeArray<ts.ClassElement | ts.TypeElement>) {
        if (isPrivate(member) || (!member.name && !ts.isConstructorDeclaration(member))) continue;
        const memberDoc = docOf(member, sf);
        const memberName = member.name ? member.name.getText(sf) : 'constructor';
        lines.push(`- \`${signature(member, sf).replace(/\s+/g, ' ')}\`${memberDoc ? `: ${memberDoc.split('\n').join(' ')}` : ''}` +
          ` <a id="${importPath}.${name}.${memberName}"></a>`);
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}

function isExported(node: ts.Statement): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function isPrivate(node: ts.Node): boolean {
  if (ts.isConstructorDeclaration(node)) return false;
  const modifiers = ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : [];
  if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) return true;
  return !!(node as ts.NamedDeclaration).name && ts.isPrivateIdentifier((node as ts.NamedDeclaration).name!);
}

function declarationName(node: ts.Statement): string {
  if (ts.isVariableStatement(node)) return node.declarationList.declarations.map((d) => d.name.getText()).join(', ');
  return (node as ts.DeclarationStatement).name?.getText() ?? '(default)';
}

/** The TSDoc comment's text, tags kept (`@param`, `@default`...), comment markers removed. */
function docOf(node: ts.Node, sf: ts.SourceFile): string {
  const jsDoc = (node as any).jsDoc as ts.JSDoc[] | undefined;
  if (!jsDoc?.length) return '';
  const raw = jsDoc[jsDoc.length - 1].getText(sf);
  return raw.replace(/^\/\*\*\s?/, '').replace(/\s*\*\/$/, '').split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim();
}

/** The declaration's text without its TSDoc, its function bodies and its initializers (constants keep theirs). */
function signature(node: ts.Node, sf: ts.SourceFile): string {
  const start = node.getStart(sf, false);
  let text = sf.text.slice(start, node.end);
  const cut = (inner: ts.Node | undefined, replacement: string) => {
    if (!inner) return;
    const from = inner.getStart(sf) - start;
    text = text.slice(0, from).trimEnd() + replacement;
  };
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)
    || ts.isGetAccessorDeclaration(node)) {cut(node.body, ';');} else if (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) {
    const open = text.indexOf('{', (node.heritageClauses?.[node.heritageClauses.length - 1]?.end ?? node.name?.end ?? start) - start);
    text = text.slice(0, open).trimEnd() + ' { ... }';
  } else if (ts.isPropertyDeclaration(node) && node.initializer && !ts.isLiteralExpression(node.initializer)) {
    cut(node.initializer, '= ...;');
  }
  return text.trim();
}

if (require.main === module) {
  const sections = MODULES.map(({ file, importPath }) => moduleReference(file, readFileSync(join(ROOT, file), 'utf8'), importPath));
  appendFileSync(join(ROOT, 'API.md'), ['', '## TypeScript-only modules', '', ...sections].join('\n'));
}
