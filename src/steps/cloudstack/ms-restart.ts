// Restarting one management server the careful way: first wait (bounded) for the jobs it is executing,
// which a restart would fail (docs/cloudstack-facts.md §7.1, §9.2) — only those, not the whole cloud's;
// then `systemctl restart` over SSH; then wait until its own API answers and CloudStack lists it Up, since
// a Type=simple unit is `active` long before the API is back. Used by cloudstack.restart and by closing
// the integration port on every server that must be restarted.

import type { CloudStackClient } from '../../cloudstack/types.js';
import { formatDuration } from '../../util/durations.js';
import { Budget } from '../../util/budget.js';
import { shellQuote } from '../../util/shell-quote.js';
import { execShell, lastLine, type BecomeArgs } from '../remote/command.js';
import { StepFailedError, type StepContext } from '../types.js';
import { clientFor, errorText } from './common.js';
import { jobsOn, listServers, rowOfHost, type JobBrief } from './ms-cluster.js';
import { waitForApi } from './ms-probe.js';
import { text } from './queries.js';
import { atLeast } from './releases.js';

export interface RestartOptions extends BecomeArgs {
  readonly host: string;
  readonly service: string;
  readonly jobsTimeoutMs: number;
  /** When jobs still run at the end of the wait: fail (nothing restarted) or restart anyway. */
  readonly onJobsTimeout: 'fail' | 'restart';
  readonly startTimeoutMs: number;
  readonly intervalMs: number;
  /** The states that count as back (default Up; a 4.21 server restarted in maintenance comes back in Maintenance). */
  readonly backStates?: readonly string[];
}

export interface RestartReport {
  readonly host: string;
  /** Jobs that were executing on the server and finished while the run waited. */
  readonly waited: readonly JobBrief[];
  /** Jobs executing when the server was restarted (they fail with it): left from the wait, or submitted during it. */
  readonly broken: readonly JobBrief[];
  readonly previousStart: string | null;
  readonly lastStart: string | null;
  readonly jobsScope: 'server' | 'cloud' | 'none';
}

const short = (jobs: readonly JobBrief[]): string => jobs.slice(0, 5).map((j) => `${j.cmd} ${j.jobid} (${j.account})`).join(', ') + (jobs.length > 5 ? `, … (${jobs.length} in all)` : '');

/**
 * Waits for the jobs the server is executing when the wait begins (on a busy cloud new ones keep coming,
 * so waiting for none at all may never end); answers those still running when the wait ended, and the
 * ones submitted meanwhile that run now (a restart fails them too: they are reported, not waited for).
 */
async function waitForJobs(ctx: StepContext, client: CloudStackClient, row: Record<string, unknown>, o: RestartOptions, waited: Map<string, JobBrief>): Promise<{ stuck: JobBrief[]; late: JobBrief[] }> {
  const budget = new Budget(ctx, o.jobsTimeoutMs);
  for (const j of await jobsOn(client, row)) waited.set(j.jobid, j);
  for (;;) {
    const now = await jobsOn(client, row);
    const stuck = now.filter((j) => waited.has(j.jobid));
    const late = now.filter((j) => !waited.has(j.jobid));
    if (stuck.length === 0) return { stuck, late };
    ctx.progress(`${o.host}: waiting for ${stuck.length} of the ${waited.size} job(s) it was executing (a restart would fail them): ${short(stuck)}; ${budget.describe()}`);
    if (budget.expired) return { stuck, late };
    if (!(await budget.sleep(o.intervalMs))) throw new StepFailedError(`interrupted while waiting for the jobs of ${o.host}`);
  }
}

export async function restartServer(ctx: StepContext, o: RestartOptions): Promise<RestartReport> {
  const { client } = await clientFor(ctx, o.host);
  let row: Record<string, unknown> | undefined;
  try {
    row = rowOfHost(ctx, await listServers(client), o.host);
  } catch (err) {
    ctx.warn(`${o.host}: its API does not answer (${errorText(err)}): restarting it without waiting for its jobs`);
  }
  const waited = new Map<string, JobBrief>();
  let broken: JobBrief[] = [];
  // listAsyncJobs managementserverid exists from 4.19; an older server ignores it and lists every job
  const perServer = row !== undefined && atLeast(text(row['version'], '0'), '4.19');
  if (row !== undefined) {
    const { stuck, late } = await waitForJobs(ctx, client, row, o, waited);
    if (stuck.length > 0) {
      const what = `${stuck.length} job(s) still executing on ${o.host} after ${formatDuration(o.jobsTimeoutMs)}: ${short(stuck)}`;
      if (o.onJobsTimeout === 'fail') throw new StepFailedError(`${what}; not restarting it (a restart fails them)`, { jobs: stuck });
    }
    broken = [...stuck, ...late];
  }
  const previousStart = row !== undefined && typeof row['lastserverstart'] === 'string' ? row['lastserverstart'] : null;
  const t = await ctx.services.ssh(o.host);
  const r = await execShell(ctx, t, { command: `systemctl restart ${shellQuote(o.service)}`, become: o.become, become_user: o.become_user, become_password: o.become_password });
  if (r.rc !== 0) throw new StepFailedError(`systemctl restart ${o.service} on ${o.host} failed: ${lastLine(r) || `exit code ${r.rc}`}`);
  ctx.services.record('change', { kind: 'restart', host: o.host, service: o.service });
  let lastStart: string | null = null;
  // systemctl restart returns once the old process has exited (the stop job ends before the start job), so
  // an answer from this server's own API now comes from the new one; back = it answers and CloudStack
  // lists it Up. (Start times have a resolution of a second: they cannot tell two quick restarts apart.)
  await waitForApi(ctx, o.host, new Budget(ctx, o.startTimeoutMs), o.intervalMs, async () => {
    const now = rowOfHost(ctx, await listServers(client), o.host);
    if (now === undefined) return undefined;
    if (!(o.backStates ?? ['Up']).includes(text(now['state']))) return `${o.host} is ${text(now['state'], 'not Up')}`;
    lastStart = typeof now['lastserverstart'] === 'string' ? now['lastserverstart'] : null;
    return undefined;
  });
  const done = [...waited.values()].filter((j) => !broken.some((b) => b.jobid === j.jobid));
  if (broken.length > 0) ctx.warn(`${o.host} was restarted with ${broken.length} job(s) running (they fail with it): ${short(broken)}`);
  return { host: o.host, waited: done, broken, previousStart, lastStart, jobsScope: row === undefined ? 'none' : perServer ? 'server' : 'cloud' };
}

/** One line for a report: what the restart waited for and what it broke. */
export function describeRestart(r: RestartReport): string {
  const scope = r.jobsScope === 'cloud' ? ' (before 4.19 a job does not say which server runs it: every pending job counted)' : '';
  const waited = r.waited.length > 0 ? `waited for ${r.waited.length} job(s) it was executing${scope}: ${short(r.waited)}` : `no job was executing on it${scope}`;
  const broken = r.broken.length > 0 ? `; restarted with ${r.broken.length} job(s) still running: ${short(r.broken)}` : '';
  return `restarted ${r.host}: ${waited}${broken}`;
}
