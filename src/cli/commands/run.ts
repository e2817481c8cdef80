// `stackplay run` and `resume` on a terminal: the application layer prepares the run (load, plan,
// checks, host keys), then this file picks the renderer, owns the signals (Ctrl-C, SIGTERM: revert; a
// third: leave, saying how to recover) and turns the run's status into the exit code.

import type { PreparedRun } from '../../app/run.js';
import type { RunEvent } from '../../engine/events.js';
import { jsonRenderer } from '../../renderers/json.js';
import { plainRenderer } from '../../renderers/plain.js';
import { EXIT, flushStdout, type Io } from '../output.js';
import { Interrupts } from '../interrupt.js';

export type OutputMode = 'auto' | 'tasklist' | 'plain' | 'json';

/**
 * Runs what `prepare` prepares (nothing when it gives null), with the renderer `output` asks for; returns
 * the exit code. Signals are stackplay's from the start: a Ctrl-C while host keys are checked stops the
 * run before its first step.
 */
export async function runOnTerminal(io: Io, output: OutputMode, runId: string, prepare: () => Promise<PreparedRun | null>, verbosity = 0, observe?: (e: RunEvent) => void): Promise<number> {
  let prepared: PreparedRun | undefined;
  const tty = process.stdout.isTTY === true && process.env.CI !== 'true' && process.env.TERM !== 'dumb';
  const mode = output === 'auto' ? (tty ? 'tasklist' : 'plain') : output;
  // under the task list, stderr is held back until the list ends: notices are drawn in the list instead
  let notice = (text: string): void => io.err(`${io.errStyle.yellow(text)}\n`);
  let abandon = (): void => undefined;
  const interrupts = new Interrupts({
    get runId() {
      return prepared?.runId ?? runId;
    },
    notice: (text) => notice(text),
    force: (sig, open) => {
      abandon();
      prepared?.abandon(sig, open);
      const id = prepared?.runId ?? runId;
      io.err(`${io.errStyle.red(`${sig}: forced exit.`)} ${open > 0
        ? `${open} undo obligation(s) were left open; run 'stackplay recover ${id}' to revert them (the journal is ${prepared?.journalPath ?? 'not written'}).`
        : 'No undo obligation was open.'}\n`);
      flushStdout();
      process.exit(EXIT.interrupted);
    },
  });
  interrupts.install();
  let exitCode: number | undefined;
  let starting = false;
  try {
    prepared = (await prepare()) ?? undefined;
    if (prepared === undefined) {
      exitCode = EXIT.ok;
      return exitCode;
    }
    let render: (e: RunEvent) => void;
    let done: Promise<void> = Promise.resolve();
    if (mode === 'json') render = jsonRenderer(io.out);
    else if (mode === 'plain') render = plainRenderer(io.out, io.style, { verbosity });
    else {
      const { taskListRenderer } = await import('../../renderers/tasklist.js');
      const r = await taskListRenderer(prepared.playbook, io.style, io.out, verbosity);
      render = r.sink;
      done = r.done;
      notice = r.notice;
      abandon = r.abandon;
    }
    starting = true;
    const summary = await prepared.start({
      sink: (e) => {
        interrupts.observe(e);
        observe?.(e);
        render(e);
      },
      signal: interrupts.controller.signal,
    });
    await done;
    exitCode = summary.exitCode;
    return summary.exitCode;
  } catch (err) {
    // prepared but never started (the task list could not start): close it, the journal saying why
    if (prepared && !starting) await prepared.close(err instanceof Error ? err.message : String(err));
    throw err;
  } finally {
    if (exitCode === undefined) interrupts.uninstall();
    else {
      const code = exitCode;
      interrupts.finished(() => {
        flushStdout();
        process.exit(code);
      });
    }
  }
}
