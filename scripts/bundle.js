#!/usr/bin/env node
// Bundles the compiled CLI (dist/src, from tsc) into dist/cli for bin/stackplay.js. Node 20 has no
// compile cache, and each ES module costs a resolution, four file operations and a compile at start:
// one chunk per lazily loaded part (lab, task list, SSH, HTTP…) instead of ~100 files takes ~20% off
// every command's start. ssh2 stays external (native optional parts), Handlebars' single-file build is
// loaded from node_modules at run time (src/template/handlebars.ts); tests of modules use dist/src.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/cli');
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/src/cli/main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2'],
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  // bundled CommonJS code (commander) and src/template/handlebars.ts call require()
  banner: { js: "import { createRequire as __stackplayRequire } from 'node:module'; const require = __stackplayRequire(import.meta.url);" },
  logLevel: 'warning',
});
