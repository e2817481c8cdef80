// Paths shared by tests: the repository root (found by walking up from the compiled test file, which
// may live in dist/ or another build folder) and the CLI entry.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  let dir = from;
  for (;;) {
    const pkg = resolve(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'stackplay') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the stackplay repository root');
    dir = up;
  }
}

export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const BIN = resolve(REPO_ROOT, 'bin/stackplay.js');
export const FIXTURES = resolve(REPO_ROOT, 'test/fixtures');
