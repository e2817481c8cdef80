#!/usr/bin/env node
// Entry point. `--version` is answered without loading anything else, so the common quick checks stay
// as fast as bare node. Every other command runs the CLI bundle (dist/cli/main.cjs, built by
// scripts/bundle.js) through a V8 code cache kept in the user's cache directory: V8 checks the cache
// against the source and its own version, and a rejected or missing cache is written anew after the run.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const file = fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url));
  const source = readFileSync(file, 'utf8');
  const cacheDir = join(process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache'), 'stackplay');
  const cacheFile = join(cacheDir, `main-${process.version}-${source.length}.v8`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // first run (or no home): compiled from source, cached afterwards
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  try {
    await mod.exports.main(argv);
  } finally {
    if (!cachedData || script.cachedDataRejected) {
      try {
        // after the run, so the cache holds the functions it compiled; written whole, then renamed
        // level by level: a recursive mkdir never returns where a parent cannot be made (it spins under /proc)
        for (const dir of [dirname(cacheDir), cacheDir]) {
          try {
            mkdirSync(dir, { mode: 0o700 });
          } catch (err) {
            if (err.code !== 'EEXIST') throw err;
          }
        }
        const tmp = `${cacheFile}.${process.pid}`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, cacheFile);
      } catch {
        // a cache is an optimisation only
      }
    }
  }
}
