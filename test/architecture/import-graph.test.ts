// The shape of src/: one folder per pipeline stage, and imports between folders point one way. Every
// import counts — type-only imports, `export … from`, dynamic `import()` and `import('…').T` in type
// positions — because a cycle through types still ties two stages together. TypeScript's own
// pre-processor finds them (it skips comments and strings that only look like imports). And no source
// file grows past the hard limit of 350 lines (the house style asks for 300).

import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../support/paths.js';

const SRC = join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** The top-level folder of src/ a file belongs to ('' for a file directly in src/). */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0]! : '';
}

/** folder → folder → one file that makes the edge (shown when a cycle is found). */
export function folderGraph(files: readonly string[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const ref of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = normalize(join(dirname(file), ref.fileName));
      if (!target.startsWith(SRC + sep)) continue;
      const to = folderOf(target);
      if (to !== from && !edges.has(to)) edges.set(to, `${relative(REPO_ROOT, file)} imports ${ref.fileName}`);
    }
  }
  return graph;
}

/** Every elementary cycle found by a depth-first search, each as a list of folders (first = last). */
export function findCycles(graph: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): void => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const cycle = [...path.slice(at), node];
      const key = [...cycle.slice(0, -1)].sort().join(' ');
      if (!seen.has(key)) {
        seen.add(key);
        cycles.push(cycle);
      }
      return;
    }
    path.push(node);
    for (const next of graph.get(node)?.keys() ?? []) visit(next);
    path.pop();
  };
  for (const node of graph.keys()) visit(node);
  return cycles;
}

describe('architecture: the import graph of src/', () => {
  const files = sourceFiles(SRC);

  it('finds the imports of every kind (the check can see what it must)', () => {
    const graph = folderGraph(files);
    // type-only (engine/events ← renderers), dynamic (cli → journal) and plain imports all count
    expect([...(graph.get('renderers')?.keys() ?? [])]).to.include('engine');
    expect([...(graph.get('cli')?.keys() ?? [])]).to.include.members(['journal', 'engine']);
    expect(findCycles(new Map([['a', new Map([['b', 'x']])], ['b', new Map([['a', 'y']])]]))).to.deep.equal([['a', 'b', 'a']]);
  });

  it('has no cycle between folders, type-only imports included', () => {
    const graph = folderGraph(files);
    const cycles = findCycles(graph).map((c) =>
      `${c.join(' → ')}\n${c.slice(0, -1).map((f, i) => `    ${graph.get(f)!.get(c[i + 1]!)}`).join('\n')}`);
    expect(cycles, `folder-level import cycles:\n  ${cycles.join('\n  ')}`).to.deep.equal([]);
  });

  it('has no file over 350 lines', () => {
    const long = files.map((f) => [relative(REPO_ROOT, f), readFileSync(f, 'utf8').split('\n').length - 1] as const).filter(([, n]) => n > 350);
    expect(long.map(([f, n]) => `${f}: ${n} lines`)).to.deep.equal([]);
  });
});
