// `follow`: start a long command detached on the host (it survives the SSH connection dropping), then
// follow its log by polling from a byte offset, so a reconnect resumes exactly where it left off. Lines
// stream to the task list and are mapped to progress, phases (subtasks) and counters; failure patterns
// fail the step even when the command exits 0 (cloudstack-sysvmadm does). On interrupt or timeout the
// remote command is stopped (on_interrupt: kill) or left running.

import { createHash } from 'node:crypto';
import { isUnknown, Unknown } from '../../expr/unknown.js';
import { formatDuration } from '../../util/durations.js';
import type { RemoteTransport } from '../../transports/types.js';
import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext } from '../types.js';
import { Budget } from '../../util/budget.js';
import { BECOME_ARGS, ENV_ARG, execShell, lastLine } from './command.js';
import { FOLLOW_DOC } from './follow-doc.js';
import { LineTracker, RULE_ARGS } from './follow-rules.js';
import {
  aliveCommand, followFiles, killCommand, parseRc, readLogCommand, readPidCommand, readRcCommand, startCommand, type FollowFiles,
} from './follow-remote.js';
import { completeLines } from './lines.js';
import { isUnreachableError, reconnect } from './reconnect.js';

const FOLLOW_ARGS = {
  command: arg.string('command line run detached by sh (use {{quote x}} for values)').required(),
  log: arg.string('output file on the host (default /tmp/stackplay-follow-<run>-<host>-<hash>.log)'),
  cwd: arg.string('working directory of the command'),
  env: ENV_ARG.describedAs('environment variables (visible in ps: no secrets)'),
  ...RULE_ARGS,
  ok_codes: arg.list(arg.int(), 'exit codes that count as success').default([0]),
  timeout: arg.duration('give up after this long (default: no limit)'),
  poll_interval: arg.duration('pause between reads of the log').default(2000),
  reconnect_timeout: arg.duration('how long to try reconnecting after the connection drops').default(600_000),
  on_interrupt: arg.oneOf(['kill', 'leave'], 'on interrupt or timeout: stop the remote command (kill) or leave it running').default('kill'),
  ...BECOME_ARGS,
};
type FollowArgs = ArgsOf<typeof FOLLOW_ARGS>;

function defaultLog(ctx: StepContext, command: string): string {
  const run = ctx.vars['run'];
  const runId = run !== null && typeof run === 'object' ? String((run as { id?: unknown }).id ?? 'run') : 'run';
  const hash = createHash('sha256').update(command).digest('hex').slice(0, 8);
  return `/tmp/stackplay-follow-${`${runId}-${ctx.hostName}`.replace(/[^A-Za-z0-9._-]/g, '_')}-${hash}.log`;
}

/** Stops the remote command after an interrupt or timeout; says what happened (never throws). */
async function stopRemote(ctx: StepContext, t: RemoteTransport, f: FollowFiles, args: FollowArgs): Promise<string> {
  // The step's signal is already aborted: these commands run without it, each with a short deadline.
  const run = (command: string) => t.exec(command, { timeoutMs: 15_000 });
  const become = { become: args.become, become_user: args.become_user, become_password: args.become_password };
  try {
    const pidText = (await run(readPidCommand(f))).stdout;
    const pid = parseRc(pidText);
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

export const followStep = defineStep({
  name: 'follow',
  summary: 'Start a long command detached on the host and follow its output (progress, failure lines, reconnects)',
  description: FOLLOW_DOC,
  result: {
    rc: ['integer or null', "the command's exit code"],
    lines: ['list of strings', 'every line of the output'],
    failures: ['list of strings', 'the lines that matched `failure`'],
    counts: ['mapping', 'counters from the progress rules (and `failures`)'],
    phases: ['list', '`{title, counts, failed}` of each phase'],
    log: ['string', 'the output file on the host'],
    pid: ['integer or null', "the wrapper's process id"],
  },
  args: FOLLOW_ARGS,
  primary: 'command',
  effect: 'write',
  runsOn: 'host',
  describe: (args) => `run detached and follow: ${String(args.command)}`,
  async check(ctx, args) {
    const u = allKnown(args) ? undefined : firstUnknown(args);
    const cmd = u ? `<${u.name} unknown until run: ${u.reason}>` : String(args.command);
    const log = isUnknown(args.log) ? '<log>' : args.log ?? (isUnknown(args.command) ? '<log>' : defaultLog(ctx, args.command));
    const why = 'output of a followed command (dry run)';
    return {
      changed: true, plan: `would start on ${ctx.hostName}, detached${args.become ? ' with sudo' : ''} (output in ${log}): ${cmd}`,
      result: { rc: new Unknown(`exit code of '${cmd}' (dry run)`), lines: new Unknown(why), failures: new Unknown(why), counts: new Unknown(why), log },
    };
  },
  async apply(ctx, args) {
    const rules = { progress: args.progress ?? [], success: args.success ?? [], failure: args.failure ?? [] };
    const f = followFiles(args.log ?? defaultLog(ctx, args.command));
    const become = { become: args.become, become_user: args.become_user, become_password: args.become_password };
    const pollMs = args.poll_interval;
    let t = await ctx.services.ssh(ctx.hostName);
    // a resumed run follows the command the interrupted run started (it survives the runner) instead of
    // starting it a second time; its log is read again from the start
    const key = `follow:${ctx.stepId}@${ctx.hostName}|${f.log}`;
    const prior = ctx.services.priorJob?.(key);
    if (prior === undefined) {
      const started = await execShell(ctx, t, { ...become, command: startCommand(args.command, f, args.cwd), ...(args.env ? { env: args.env } : {}) });
      if (started.rc !== 0) throw new StepFailedError(`could not start the command on ${ctx.hostName}: ${lastLine(started) || `exit code ${started.rc}`}`);
      ctx.services.record('job', { key, jobid: f.log, command: 'follow' });
    }
    const pid = parseRc((await execShell(ctx, t, { ...become, command: readPidCommand(f) })).stdout);
    ctx.services.record('change', { kind: 'detached-command', host: ctx.hostName, log: f.log, pid });
    ctx.progress(`${prior === undefined ? 'started' : 'reattached to the command started before the interruption'}${pid !== null ? ` (pid ${pid})` : ''}; following ${f.log}`);

    const tracker = new LineTracker(rules, { progress: (m) => ctx.progress(m), subtask: (id, title) => ctx.subtask(id, title) });
    const lines: string[] = [];
    const budget = new Budget(ctx, args.timeout ?? Infinity);
    let offset = 0;
    let rc: number | null = null;
    let stop: 'interrupted' | 'timed out' | null = null;
    const result = (): Record<string, unknown> => ({
      rc, lines, failures: tracker.failures, counts: tracker.counts, phases: tracker.phases(), log: f.log, pid,
    });
    for (;;) {
      try {
        const r = await execShell(ctx, t, { ...become, command: readRcCommand(f) });
        const ended = r.rc === 0 ? parseRc(r.stdout) : null;
        const out = await execShell(ctx, t, { ...become, command: readLogCommand(f, offset) });
        if (out.rc === 0) {
          const chunk = completeLines(out.stdout, ended !== null);
          offset += chunk.bytes;
          for (const line of chunk.lines) {
            lines.push(line);
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
          tracker.finish(false);
          throw new StepFailedError(`the command's wrapper (pid ${pid}) is gone without an exit code (killed?); log ${f.log}`, result());
        }
      } catch (err) {
        if (ctx.signal.aborted) {
          stop = 'interrupted';
          break;
        }
        if (!isUnreachableError(err)) throw err;
        ctx.warn(`${ctx.hostName}: connection lost while following ${f.log}; reconnecting (the command keeps running)`);
        const again = await reconnect(ctx, ctx.hostName, {
          budget: new Budget(ctx, args.reconnect_timeout), intervalMs: pollMs,
          onAttempt: (n, last) => ctx.progress(`reconnecting to ${ctx.hostName} (attempt ${n}${last ? `: ${last}` : ''})`),
        });
        if (!again.ok) {
          if (again.interrupted) {
            stop = 'interrupted';
            break;
          }
          tracker.finish(false);
          throw new StepFailedError(`lost the connection to ${ctx.hostName} and could not reconnect: ${again.lastError}; the command may still run (log ${f.log})`, result());
        }
        t = again.transport;
        continue;
      }
      if (ctx.signal.aborted) stop = 'interrupted';
      else if (budget.expired) stop = 'timed out';
      if (stop !== null) break;
      await budget.sleep(pollMs);
    }

    if (stop !== null) {
      tracker.finish(false);
      const what = stop === 'timed out' ? `timed out after ${formatDuration(budget.limitMs)}` : 'interrupted';
      const fate = args.on_interrupt === 'kill' ? await stopRemote(ctx, t, f, args) : `the remote command keeps running (log ${f.log})`;
      throw new StepFailedError(`${what}; ${fate}`, result());
    }
    const problems: string[] = [];
    const rcOk = args.ok_codes.includes(rc ?? -1);
    if (!rcOk) problems.push(`exit code ${rc}`);
    if (tracker.failures.length > 0) problems.push(`${tracker.failures.length} failure line(s), first: ${tracker.failures[0]}`);
    const missing = tracker.missingSuccess();
    if (missing.length > 0) problems.push(`no line matched ${missing.map((s) => `/${s}/`).join(', ')}`);
    tracker.finish(rcOk);
    if (problems.length > 0) throw new StepFailedError(problems.join('; '), result());
    return { changed: true, msg: `exit code ${rc}, ${lines.length} line(s)`, result: result() };
  },
});
