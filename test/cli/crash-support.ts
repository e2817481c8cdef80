// Helpers for the crash matrix: a lab per case on this file's own loopback address, the built CLI
// driven asynchronously (the lab lives in this process and must keep answering while a runner works),
// a kill at the k-th step boundary, and a small pool so independent cases overlap their waits.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { startLab, type Lab } from '../../src/lab/index.js';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../support/paths.js';
import { runInMode, type Mode } from './crash-modes.js';

// The CLI compiled with this file (dist/ under npm test, a build folder otherwise), rather than
// bin/stackplay.js, which always loads dist/: the code under test is the code these tests were built with.
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
export const ENTRY = `const { main } = await import(${JSON.stringify(MAIN)}); await main(process.argv.slice(1));`;

export const PLAYBOOK = join(REPO_ROOT, 'playbooks/cloudstack/systemvm-restart.yml');
/** Only this file's labs use this address, so the integration ports below never meet other tests'. */
export const ADDRESS = '127.0.0.81';

const CLI_LIMIT_MS = 120_000;

export type Signal = 'SIGINT' | 'SIGTERM' | 'SIGKILL';

export interface RunEvent {
  readonly type: string;
  readonly stepId?: string;
  readonly name?: string;
  readonly phase?: string;
  readonly status?: string;
  readonly exitCode?: number;
  readonly message?: string;
  readonly msg?: string;
}

export interface CliResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly events: readonly RunEvent[];
}

export interface CaseEnv {
  readonly lab: Lab;
  readonly dir: string;
  readonly journal: string;
  /** The integration port this case's runs open (one per lab, so labs can run side by side). */
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
  /** Extra arguments for `stackplay run`: the case's integration port. */
  readonly runArgs: readonly string[];
}

// Each lab opens its own fixed integration port. Below the ephemeral range (the labs' API and SSH
// listeners take ephemeral ports), from a random start so two processes running this file (a build
// folder and dist/) do not walk the same ports, and checked free before use.
let nextPort = 10_000 + Math.floor(Math.random() * 220) * 100;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, ADDRESS, () => s.close(() => resolve(true)));
  });
}

async function freshPort(): Promise<number> {
  for (;;) {
    const port = nextPort++;
    if (nextPort >= 32_000) nextPort = 10_000;
    if (await bindable(port)) return port;
  }
}

type KeyPair = { readonly private: string; readonly public: string };
let seeded: { readonly host: KeyPair; readonly client: KeyPair } | undefined;

/**
 * ssh2's generateKeyPairSync('ed25519') writes a malformed public key about once in 200 (a 31-byte key
 * blob), and startLab then fails with "Malformed OpenSSH public key". This file starts ~80 labs, so it
 * hands each one a checked key pair (the lab reuses keys found in its state directory).
 */
function goodPair(comment: string): KeyPair {
  for (;;) {
    const k = ssh2.utils.generateKeyPairSync('ed25519', { comment });
    if (!(ssh2.utils.parseKey(k.public) instanceof Error) && !(ssh2.utils.parseKey(k.private) instanceof Error)) return k;
  }
}

function seedKeys(stateDir: string): void {
  seeded ??= { host: goodPair('stackplay-lab-host'), client: goodPair('stackplay-lab-root') };
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  for (const [file, k] of [['ssh_host_ed25519_key', seeded.host], ['id_ed25519', seeded.client]] as const) {
    writeFileSync(join(stateDir, file), k.private, { mode: 0o600 });
    writeFileSync(join(stateDir, `${file}.pub`), `${k.public.trim()}\n`, { mode: 0o644 });
  }
}

/** A fresh lab and journal directory; `speed` high so a whole run takes seconds. */
export async function newCase(speed: number): Promise<CaseEnv> {
  const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-crash-'));
  const port = await freshPort();
  seedKeys(join(dir, 'lab'));
  const lab = await startLab({ address: ADDRESS, speed, stateDir: join(dir, 'lab'), integrationPort: port, config: { preset: 'classic' } });
  // HOME and SSH_AUTH_SOCK: the runner must use the lab's key and known_hosts, not the user's.
  const env = { ...process.env, NO_COLOR: '1', HOME: dir, SSH_AUTH_SOCK: '' };
  return { lab, dir, journal: join(dir, 'runs'), port, env, runArgs: ['-e', `integration_port=${port}`] };
}

export async function closeCase(c: CaseEnv): Promise<void> {
  await c.lab.stop();
  if (!process.env['KEEP']) rmSync(c.dir, { recursive: true, force: true });
}

/** The events of journal lines (`{"t":"event","e":…}`), in order. */
export function parseJournalEvents(text: string): RunEvent[] {
  const out: RunEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"t":"event"')) continue;
    try {
      out.push((JSON.parse(line) as { e: RunEvent }).e);
    } catch {
      // a torn last line of a killed runner
    }
  }
  return out;
}

export function parseEvents(stdout: string): RunEvent[] {
  const out: RunEvent[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as RunEvent);
    } catch {
      // a partial last line of a killed runner
    }
  }
  return out;
}

/**
 * Runs the CLI without blocking this process. `onEvent` sees each JSON event as it arrives and may
 * kill the child (it gets the child for that).
 */
export function cli(args: readonly string[], c: CaseEnv, onEvent?: (e: RunEvent, child: ChildProcess) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', ENTRY, '--', ...args], { cwd: REPO_ROOT, env: c.env });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      stdout += text;
      if (!onEvent) return;
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const [e] = parseEvents(line);
        if (e) onEvent(e, child);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // a hang guard, not a timing assertion: a stuck runner must fail its case, not the whole file
    const guard = setTimeout(() => {
      stderr += `\n[crash-support] ${args[0]} still running after ${CLI_LIMIT_MS / 1000}s: killed\n`;
      child.kill('SIGKILL');
    }, CLI_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(guard);
      resolve({ status, signal, stdout, stderr, events: parseEvents(stdout) });
    });
  });
}

export const isMainStart = (e: RunEvent): boolean => e.type === 'step-start' && e.phase === 'main';

export function runPlaybook(c: CaseEnv, onEvent?: (e: RunEvent, kill: (s: Signal) => void) => void, mode: Mode = 'json'): Promise<CliResult> {
  const args = ['run', PLAYBOOK, '-i', c.lab.inventoryPath, '--journal-dir', c.journal, ...c.runArgs];
  if (mode !== 'json') return runInMode(mode, args, c, onEvent);
  return cli([...args, '-o', 'json'], c, onEvent && ((e, child) => onEvent(e, (s) => child.kill(s))));
}

/** Runs the playbook and sends `signal` at the first event `when` picks (once). */
export function runAndKillWhen(c: CaseEnv, when: (e: RunEvent) => boolean, signal: Signal, mode: Mode = 'json'): Promise<CliResult & { readonly killedAt?: string }> {
  let killedAt: string | undefined;
  return runPlaybook(c, (e, kill) => {
    if (killedAt !== undefined || !when(e)) return;
    killedAt = e.stepId ?? e.type;
    kill(signal);
  }, mode).then((r) => ({ ...r, ...(killedAt !== undefined ? { killedAt } : {}) }));
}

/** Runs the playbook and sends `signal` as soon as the k-th (1-based) main-phase step starts. */
export function runAndKill(c: CaseEnv, k: number, signal: Signal, mode: Mode = 'json'): Promise<CliResult & { readonly killedAt?: string }> {
  let seen = 0;
  return runAndKillWhen(c, (e) => isMainStart(e) && ++seen === k, signal, mode);
}

/** Text of every .jsonl file under the journal directory, however deep. */
export function journalText(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.jsonl')) parts.push(readFileSync(p, 'utf8'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return parts.join('\n');
}

/** Polls `check` until it returns true; rejects with `what` after `limitMs` (a hang guard, not a timing assertion). */
export async function waitUntil(check: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A case's outcome or its error, so one failed case fails only its own test. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };
export const settle = <T>(p: Promise<T>): Promise<Settled<T>> => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
export async function unwrap<T>(p: Promise<Settled<T>>): Promise<T> {
  const s = await p;
  if (!s.ok) throw s.error;
  return s.value;
}

/**
 * Runs `jobs` with at most `width` at a time and returns one promise per job, in order, started
 * eagerly: tests await their own case while the others keep going.
 */
export function pool<T>(jobs: ReadonlyArray<() => Promise<T>>, width: number): Promise<T>[] {
  let slots = width;
  const queue: Array<() => void> = [];
  const acquire = (): Promise<void> => (slots > 0 ? (slots--, Promise.resolve()) : new Promise((r) => queue.push(r)));
  const release = (): void => {
    const next = queue.shift();
    if (next) next();
    else slots++;
  };
  return jobs.map(async (job) => {
    await acquire();
    try {
      return await job();
    } finally {
      release();
    }
  });
}
