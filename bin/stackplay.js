#!/usr/bin/env node
// Entry point. `--version` is answered without loading anything else, so the common quick checks stay
// as fast as bare node; every other command loads the CLI bundle (dist/cli, built by scripts/bundle.js
// from the tsc output in dist/src).
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { main } = await import('../dist/cli/main.js');
  await main(argv);
}
