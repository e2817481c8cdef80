// A command in a real pseudo-terminal of a given size (script(1) from util-linux; no native addon):
// Ctrl-C typed into the terminal (the line discipline turns it into SIGINT for the foreground process
// group, as for an operator), other signals sent to the command's own pid, and the screen text.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SCRIPT = '/usr/bin/script';
const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

export interface PtyRun {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything the terminal received so far (escape sequences included). */
  raw(): string;
  /** Types Ctrl-C into the terminal. */
  ctrlC(): void;
  /** The command's own pid (it replaces the shell that started it). */
  pid(): number;
  /** Resolves with the command's exit code once it and the terminal are gone. */
  readonly exited: Promise<{ readonly status: number | null; readonly signal: NodeJS.Signals | null }>;
}

export interface PtyOptions {
  readonly cols?: number;
  readonly rows?: number;
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** A directory for the pid file. */
  readonly dir: string;
}

export function inPty(argv: readonly string[], o: PtyOptions): PtyRun {
  const pidFile = join(o.dir, `pty-${Math.random().toString(36).slice(2)}.pid`);
  // `exec`: the command takes the shell's pid, written first, so a signal can be sent to it alone
  const cmd = `stty cols ${o.cols ?? 120} rows ${o.rows ?? 40}; echo $$ > ${quote(pidFile)}; exec ${argv.map(quote).join(' ')}`;
  const child = spawn(SCRIPT, ['-qfec', cmd, '/dev/null'], {
    cwd: o.cwd,
    env: { ...process.env, NO_COLOR: '1', CI: '', TERM: 'xterm-256color', COLUMNS: '', ...(o.env ?? {}) },
  });
  let raw = '';
  child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
  child.stderr.on('data', (d: Buffer) => (raw += d.toString()));
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (status, signal) => resolve({ status, signal }));
  });
  return {
    child,
    raw: () => raw,
    ctrlC: () => child.stdin.write('\x03'),
    pid: () => {
      if (!existsSync(pidFile)) throw new Error('the command in the terminal has not started yet');
      return Number(readFileSync(pidFile, 'utf8').trim());
    },
    exited,
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Terminal text without escape sequences or carriage returns. */
export function plainText(raw: string): string {
  return raw.replace(ANSI, '').replace(/\r/g, '');
}

/**
 * What stays on the screen at the end: everything written after the live list last erased itself
 * (log-update clears its lines with "erase line" sequences before each frame and at the end).
 */
export function lastScreen(raw: string): string {
  const cut = raw.lastIndexOf('\x1b[2K');
  const tail = cut < 0 ? raw : raw.slice(cut);
  return plainText(tail.replace(/^(\x1b\[(2K|1A|G))+/, ''));
}

/** Waits until the terminal shows `text` (a hang guard, not a timing assertion). */
export async function screenShows(run: PtyRun, text: string | RegExp, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs;
  const seen = (): boolean => (typeof text === 'string' ? plainText(run.raw()).includes(text) : text.test(plainText(run.raw())));
  while (!seen()) {
    if (Date.now() > end) throw new Error(`the terminal never showed ${String(text)}:\n${plainText(run.raw()).slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
