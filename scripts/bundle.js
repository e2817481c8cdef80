#!/usr/bin/env node
// Bundles the compiled CLI (dist/src, from tsc) into one CommonJS file, dist/cli/main.cjs, which
// bin/stackplay.js loads with a V8 code cache. Node 20 has no module compile cache: each ES module
// cost a resolution, file reads and a compile at every start, and compiling the code of a run cost as
// much again. One file plus a code cache takes about a third off a short command's time.
// ssh2 stays external (native optional parts); Handlebars' single-file build is loaded from
// node_modules at run time (src/template/handlebars.ts); tests of modules use dist/src.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/cli');
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['dist/src/cli/main.js'],
  outfile: join(outdir, 'main.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['ssh2'],
  // the sources find files next to themselves through import.meta.url
  define: { 'import.meta.url': '__stackplayModuleUrl' },
  banner: { js: "const __stackplayModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
