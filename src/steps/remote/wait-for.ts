// `wait_for`: poll until a port is open or closed (from the runner or through another host's SSH
// connection), the host answers over SSH again (after a reboot), a file exists or is gone, or a line
// matching a regex appears in a file. Waits use the run's clock; progress shows what is awaited.

import { formatDuration } from '../../util/durations.js';
import type { RemoteTransport } from '../../transports/types.js';
import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, known, type ArgsOf, type Loose } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { BECOME_ARGS } from './command.js';
import { Budget } from '../../util/budget.js';
import { dropConnection, isUnreachableError, reconnect } from './reconnect.js';
import { LineSearch, probeFile, probePort, type ProbeAnswer } from './wait-probes.js';

const WAIT_FOR_ARGS = {
  port: arg.port('TCP port to probe'),
  host: arg.string("address for port (default: the play host's address)"),
  from: arg.host('ssh', 'inventory host whose SSH connection the port is probed through (default: the runner)'),
  state: arg.oneOf(['open', 'closed', 'present', 'absent'], 'open|closed for port (default open), present|absent for path (default present)'),
  ssh: arg.bool('wait until the host answers over SSH again (fresh connection)'),
  path: arg.string('file on the host'),
  search: arg.pattern('regex (RE2 syntax) a line of path must match'),
  only_new: arg.bool('search only lines written after the step started'),
  timeout: arg.duration('give up after this long').default(300_000),
  interval: arg.duration('pause between probes').default(1000),
  delay: arg.duration('wait this long before the first probe').default(0),
  connect_timeout: arg.duration("deadline of one probe (default '5s'; SSH '10s')"),
  ...BECOME_ARGS,
};
type WaitForArgs = ArgsOf<typeof WAIT_FOR_ARGS>;

type Mode = 'port' | 'ssh' | 'path' | 'search';

function modeOf(args: Pick<Loose<WaitForArgs>, 'ssh' | 'port' | 'search'>): Mode {
  if (args.ssh === true) return 'ssh';
  if (args.port !== undefined) return 'port';
  return args.search !== undefined ? 'search' : 'path';
}

function portHost(ctx: StepContext, args: WaitForArgs): string {
  return args.host ?? ctx.host.address ?? ctx.hostName;
}

/** What the step waits for, in words (plan, progress, messages). */
function goal(ctx: StepContext, args: WaitForArgs): string {
  switch (modeOf(args)) {
    case 'ssh': return `${ctx.hostName} to answer over SSH`;
    case 'port': return `port ${portHost(ctx, args)}:${args.port} to be ${args.state ?? 'open'}${args.from ? ` (seen from ${args.from})` : ''}`;
    case 'path': return `${args.path} to be ${args.state ?? 'present'} on ${ctx.hostName}`;
    case 'search': return `a line matching /${args.search?.source}/ in ${args.path} on ${ctx.hostName}${args.only_new ? ' (new lines only)' : ''}`;
  }
}

async function waitSsh(ctx: StepContext, args: WaitForArgs, budget: Budget, intervalMs: number): Promise<StepOutcome> {
  // The pooled connection may be stale (the host is going down): start from a fresh one.
  const old = await ctx.services.ssh(ctx.hostName).catch(() => null);
  if (old) await dropConnection(old);
  const r = await reconnect(ctx, ctx.hostName, {
    budget, intervalMs, probeTimeoutMs: args.connect_timeout ?? 10_000,
    onAttempt: (n, last) => ctx.progress(`waiting for ${ctx.hostName} over SSH: attempt ${n}${last ? ` (${last})` : ''}`),
  });
  const elapsed = Math.round(budget.elapsedMs / 1000);
  if (r.ok) return { changed: false, msg: `${ctx.hostName} answers over SSH`, result: { elapsed, attempts: r.attempts } };
  const why = r.interrupted ? 'interrupted' : `timed out after ${formatDuration(budget.limitMs)}`;
  throw new StepFailedError(`${why} waiting for ${ctx.hostName} over SSH: ${r.lastError}`, { elapsed, attempts: r.attempts });
}

export const waitForStep = defineStep({
  name: 'wait_for',
  summary: 'Wait for a port, SSH after a reboot, a file, or a line in a file',
  description: [
    'Exactly one of:',
    '',
    '- **port**: `port`, `host` (default: the play host\'s address), `state: open` (default) or `closed`, `from`: an inventory host to '
      + 'probe through (its SSH connection, like `ssh -W`; default: from the runner). An unreachable `from` host never counts as a closed port.',
    '- **SSH after a reboot**: `ssh: true` drops the host\'s connection, then connects and runs `true` until it works. Use `delay` so '
      + 'the host has gone down first.',
    '- **file**: `path`, `state: present` (default) or `absent`.',
    '- **line**: `path` + `search` (a regex, RE2 syntax as in [expressions.md](expressions.md#regular-expressions)): reads the file from a byte offset on each probe and tests complete new lines; '
      + '`only_new: true` ignores what the file holds when the step starts; a file that shrank (rotated) is read again from the start.',
    '',
    'A dry run says what it would wait for and, for ports and files, how things stand now.',
    '',
    '```yaml',
    '- {name: Port 8096 is closed again, wait_for: {port: 8096, state: closed, from: mgmt1, host: 127.0.0.1}}',
    '- {name: Host is back, wait_for: {ssh: true, delay: 10s, timeout: 10m}}',
    '- {name: Server started, wait_for: {path: /var/log/cloudstack/management/management-server.log, search: \'ApiServer listening\', only_new: true}}',
    '```',
  ].join('\n'),
  result: {
    elapsed: ['integer', 'seconds waited'],
    attempts: ['integer', 'probes made'],
    line: ['string', '`search`: the line that matched'],
    match: ['string', '`search`: the text the regex matched'],
    groups: ['mapping', '`search`: the named groups of the match'],
  },
  args: WAIT_FOR_ARGS,
  effect: 'write',
  runsOn: 'host',
  validate(args, report) {
    const modes = [args.port !== undefined, args.ssh === true, args.path !== undefined].filter(Boolean).length;
    if (modes !== 1) report('port', 'bad-value', "'wait_for' needs exactly one of port, ssh: true or path");
    const mode = modeOf(args);
    const state = args.state;
    if (state !== undefined && known(state)) {
      if (mode === 'port' && state !== 'open' && state !== 'closed') report('state', 'bad-value', 'a port is open or closed');
      if ((mode === 'path' || mode === 'search') && state !== 'present' && state !== 'absent') report('state', 'bad-value', 'a file is present or absent');
      if (mode === 'search' && state === 'absent') report('state', 'bad-value', 'search waits for a line to be present');
      if (mode === 'ssh') report('state', 'bad-value', 'ssh: true has no state');
    }
    if (args.search !== undefined && args.path === undefined) report('search', 'missing-argument', 'search needs path');
    if (args.from !== undefined && mode !== 'port') report('from', 'bad-value', 'from applies to port only');
  },
  describe: (args) => `wait for ${args.ssh === true ? 'SSH' : args.port !== undefined ? `port ${String(args.port)}` : String(args.path)}`,
  async check(ctx, args) {
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      const upTo = known(args.timeout) ? ` up to ${formatDuration(args.timeout)}` : '';
      return { changed: false, plan: `would wait${upTo} (${u.name} not known in a dry run)` };
    }
    const timeoutMs = args.timeout;
    const plan = `would wait up to ${formatDuration(timeoutMs)} for ${goal(ctx, args)}`;
    // One harmless look, so the plan can say how things stand now.
    let now: ProbeAnswer | undefined;
    const mode = modeOf(args);
    try {
      if (mode === 'port') now = await probePort(ctx, portHost(ctx, args), args.port!, args.from, args.connect_timeout ?? 5000);
      else if (mode === 'path') now = await probeFile(ctx, await ctx.services.ssh(ctx.hostName), args.path!, args);
    } catch {
      now = undefined;
    }
    return { changed: false, plan: now ? `${plan} (now: ${now.detail})` : plan };
  },
  async apply(ctx, args) {
    const budget = new Budget(ctx, args.timeout);
    const intervalMs = args.interval;
    const delayMs = args.delay;
    if (delayMs > 0) {
      ctx.progress(`waiting ${formatDuration(delayMs)} before the first check`);
      await budget.sleep(delayMs);
    }
    const mode = modeOf(args);
    if (mode === 'ssh') return waitSsh(ctx, args, budget, intervalMs);
    const wantYes = mode === 'port' ? (args.state ?? 'open') === 'open' : (args.state ?? 'present') === 'present';
    const search = mode === 'search' ? new LineSearch(args.path!, args.search!, args) : null;
    const connectMs = args.connect_timeout ?? 5000;
    const what = goal(ctx, args);
    let t: RemoteTransport | null = null;
    let attempts = 0;
    let last = 'no probe made';
    for (;;) {
      attempts++;
      let a: ProbeAnswer;
      try {
        if (mode === 'port') a = await probePort(ctx, portHost(ctx, args), args.port!, args.from, connectMs);
        else {
          if (!t) {
            t = await ctx.services.ssh(ctx.hostName);
            if (search && args.only_new && attempts === 1) await search.skipExisting(ctx, t);
          }
          a = search ? await search.probe(ctx, t) : await probeFile(ctx, t, args.path!, args);
        }
      } catch (err) {
        if (!isUnreachableError(err)) throw err;
        // The host's connection dropped (a restart?): look again on a fresh one next time.
        t = null;
        a = { kind: 'unknown', detail: (err as Error).message };
      }
      last = a.detail ?? last;
      if ((a.kind === 'yes') === wantYes && a.kind !== 'unknown') {
        const result: Record<string, unknown> = { elapsed: Math.round(budget.elapsedMs / 1000), attempts };
        if (a.kind === 'yes' && a.match) Object.assign(result, { match: a.match[0], line: a.detail, groups: { ...(a.match.groups ?? {}) } });
        return { changed: false, msg: a.detail ?? what, result };
      }
      ctx.progress(`waiting for ${what}: ${formatDuration(budget.elapsedMs)} of ${formatDuration(budget.limitMs)} (${last})`);
      if (ctx.signal.aborted || budget.expired || !(await budget.sleep(intervalMs))) break;
    }
    const why = ctx.signal.aborted ? 'interrupted' : `timed out after ${formatDuration(budget.limitMs)}`;
    throw new StepFailedError(`${why} waiting for ${what}: ${last}`, { elapsed: Math.round(budget.elapsedMs / 1000), attempts });
  },
});
