// Reads the worked examples out of a docs page so the test suite can check that every documented
// result is the real one. Examples are lines "INPUT  →  RESULT" inside ```text fences; the first
// ```json fence holds the example variables.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Version, isUnknown } from '../../src/expr/index.js';

export interface DocExample {
  readonly input: string;
  readonly expected: string;
  readonly line: number;
}

export interface DocPage {
  readonly scope: Record<string, unknown>;
  readonly examples: readonly DocExample[];
}

/** The repository root, found upwards from this (compiled) file so any build folder works. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'docs'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root');
    dir = parent;
  }
  return dir;
}

export function readDocPage(relativePath: string): DocPage {
  const lines = readFileSync(join(repoRoot(), relativePath), 'utf8').split('\n');
  let fence: string | undefined;
  let json: string[] | undefined;
  let scope: Record<string, unknown> | undefined;
  const examples: DocExample[] = [];
  lines.forEach((line, index) => {
    if (line.startsWith('```')) {
      if (fence === undefined) {
        fence = line.slice(3).trim();
        if (fence === 'json' && scope === undefined) json = [];
      } else {
        if (json) scope = JSON.parse(json.join('\n')) as Record<string, unknown>;
        fence = undefined;
        json = undefined;
      }
      return;
    }
    if (json) json.push(line);
    const arrow = line.indexOf('  →  ');
    if (fence === 'text' && arrow > 0) {
      examples.push({ input: line.slice(0, arrow).trimEnd(), expected: line.slice(arrow + 5), line: index + 1 });
    }
  });
  if (!scope) throw new Error(`${relativePath} has no example variables`);
  return { scope, examples };
}

/** How docs write a result: bare text for plain strings, "(type) JSON" otherwise. */
export function showResult(value: unknown): string {
  if (isUnknown(value)) return '(unknown)';
  if (value instanceof Version) return `(version) ${value.text}`;
  if (typeof value === 'string') return value === '' || /^\s|\s$|\n/.test(value) ? `(string) ${JSON.stringify(value)}` : value;
  if (value === null) return '(null)';
  if (typeof value === 'number') return `(number) ${value}`;
  if (typeof value === 'boolean') return `(boolean) ${value}`;
  if (Array.isArray(value)) return `(list) ${JSON.stringify(value)}`;
  return `(map) ${JSON.stringify(value)}`;
}
