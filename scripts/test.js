#!/usr/bin/env node
// `npm test` after the build: every compiled test, or only the files given (`npm test -- test/cli/cli.test.ts`;
// a source path under test/ maps to its compiled file under dist/test/, a dist/ path is taken as it is).
// Other arguments (--grep, --bail, …) go to mocha unchanged.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const args = process.argv.slice(2).map((a) => (/^test\/.*\.test\.ts$/.test(a) ? `dist/${a.replace(/\.ts$/, '.js')}` : a));
const files = args.filter((a) => /\.test\.js$/.test(a));
const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
const r = spawnSync(process.execPath, [mocha, ...args, ...(files.length === 0 ? ['dist/test/**/*.test.js'] : [])], { stdio: 'inherit' });
process.exit(r.status ?? 1);
