#!/usr/bin/env node
// `npm test` after the build: every compiled test, or only the files given (`npm test -- test/cli/cli.test.ts`;
// a source path under test/ maps to its compiled file under dist/test/, a dist/ path is taken as it is).
// Other arguments (--grep, --bail, …) go to mocha unchanged.
// The whole test process gets a state and cache directory of its own: a run started by any test without
// --journal-dir journals there, never into the user's journal (~/.local/state/stackplay) or the checkout.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2).map((a) => (/^test\/.*\.test\.ts$/.test(a) ? `dist/${a.replace(/\.ts$/, '.js')}` : a));
const files = args.filter((a) => /\.test\.js$/.test(a));
const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
const home = mkdtempSync(join(os.tmpdir(), 'stackplay-test-home-'));
const env = { ...process.env, XDG_STATE_HOME: join(home, 'state'), XDG_CACHE_HOME: join(home, 'cache') };
delete env.STACKPLAY_JOURNAL_DIR;
const r = spawnSync(process.execPath, [mocha, ...args, ...(files.length === 0 ? ['dist/test/**/*.test.js'] : [])], { stdio: 'inherit', env });
rmSync(home, { recursive: true, force: true });
process.exit(r.status ?? 1);
