// `cloudstack.sysvmadm`: run the release's cloudstack-sysvmadm on the management server, detached and
// followed, knowing its defects (docs/cloudstack-facts.md §8.5, §8.6): refuse the releases whose script
// cannot work (before anything runs), choose `-t` from the routers it will see so a last partial batch
// does not hang it, end it safely if it hangs all the same (the count may change before its own query),
// fail on ERROR lines and on a section it never reported although it exits 0.

import { Unknown } from '../../expr/unknown.js';
import { shellQuote } from '../../util/shell-quote.js';
import { BECOME_ARGS, execShell, lastLine } from '../remote/command.js';
import { runFollowed } from '../remote/follow-run.js';
import { readLogCommand } from '../remote/follow-remote.js';
import { completeLines } from '../remote/lines.js';
import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext } from '../types.js';
import { dbLogin, mysqlExec, type DbLogin } from './cloud-db.js';
import { clientFor, errorText, targetHost } from './common.js';
import { listServers, rowOfHost } from './ms-cluster.js';
import { managementServerVersion } from './queries.js';
import { routerThreads, sysvmadmRelease, type SysvmadmRelease } from './releases.js';
import { SysvmadmWatch, sysvmadmRules } from './sysvmadm-watch.js';

const ACTIONS = { all: '-a', system: '-s', routers: '-r' } as const;

export const SYSVMADM_ARGS = {
  action: arg.oneOf(['all', 'system', 'routers'], 'all (-a: SSVM/CPVM, then routers), system (-s) or routers (-r)', { aliases: { '-a': 'all', '-s': 'system', '-r': 'routers' } }).default('all'),
  db: arg.any('the database login sysvmadm takes as -d/-u/-p ({host, user, password})').required(),
  threads: arg.int('routers rebooted at once (-t), as wanted', { min: 1 }).default(10),
  max_threads: arg.int('on releases whose last partial batch hangs: the most -t may be raised to, to avoid one', { min: 1 }).default(20),
  zone: arg.string('only this zone: its internal numeric id (-z); empty for every zone').default(''),
  ids: arg.list(arg.string(), 'only these VMs: uuids (-i; the script handles one reliably, docs/cloudstack-facts.md §8.2)', { single: true }),
  ms: arg.string('the management server address sysvmadm calls (-m)').default('localhost'),
  command: arg.string('the script: a command line, used as written (e.g. a patched copy, or sudo -u cloud …)').default('cloudstack-sysvmadm'),
  log: arg.string("sysvmadm's own log (-l) on the management server").default('/var/log/cloudstack/management/sysvmadm.log'),
  output: arg.string('where its standard output is kept on the management server (followed)').default('/var/log/cloudstack/management/sysvmadm-stackplay.out'),
  timeout: arg.duration('give up (and stop it) after this long').default(4 * 3_600_000),
  poll_interval: arg.duration('time between reads of its output and log').default(5000),
  stall_grace: arg.duration('how long it may stay silent after its routers before it is taken as hung').default(2 * 60_000),
  check_release: arg.bool("refuse the releases whose script cannot work (false only for a script patched on site)").default(true),
  ...BECOME_ARGS,
};
type SysvmadmArgs = ArgsOf<typeof SYSVMADM_ARGS>;

function login(args: SysvmadmArgs): DbLogin {
  try {
    return dbLogin(args.db, 'db');
  } catch (err) {
    throw new StepFailedError(errorText(err));
  }
}

/** The version of the server sysvmadm runs on (its package is that release), else the cloud's. */
export async function releaseOf(ctx: StepContext, host?: string): Promise<SysvmadmRelease> {
  const name = targetHost(ctx, host);
  const { client } = await clientFor(ctx, name);
  const own = rowOfHost(ctx, await listServers(client).catch(() => []), name);
  const version = typeof own?.['version'] === 'string' ? own['version'] : (await managementServerVersion(client)).version;
  if (version === undefined) throw new StepFailedError(`cannot tell the CloudStack version of ${name}, so not which cloudstack-sysvmadm it has`);
  return sysvmadmRelease(version);
}

/** The script's own router selection (setup/bindir/cloud-sysvmadm.in), counted: `-i` keeps its first-comma quirk. */
export function routerCountSql(zone: string, ids: readonly string[] | undefined): string {
  if (zone !== '' && !/^\d+$/.test(zone)) throw new StepFailedError(`zone must be the internal numeric id of a zone (sysvmadm -z), not '${zone}'`);
  for (const id of ids ?? []) if (!/^[0-9A-Za-z-]+$/.test(id)) throw new StepFailedError(`'${id}' is not a VM uuid`);
  const joined = (ids ?? []).join(',');
  const i = joined.indexOf(',');
  const inClause = joined === '' ? '' : ` AND uuid IN ('${i < 0 ? joined : `${joined.slice(0, i)}','${joined.slice(i + 1)}`}')`;
  return `select count(*) from vm_instance where state="Running" and type="DomainRouter"${zone !== '' ? ` AND data_center_id=${zone}` : ''}${inClause}`;
}

export function sysvmadmCommand(args: SysvmadmArgs, db: DbLogin, threads: number): string {
  const q = (v: string): string => shellQuote(v);
  return [
    args.command, '-d', q(db.host), '-u', q(db.user), '-p', q(db.password), ACTIONS[args.action], '-t', String(threads), '-l', q(args.log),
    ...(args.ms !== 'localhost' ? ['-m', q(args.ms)] : []), ...(args.zone !== '' ? ['-z', q(args.zone)] : []),
    ...(args.ids && args.ids.length > 0 ? ['-i', q(args.ids.join(','))] : []),
  ].join(' ');
}

async function countRouters(ctx: StepContext, args: SysvmadmArgs, db: DbLogin): Promise<number | undefined> {
  const t = await ctx.services.ssh(ctx.hostName);
  const r = await execShell(ctx, t, { ...mysqlExec(db, routerCountSql(args.zone, args.ids)), become: args.become, become_user: args.become_user, become_password: args.become_password });
  const n = r.rc === 0 ? Number(r.stdout.trim()) : Number.NaN;
  if (Number.isInteger(n)) return n;
  ctx.warn(`could not count the running routers in the database (${lastLine(r) || `exit code ${r.rc}`}): -t stays ${args.threads}`);
  return undefined;
}

async function logSize(ctx: StepContext, args: SysvmadmArgs): Promise<number> {
  const t = await ctx.services.ssh(ctx.hostName);
  const r = await execShell(ctx, t, { command: `stat -c %s ${shellQuote(args.log)} 2>/dev/null || echo 0`, become: args.become, become_user: args.become_user, become_password: args.become_password });
  return Number(r.stdout.trim()) || 0;
}

export const sysvmadmStep = defineStep({
  name: 'cloudstack.sysvmadm',
  summary: "Run the release's cloudstack-sysvmadm detached and follow it, refusing broken releases and ending its known hang",
  description:
    'Refuses (check_release) the releases whose script misreads job results: 4.19.0/4.19.1 and 4.21+. On releases whose ' +
    'last partial batch of routers hangs (before 4.20.3, and 4.21), -t becomes a divisor of the routers the script will ' +
    'count (up to max_threads); if it hangs anyway, it is ended once every router it announced is done. ERROR lines and ' +
    'unreported sections fail the step although the script exits 0. Registers rc, lines, counts, phases, threads, routers, ended.',
  result: {
    rc: ['integer or null', "the script's exit code"],
    lines: ['list of strings', 'every line of its output'],
    failures: ['list of strings', 'lines that matched a failure pattern'],
    counts: ['mapping', 'counters read from its output'],
    phases: ['list', '`{title, counts, failed}` of each section'],
    log: ['string', 'the output file on the host'],
    pid: ['integer or null', "the wrapper's process id"],
    threads: ['integer', 'the -t used'],
    routers_counted: ['integer or null', 'routers counted before the run'],
    version: ['string', 'the release'],
    ended: ['string', '`exit`, or why the step ended it: `hang` (after its partial last batch) or `stalled`'],
    routers: ['mapping', '`announced`, `finished`, `failed` routers'],
  },
  args: SYSVMADM_ARGS,
  effect: 'write',
  runsOn: 'host',
  describe: (args) => `run ${String(args.command)} ${String(args.action)} on the management server`,
  validate(args, report) {
    if (typeof args.zone === 'string' && args.zone !== '' && !/^\d+$/.test(args.zone)) report('zone', 'bad-value', `must be the internal numeric id of a zone (sysvmadm -z), not '${args.zone}'`);
    for (const id of Array.isArray(args.ids) ? args.ids : []) {
      if (typeof id === 'string' && !/^[0-9A-Za-z-]+$/.test(id)) report('ids', 'bad-value', `'${id}' is not a VM uuid`);
    }
  },
  async check(ctx, args) {
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      return { changed: true, unknown: `${u.name} is unknown in a dry run: ${u.reason}`, plan: 'would run cloudstack-sysvmadm' };
    }
    const rel = await releaseOf(ctx);
    if (rel.broken && args.check_release) throw new StepFailedError(`refusing to run cloudstack-sysvmadm: ${rel.broken}; ${rel.wayOut}`);
    const why = 'output of cloudstack-sysvmadm (dry run)';
    // counting is a read: a dry run shows the -t the run would choose now (it counts again just before)
    const db = login(args);
    const counted = args.action !== 'system' ? await countRouters(ctx, args, db) : undefined;
    const choice = counted === undefined ? undefined : routerThreads(counted, args.threads, args.max_threads, rel.partialBatchHang);
    const note = choice === undefined ? '' : ` (-t ${choice.threads} for the ${counted} running router(s) counted now${choice.threads !== args.threads ? ` instead of ${args.threads}, so no partial last batch hangs it` : ''}; counted again just before it runs)`;
    return {
      changed: true, plan: `would run on ${ctx.hostName}, detached: ${sysvmadmCommand(args, db, choice?.threads ?? args.threads)}${note}`,
      result: { rc: new Unknown(why), lines: new Unknown(why), counts: new Unknown(why), threads: new Unknown(why) },
    };
  },
  async apply(ctx, args) {
    const db = login(args);
    const rel = await releaseOf(ctx);
    if (rel.broken && args.check_release) throw new StepFailedError(`refusing to run cloudstack-sysvmadm: ${rel.broken}; ${rel.wayOut}`);
    const routersToo = args.action !== 'system';
    const counted = routersToo ? await countRouters(ctx, args, db) : undefined;
    const choice = counted === undefined ? { threads: args.threads, partialLastBatch: false } : routerThreads(counted, args.threads, args.max_threads, rel.partialBatchHang);
    if (counted !== undefined) {
      ctx.progress(`${counted} running router(s) for sysvmadm; -t ${choice.threads}${choice.threads !== args.threads ? ` instead of ${args.threads}, so no partial last batch hangs it (apache/cloudstack#12067)` : ''}`);
      if (choice.partialLastBatch) ctx.warn(`${counted} routers do not split into batches of at most ${args.max_threads} without more than doubling them: sysvmadm ${rel.version} will hang after its last batch and is ended once every router is done`);
    }
    const watch = new SysvmadmWatch(args.stall_grace);
    let logOffset = await logSize(ctx, args);
    let verdict: ReturnType<SysvmadmWatch['poll']>;
    const run = await runFollowed(ctx, {
      command: sysvmadmCommand(args, db, choice.threads), log: args.output,
      rules: { ...sysvmadmRules(), success: [] },
      timeoutMs: args.timeout, pollMs: args.poll_interval, reconnectTimeoutMs: 600_000, onInterrupt: 'kill',
      become: args.become, become_user: args.become_user, become_password: args.become_password,
    }, {
      async afterPoll(stdout, t) {
        if (!routersToo) return undefined;
        const r = await execShell(ctx, t, { command: readLogCommand({ log: args.log, rc: '', pid: '' }, logOffset), become: args.become, become_user: args.become_user, become_password: args.become_password });
        const chunk = r.rc === 0 ? completeLines(r.stdout, false) : { lines: [], bytes: 0 };
        logOffset += chunk.bytes;
        verdict = watch.poll(stdout, chunk.lines, args.poll_interval);
        return verdict?.text;
      },
    });
    const counts = run.tracker.counts;
    const problems: string[] = [];
    if (verdict?.kind === 'stalled') problems.push(verdict.text);
    if (run.finishedBy === undefined && run.rc !== 0) problems.push(`exit code ${run.rc}`);
    if (run.tracker.failures.length > 0) problems.push(`${run.tracker.failures.length} failure line(s), first: ${run.tracker.failures[0]}`);
    const missing = [
      ...(args.action !== 'routers' && !(counts['ssvm_section'] ?? 0) ? ['secondary storage'] : []),
      ...(args.action !== 'routers' && !(counts['cpvm_section'] ?? 0) ? ['console proxy'] : []),
      ...(routersToo && !(counts['router_section'] ?? 0) ? ['routers'] : []),
    ];
    if (missing.length > 0 && run.tracker.failures.length === 0) problems.push(`it never reported these sections: ${missing.join(', ')} (it exits 0 whatever happened: see ${args.output} and ${args.log} on ${ctx.hostName})`);
    run.tracker.finish(problems.length === 0 ? 'ok' : 'failed');
    const result = {
      ...run.result(), threads: choice.threads, routers_counted: counted ?? null, version: rel.version, ended: verdict?.kind ?? 'exit',
      routers: { announced: watch.announced ?? null, finished: watch.finished, failed: watch.failed },
    };
    if (problems.length > 0) throw new StepFailedError(problems.join('; '), result);
    const end = verdict?.kind === 'hang' ? `${verdict.text} (${run.finishedBy?.stop})` : `exit code ${run.rc}`;
    return { changed: true, msg: `${end}; -t ${choice.threads}; ${run.lines.length} line(s)`, result };
  },
});

