#!/usr/bin/env node
// Entry point. `--version` is answered without loading anything else, so the common quick checks stay
// as fast as bare node. Every other command runs the CLI bundle (dist/cli/main.cjs, built by
// scripts/bundle.js) through a V8 code cache kept in the user's cache directory. V8 itself checks only
// the source's length, so the cache file is named by a hash of the bundle's content and Node's version:
// a rebuilt bundle (even of the same length) never runs the code cached for the old one.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const KEEP_CACHES = 3;
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const file = fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url));
  const bytes = readFileSync(file);
  const source = bytes.toString('utf8');
  // about a millisecond for the 1.2 MB bundle (sha256 runs in hardware): not measurable at start-up
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 24);
  const cacheDir = join(process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache'), 'stackplay');
  const cacheName = `main-${process.version}-${digest}.v8`;
  const cacheFile = join(cacheDir, cacheName);
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
        // caches of earlier builds pile up: the newest few stay (two installs used in turn keep theirs)
        const caches = readdirSync(cacheDir).filter((f) => /^main-.*\.v8$/.test(f)).map((f) => ({ f, t: statSync(join(cacheDir, f)).mtimeMs }));
        for (const { f } of caches.sort((a, b) => b.t - a.t).slice(KEEP_CACHES)) rmSync(join(cacheDir, f), { force: true });
      } catch {
        // a cache is an optimisation only
      }
    }
  }
}
