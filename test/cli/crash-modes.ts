// The crash matrix's runner in each output mode. JSON: events read from stdout. Plain and the task list:
// stdout is for people (the task list's is a drawing in a real pseudo-terminal of 120×40), so the step
// boundaries are found by following the run's journal as it is written. The task list's SIGINT is a
// Ctrl-C typed into its terminal, as an operator sends it; other signals go to the runner's pid.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { ENTRY, parseJournalEvents, type CaseEnv, type CliResult, type RunEvent, type Signal } from './crash-support.js';
import { inPty } from './pty.js';

export type Mode = 'json' | 'plain' | 'tasklist';

const CLI_LIMIT_MS = 120_000;
const FOLLOW_MS = 5;

/** Calls `onEvent` with each event the run journals, in order, until `stop` is called. */
function followJournal(dir: string, onEvent: (e: RunEvent) => void): () => void {
  let path: string | undefined;
  let offset = 0;
  let partial = '';
  const read = (): void => {
    if (path === undefined) {
      const f = existsSync(dir) ? readdirSync(dir).find((x) => x.endsWith('.jsonl')) : undefined;
      if (f === undefined) return;
      path = join(dir, f);
    }
    const size = statSync(path).size;
    if (size <= offset) return;
    const buf = Buffer.alloc(size - offset);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buf, 0, buf.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    const text = partial + buf.toString('utf8');
    const cut = text.lastIndexOf('\n');
    partial = text.slice(cut + 1);
    for (const e of parseJournalEvents(text.slice(0, cut + 1))) onEvent(e);
  };
  const timer = setInterval(read, FOLLOW_MS);
  return () => {
    clearInterval(timer);
    read();
  };
}

/**
 * Runs `stackplay run` with `args` in `mode` without blocking this process (the lab lives here).
 * `onEvent` sees each event and may send a signal (once).
 */
export function runInMode(mode: Exclude<Mode, 'json'>, args: readonly string[], c: CaseEnv, onEvent?: (e: RunEvent, kill: (s: Signal) => void) => void): Promise<CliResult> {
  const argv = [process.execPath, '--input-type=module', '-e', ENTRY, '--', ...args, '-o', mode];
  let kill: (s: Signal) => void;
  let exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
  let output: () => { stdout: string; stderr: string };
  if (mode === 'tasklist') {
    const run = inPty(argv, { cwd: REPO_ROOT, dir: c.dir, env: c.env });
    kill = (s) => (s === 'SIGINT' ? run.ctrlC() : process.kill(run.pid(), s));
    exited = run.exited;
    output = () => ({ stdout: run.raw(), stderr: '' });
  } else {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, env: c.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    kill = (s) => child.kill(s);
    exited = new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal })));
    output = () => ({ stdout, stderr });
  }
  const events: RunEvent[] = [];
  const stop = followJournal(c.journal, (e) => {
    events.push(e);
    onEvent?.(e, kill);
  });
  // a hang guard, not a timing assertion: a stuck runner must fail its case, not the whole file
  let guardNote = '';
  const guard = setTimeout(() => {
    guardNote = `\n[crash-modes] run still going after ${CLI_LIMIT_MS / 1000}s: killed\n`;
    kill('SIGKILL');
  }, CLI_LIMIT_MS);
  return exited.then(({ status, signal }) => {
    clearTimeout(guard);
    stop();
    const { stdout, stderr } = output();
    // under script(1) a runner killed by a signal shows as script's exit code 128+n
    const killed = mode === 'tasklist' && status === 137 ? 'SIGKILL' : signal;
    return { status, signal: killed, stdout, stderr: stderr + guardNote, events };
  });
}
