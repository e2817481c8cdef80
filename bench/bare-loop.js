#!/usr/bin/env node
// The floor for the 10-host workload: a plain ssh2 program that connects to every host at once and runs
// the same command N times on each, one after another (Nagle off, like stackplay). ssh.js runs it as its
// own process, so it pays Node's start-up and ssh2's loading just as `stackplay run` does.
//   node bench/bare-loop.js '{"port":…,"user":…,"key":"/path","addresses":[…],"steps":50,"command":"true"}'
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import ssh2 from 'ssh2';

export function connect({ port, user, key }, host) {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('ready', () => resolve(c)).on('error', reject);
    c.connect({ host, port, username: user, privateKey: readFileSync(key), hostVerifier: () => true });
    c.once('connect', () => c._sock?.setNoDelay?.(true));
  });
}

export function exec(c, cmd) {
  return new Promise((resolve, reject) => {
    c.exec(cmd, (err, ch) => {
      if (err) return reject(err);
      ch.on('close', resolve).on('data', () => undefined).stderr.on('data', () => undefined);
    });
  });
}

/** Milliseconds for `steps` execs on every address, connections included. */
export async function bareLoop(cfg) {
  const t0 = performance.now();
  await Promise.all(cfg.addresses.map(async (a) => {
    const c = await connect(cfg, a);
    for (let i = 0; i < cfg.steps; i++) await exec(c, cfg.command ?? 'true');
    c.end();
  }));
  return performance.now() - t0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ms = await bareLoop(JSON.parse(process.argv[2] ?? '{}'));
  process.stdout.write(`${ms.toFixed(1)}\n`);
}
