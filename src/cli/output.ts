// The CLI's only way to the terminal: writes, exit codes, and the user-facing error printer.
// Runtime code never calls process.exit or writes to stdout itself.

import { failureKind } from '../app/errors.js';
import type { InvalidInputError } from '../diagnostics/problems.js';
import { formatProblems } from '../renderers/format-problems.js';
import { colourWanted, styler, type Styler } from '../renderers/style.js';
import type { SecretRegistry } from '../secrets/masker.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, interrupted: 130 } as const;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  style: Styler;
  errStyle: Styler;
}

export async function makeIo(): Promise<Io> {
  const [style, errStyle] = await Promise.all([styler(colourWanted(process.stdout)), styler(colourWanted(process.stderr))]);
  watchClosed(process.stdout);
  watchClosed(process.stderr);
  return {
    out: bufferedStdout,
    err: (t) => {
      flushStdout();
      if (!closed.has(process.stderr)) process.stderr.write(t);
    },
    style, errStyle,
  };
}

/**
 * A reader that went away (`stackplay run … | head`, a closed terminal) makes the next write fail with
 * EPIPE or EIO, which Node raises as an 'error' event: unhandled, it ended the process with a stack in
 * the middle of a run, undo steps and all. From then on that stream's output is dropped; the run goes on
 * and exits with its own code.
 */
const closed = new Set<NodeJS.WriteStream>();
const watched = new Set<NodeJS.WriteStream>();

function watchClosed(stream: NodeJS.WriteStream): void {
  if (watched.has(stream)) return;
  watched.add(stream);
  stream.on('error', () => closed.add(stream));
}

/** True once stdout's reader is gone: nothing more will be shown there. */
export function stdoutClosed(): boolean {
  return closed.has(process.stdout) || process.stdout.destroyed;
}

// Thousands of events a second: stdout is written in one piece per tick, not per line.
let pendingOut: string[] = [];
let scheduled = false;

function bufferedStdout(text: string): void {
  pendingOut.push(text);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushStdout);
  }
}

export function flushStdout(): void {
  scheduled = false;
  if (pendingOut.length === 0) return;
  const text = pendingOut.join('');
  pendingOut = [];
  if (!stdoutClosed()) process.stdout.write(text);
}

/** Prints any error the user should see, masked, without a stack unless --debug. Returns the exit code. */
export function reportError(io: Io, err: unknown, sources: ReadonlyMap<string, string>, secrets: SecretRegistry | undefined, debug: boolean): number {
  const mask = (t: string): string => (secrets ? secrets.mask(t) : t);
  const kind = failureKind(err);
  if (kind === 'problems') {
    io.err(`${mask(formatProblems((err as InvalidInputError).problems, sources, io.errStyle))}\n`);
    return EXIT.usage;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  // a lab file with unknown or invalid keys is the operator's input, not a bug (by name: the lab module
  // is loaded only by the commands that start a lab)
  if (kind === 'usage' || e.name === 'LabConfigError') {
    io.err(`${io.errStyle.red('error:')} ${mask(e.message)}\n`);
    return EXIT.usage;
  }
  if (kind === 'refused') {
    io.err(`${io.errStyle.red('refused:')} ${mask(e.message)}\n`);
    return EXIT.failed;
  }
  if (kind === 'system') {
    // a system call the machine refused (a port in use, a permission): the user's environment, not a bug
    const hint = (e as NodeJS.ErrnoException).code === 'EADDRINUSE' ? ' (another process uses this address: pick another port)' : '';
    io.err(`${io.errStyle.red('error:')} ${mask(e.message)}${hint}\n`);
    if (debug) io.err(`${mask(e.stack ?? '')}\n`);
    return EXIT.failed;
  }
  io.err(`${io.errStyle.red('internal error:')} ${mask(e.message)}\n`);
  if (debug) io.err(`${mask(e.stack ?? '')}\n`);
  else io.err('This is a bug in stackplay; please report it (run again with --debug to see the stack).\n');
  return EXIT.failed;
}
