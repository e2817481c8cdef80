// Exports nothing imports: what `src/` exports is meant to be used — by another module of `src/`, a test,
// a benchmark or a script — or it goes. Found from the syntax of every file (TypeScript's parser): named
// imports and re-exports resolved to the file they name, `import * as`, dynamic `import()` with the names
// it destructures, and `import('…').Name` in type positions. The public faces listed in PUBLIC are used
// by definition (the package's API, the lab's, the transports' and the client's).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

export interface Unused {
  readonly file: string;
  readonly name: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : /\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []);
}

/** The names a file exports (declarations with `export`, `export { … }`), without re-exports `from` elsewhere. */
function exportedNames(sf: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const st of sf.statements) {
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) ?? [] : [];
    if (mods.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
      } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) {
        names.push(st.name.text);
      }
    } else if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const e of st.exportClause.elements) names.push(e.name.text);
    }
  }
  return names;
}

export function unusedExports(root: string, sourceDir: string, usersDirs: readonly string[], publicFiles: readonly string[]): Unused[] {
  const all = [...new Set([sourceDir, ...usersDirs].flatMap((d) => tsFiles(join(root, d))))];
  const toSource = (from: string, spec: string): string | undefined => {
    if (!spec.startsWith('.')) return undefined;
    const p = normalize(join(dirname(from), spec));
    // tests and sources import the compiled name (x.js) of a source file (x.ts); benchmarks import dist/src
    const src = p.replace(/\.js$/, '.ts').replace(`${join(root, 'dist', 'src')}`, join(root, 'src'));
    return src;
  };
  const used = new Set<string>(); // `${file}#${name}`, or `${file}#*`
  const reexports: Array<{ readonly via: string; readonly name: string; readonly target: string; readonly original: string }> = [];
  for (const file of all) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const target = toSource(file, node.moduleSpecifier.text);
        const b = node.importClause?.namedBindings;
        if (target && b && ts.isNamedImports(b)) for (const e of b.elements) used.add(`${target}#${(e.propertyName ?? e.name).text}`);
        if (target && b && ts.isNamespaceImport(b)) used.add(`${target}#*`);
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        const target = toSource(file, node.moduleSpecifier.text);
        if (target && node.exportClause && ts.isNamedExports(node.exportClause)) {
          for (const e of node.exportClause.elements) reexports.push({ via: file, name: e.name.text, target, original: (e.propertyName ?? e.name).text });
        } else if (target) reexports.push({ via: file, name: '*', target, original: '*' });
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        const target = toSource(file, node.arguments[0].text);
        if (target) for (const n of destructured(node)) used.add(`${target}#${n}`);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        const target = toSource(file, node.argument.literal.text);
        if (target && node.qualifier) used.add(`${target}#${ts.isIdentifier(node.qualifier) ? node.qualifier.text : node.qualifier.right.text}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  // a re-export is a use when what it exports is used (or it is a public face)
  for (let changed = true; changed;) {
    changed = false;
    for (const r of reexports) {
      const viaUsed = publicFiles.includes(relative(root, r.via)) || used.has(`${r.via}#${r.name}`) || used.has(`${r.via}#*`) || r.name === '*';
      const key = `${r.target}#${r.original}`;
      if (viaUsed && !used.has(key)) {
        used.add(key);
        changed = true;
      }
    }
  }
  const out: Unused[] = [];
  for (const file of tsFiles(join(root, sourceDir))) {
    const rel = relative(root, file);
    if (publicFiles.includes(rel)) continue;
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const name of exportedNames(sf)) {
      if (!used.has(`${file}#${name}`) && !used.has(`${file}#*`) && !used.has(`${file}#${'*'}`)) out.push({ file: rel, name });
    }
  }
  return out;
}

/** `const { a, b } = await import(…)`, `const [{ a }, { b }] = await Promise.all([import(…), …])`: the names taken. */
function destructured(call: ts.CallExpression): string[] {
  let n: ts.Node = call;
  // Promise.all([import(a), import(b)]) destructured as [{…}, {…}]
  let index = -1;
  if (ts.isArrayLiteralExpression(n.parent)) {
    index = n.parent.elements.indexOf(call as ts.Expression);
    n = n.parent.parent; // the Promise.all call
  }
  while (n.parent && (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent))) n = n.parent;
  const decl = n.parent;
  if (!decl || !ts.isVariableDeclaration(decl)) return ['*'];
  let pattern: ts.BindingName = decl.name;
  if (index >= 0) {
    if (!ts.isArrayBindingPattern(pattern)) return ['*'];
    const el = pattern.elements[index];
    if (!el || ts.isOmittedExpression(el)) return [];
    pattern = el.name;
  }
  if (!ts.isObjectBindingPattern(pattern)) return ['*'];
  return pattern.elements.map((e) => (e.propertyName && ts.isIdentifier(e.propertyName) ? e.propertyName.text : ts.isIdentifier(e.name) ? e.name.text : '*'));
}
