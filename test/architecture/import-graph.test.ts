// The shape of src/: one folder per pipeline stage, and imports between folders point one way. Every
// import counts — type-only imports, `export … from`, dynamic `import()` and `import('…').T` in type
// positions — because a cycle through types still ties two stages together. TypeScript's own
// pre-processor finds them (it skips comments and strings that only look like imports). No arrow points
// from a pipeline stage back to one that calls it (cli → app → planner → engine → steps → transports;
// events → renderers and the journal), and no source file grows past the hard limit of 350 lines (the
// house style asks for 300).

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

/** Every import of a file in src/: the importing file and the imported one, both relative to src/. */
export function fileImports(files: readonly string[]): Array<{ readonly from: string; readonly to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  for (const file of files) {
    for (const ref of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = normalize(join(dirname(file), ref.fileName)).replace(/\.js$/, '.ts');
      if (target.startsWith(SRC + sep)) out.push({ from: relative(SRC, file), to: relative(SRC, target) });
    }
  }
  return out;
}

/** The stages below the application layer, and what they must never import: the layers that call them. */
const CALLERS = ['cli', 'app', 'renderers', 'journal'];
const BELOW_APP = ['planner', 'engine', 'runtime', 'steps', 'transports', 'cloudstack', 'loader', 'inventory', 'template', 'expr', 'yaml', 'diagnostics', 'secrets', 'util'];

/** Imports that point from a stage back to one of its callers (or, for renderers, into the engine's internals). */
export function backArrows(imports: ReadonlyArray<{ readonly from: string; readonly to: string }>): string[] {
  const top = (f: string): string => f.split(sep)[0]!;
  const bad: string[] = [];
  for (const { from, to } of imports) {
    const a = top(from);
    const b = top(to);
    if (a === b) continue;
    const why =
      BELOW_APP.includes(a) && CALLERS.includes(b) ? `${a} is called by ${b}`
        : a === 'planner' && b === 'engine' ? 'the planner comes before the executor'
          : a === 'app' && b === 'cli' ? 'the CLI calls the application layer'
            : (a === 'renderers' || a === 'journal') && ['cli', 'app', 'planner', 'runtime', 'steps', 'transports', 'cloudstack'].includes(b) ? `${a} only reads events`
              : a === 'renderers' && b === 'engine' && to !== join('engine', 'events.ts') ? 'renderers read the events, not the engine'
                : a === 'runtime' && b === 'steps' && to !== join('steps', 'types.ts') ? 'steps call the services (only their contract, steps/types.ts, is shared)'
                  : a === 'lab' ? 'the lab imports nothing from the runner'
                    : undefined;
    if (why !== undefined) bad.push(`${from} imports ${to} (${why})`);
  }
  return bad;
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

  it('has no arrow from a stage back to its callers: engine, steps and transports never import cli, app or renderers; renderers read only the events', () => {
    // the check itself sees a back arrow when there is one
    expect(backArrows([
      { from: join('engine', 'executor.ts'), to: join('app', 'run.ts') },
      { from: join('renderers', 'plain.ts'), to: join('engine', 'run-context.ts') },
      { from: join('renderers', 'plain.ts'), to: join('engine', 'events.ts') },
      { from: join('app', 'run.ts'), to: join('engine', 'executor.ts') },
      { from: join('runtime', 'cloudstack-factory.ts'), to: join('steps', 'cloudstack', 'common.ts') },
      { from: join('runtime', 'services.ts'), to: join('steps', 'types.ts') },
    ])).to.have.length(3);
    expect(backArrows(fileImports(files))).to.deep.equal([]);
  });

  it('has no file over 350 lines', () => {
    const long = files.map((f) => [relative(REPO_ROOT, f), readFileSync(f, 'utf8').split('\n').length - 1] as const).filter(([, n]) => n > 350);
    expect(long.map(([f, n]) => `${f}: ${n} lines`)).to.deep.equal([]);
  });
});
