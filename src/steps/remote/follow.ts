// `follow`: start a long command detached on the host (it survives the SSH connection dropping), then
// follow its log by polling from a byte offset, so a reconnect resumes exactly where it left off. Lines
// stream to the task list and are mapped to progress, phases (subtasks) and counters; failure patterns
// fail the step even when the command exits 0 (cloudstack-sysvmadm does). On interrupt or timeout the
// remote command is stopped (on_interrupt: kill) or left running.

import { createHash } from 'node:crypto';
import { isUnknown, Unknown } from '../../expr/unknown.js';
import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext } from '../types.js';
import { BECOME_ARGS, ENV_ARG } from './command.js';
import { FOLLOW_DOC } from './follow-doc.js';
import { RULE_ARGS } from './follow-rules.js';
import { runFollowed } from './follow-run.js';

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

function defaultLog(ctx: StepContext, command: string): string {
  const run = ctx.vars['run'];
  const runId = run !== null && typeof run === 'object' ? String((run as { id?: unknown }).id ?? 'run') : 'run';
  const hash = createHash('sha256').update(command).digest('hex').slice(0, 8);
  return `/tmp/stackplay-follow-${`${runId}-${ctx.hostName}`.replace(/[^A-Za-z0-9._-]/g, '_')}-${hash}.log`;
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
    const run = await runFollowed(ctx, {
      command: args.command, log: args.log ?? defaultLog(ctx, args.command), cwd: args.cwd, env: args.env,
      rules: { progress: args.progress ?? [], success: args.success ?? [], failure: args.failure ?? [] },
      timeoutMs: args.timeout ?? Infinity, pollMs: args.poll_interval, reconnectTimeoutMs: args.reconnect_timeout, onInterrupt: args.on_interrupt,
      become: args.become, become_user: args.become_user, become_password: args.become_password,
    });
    const { rc, tracker } = run;
    const problems: string[] = [];
    const rcOk = args.ok_codes.includes(rc ?? -1);
    if (!rcOk) problems.push(`exit code ${rc}`);
    if (tracker.failures.length > 0) problems.push(`${tracker.failures.length} failure line(s), first: ${tracker.failures[0]}`);
    const missing = tracker.missingSuccess();
    if (missing.length > 0) problems.push(`no line matched ${missing.map((x) => `/${x}/`).join(', ')}`);
    tracker.finish(rcOk ? 'ok' : 'failed');
    if (problems.length > 0) throw new StepFailedError(problems.join('; '), run.result());
    return { changed: true, msg: `exit code ${rc}, ${run.lines.length} line(s)`, result: run.result() };
  },
});
