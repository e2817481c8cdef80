// The loop behind `follow` and the steps built on it: start a command detached on the host (or adopt the
// one an interrupted run started), read its log from a byte offset on every poll, reconnect when the
// connection drops, and stop the remote command on an interrupt, a timeout — or when the caller's hook
// decides, after a poll, that the command is done although it has not exited (a known hang).

import { formatDuration } from '../../util/durations.js';
import type { RemoteTransport } from '../../transports/types.js';
import { Budget } from '../../util/budget.js';
import { StepFailedError, type StepContext } from '../types.js';
import { execShell, lastLine, type BecomeArgs } from './command.js';
import { LineTracker, type Rules } from './follow-rules.js';
import {
  aliveCommand, followFiles, killCommand, parseRc, readLogCommand, readPidCommand, readRcCommand, startCommand, type FollowFiles,
} from './follow-remote.js';
import { completeLines } from './lines.js';
import { isUnreachableError, reconnect } from './reconnect.js';

export interface FollowSpec extends BecomeArgs {
  readonly command: string;
  readonly log: string;
  readonly cwd?: string | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly rules: Rules;
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly reconnectTimeoutMs: number;
  readonly onInterrupt: 'kill' | 'leave';
}

export interface FollowHooks {
  /**
   * After each poll, with the lines it brought: a text ends the command (it is stopped as on an
   * interrupt) and becomes `finishedBy`; undefined goes on.
   */
  afterPoll?(lines: readonly string[], t: RemoteTransport): Promise<string | undefined>;
}

export interface FollowRun {
  /** Exit code; null when the hook ended the command. */
  readonly rc: number | null;
  readonly lines: readonly string[];
  readonly tracker: LineTracker;
  readonly files: FollowFiles;
  readonly pid: number | null;
  /** Why the hook ended the command, and what stopping it did. */
  readonly finishedBy?: { readonly reason: string; readonly stop: string };
  result(): Record<string, unknown>;
}

/** Stops the remote command after an interrupt, a timeout or a hook's decision; says what happened (never throws). */
async function stopRemote(ctx: StepContext, t: RemoteTransport, f: FollowFiles, become: BecomeArgs): Promise<string> {
  // The step's signal may be aborted: these commands run without it, each with a short deadline.
  const run = (command: string) => t.exec(command, { timeoutMs: 15_000 });
  try {
    const pid = parseRc((await run(readPidCommand(f))).stdout);
    if (pid === null) return `the remote command could not be stopped (no process id in ${f.pid}); its log is ${f.log}`;
    const sudo = async (command: string) => execShell({ ...ctx, signal: new AbortController().signal }, t, { ...become, command }, { timeoutMs: 15_000 });
    const k = await sudo(killCommand(f, pid));
    if (k.rc !== 0) return `stopping the remote command (pid ${pid}) failed: ${lastLine(k) || `exit code ${k.rc}`}`;
    for (let i = 0; i < 50; i++) {
      if ((await sudo(aliveCommand(pid))).rc === 1) return `stopped the remote command (pid ${pid})`;
      await new Promise((r) => setTimeout(r, 100));
    }
    return `sent TERM to the remote command (pid ${pid}); it is still running`;
  } catch (err) {
    return `the remote command could not be stopped: ${(err as Error).message}`;
  }
}

export async function runFollowed(ctx: StepContext, spec: FollowSpec, hooks: FollowHooks = {}): Promise<FollowRun> {
  const f = followFiles(spec.log);
  const become = { become: spec.become, become_user: spec.become_user, become_password: spec.become_password };
  let t = await ctx.services.ssh(ctx.hostName);
  // a resumed run follows the command the interrupted run started (it survives the runner) instead of
  // starting it a second time; its log is read again from the start
  const key = `follow:${ctx.stepId}@${ctx.hostName}|${f.log}`;
  const prior = ctx.services.priorJob?.(key);
  if (prior === undefined) {
    const started = await execShell(ctx, t, { ...become, command: startCommand(spec.command, f, spec.cwd), ...(spec.env ? { env: spec.env } : {}) });
    if (started.rc !== 0) throw new StepFailedError(`could not start the command on ${ctx.hostName}: ${lastLine(started) || `exit code ${started.rc}`}`);
    ctx.services.record('job', { key, jobid: f.log, command: 'follow' });
  }
  const pid = parseRc((await execShell(ctx, t, { ...become, command: readPidCommand(f) })).stdout);
  ctx.services.record('change', { kind: 'detached-command', host: ctx.hostName, log: f.log, pid });
  ctx.progress(`${prior === undefined ? 'started' : 'reattached to the command started before the interruption'}${pid !== null ? ` (pid ${pid})` : ''}; following ${f.log}`);

  const tracker = new LineTracker(spec.rules, { progress: (m) => ctx.progress(m), subtask: (id, title) => ctx.subtask(id, title) });
  const lines: string[] = [];
  const budget = new Budget(ctx, spec.timeoutMs);
  let offset = 0;
  let rc: number | null = null;
  let stop: 'interrupted' | 'timed out' | null = null;
  let finished: string | undefined;
  const result = (): Record<string, unknown> => ({ rc, lines, failures: tracker.failures, counts: tracker.counts, phases: tracker.phases(), log: f.log, pid });
  for (;;) {
    try {
      const r = await execShell(ctx, t, { ...become, command: readRcCommand(f) });
      const ended = r.rc === 0 ? parseRc(r.stdout) : null;
      const out = await execShell(ctx, t, { ...become, command: readLogCommand(f, offset) });
      const fresh: string[] = [];
      if (out.rc === 0) {
        const chunk = completeLines(out.stdout, ended !== null);
        offset += chunk.bytes;
        for (const line of chunk.lines) {
          lines.push(line);
          fresh.push(line);
          ctx.output(line);
          tracker.line(line);
        }
      }
      if (ended !== null) {
        rc = ended;
        break;
      }
      // No exit code and no wrapper process: it was killed (OOM, reboot) and will never write one.
      if (pid !== null && (await execShell(ctx, t, { ...become, command: aliveCommand(pid) })).rc === 1
        && (await execShell(ctx, t, { ...become, command: readRcCommand(f) })).rc !== 0) {
        tracker.finish('failed');
        throw new StepFailedError(`the command's wrapper (pid ${pid}) is gone without an exit code (killed?); log ${f.log}`, result());
      }
      finished = await hooks.afterPoll?.(fresh, t);
      if (finished !== undefined) break;
    } catch (err) {
      if (ctx.signal.aborted) {
        stop = 'interrupted';
        break;
      }
      if (!isUnreachableError(err)) throw err;
      ctx.warn(`${ctx.hostName}: connection lost while following ${f.log}; reconnecting (the command keeps running)`);
      const again = await reconnect(ctx, ctx.hostName, {
        budget: new Budget(ctx, spec.reconnectTimeoutMs), intervalMs: spec.pollMs,
        onAttempt: (n, last) => ctx.progress(`reconnecting to ${ctx.hostName} (attempt ${n}${last ? `: ${last}` : ''})`),
      });
      if (!again.ok) {
        if (again.interrupted) {
          stop = 'interrupted';
          break;
        }
        tracker.finish('failed');
        throw new StepFailedError(`lost the connection to ${ctx.hostName} and could not reconnect: ${again.lastError}; the command may still run (log ${f.log})`, result());
      }
      t = again.transport;
      continue;
    }
    if (ctx.signal.aborted) stop = 'interrupted';
    else if (budget.expired) stop = 'timed out';
    if (stop !== null) break;
    await budget.sleep(spec.pollMs);
  }

  if (stop !== null) {
    tracker.finish(stop === 'interrupted' ? 'interrupted' : 'failed');
    const what = stop === 'timed out' ? `timed out after ${formatDuration(budget.limitMs)}` : 'interrupted';
    const fate = spec.onInterrupt === 'kill' ? await stopRemote(ctx, t, f, become) : `the remote command keeps running (log ${f.log})`;
    throw new StepFailedError(`${what}; ${fate}`, result());
  }
  const finishedBy = finished !== undefined ? { reason: finished, stop: await stopRemote(ctx, t, f, become) } : undefined;
  return { rc, lines, tracker, files: f, pid, ...(finishedBy ? { finishedBy } : {}), result };
}
