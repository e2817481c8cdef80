// Closing the integration port on every management server (docs/cloudstack-facts.md §2.1, §2.7): put the
// database value back (through the API, or straight into the database with mysql when the API refuses —
// restarting with 8096 still stored would open the port again), then restart, one at a time so the API
// stays up, every server that started since the baseline was taken or still listens; a peer that
// restarted in the window (a crash, HA) is found by its start time. Also the same as a dead-man script.

import type { CloudStackClient } from '../../cloudstack/types.js';
import { Budget } from '../../util/budget.js';
import { shellQuote } from '../../util/shell-quote.js';
import { execShell, lastLine } from '../remote/command.js';
import { StepFailedError, type StepContext } from '../types.js';
import { getConfigSql, mysqlExec, mysqlScriptLine, setConfigSql, sqlString, type DbLogin } from './cloud-db.js';
import { clientFor, errorText } from './common.js';
import { listServers, mapServers } from './ms-cluster.js';
import { portTarget, probePort } from './ms-probe.js';
import { cancelDrain, DRAINING, type DrainMode } from './ms-drain.js';
import { describeDrain, drainedRestart } from './ms-drained-restart.js';
import { describeRestart, type RestartOptions } from './ms-restart.js';
import { dbValue, PORT_SETTING } from './port-inspect.js';
import { text, type Row } from './queries.js';

export interface CloseOptions {
  readonly askHost: string;
  readonly hosts: readonly string[];
  readonly port: number;
  /** The value to put back (null: no value). */
  readonly value: string | null;
  /** lastserverstart per host before the port was opened; undefined: unknown, so every server is restarted. */
  readonly baseline: Readonly<Record<string, unknown>> | undefined;
  readonly db: DbLogin | undefined;
  /** The host that runs mysql when the API refuses. */
  readonly dbHost: string;
  readonly restart: Omit<RestartOptions, 'host' | 'onJobsTimeout'>;
  /** How each restarted server is drained through a peer first (ms-drained-restart.ts; never maintenance here). */
  readonly drain: 'auto' | DrainMode;
  readonly drainTimeoutMs: number;
}

export interface CloseReport {
  readonly restoredVia: 'api' | 'database' | 'unchanged';
  readonly restarted: readonly string[];
  readonly skipped: readonly string[];
  readonly lines: readonly string[];
}

const norm = (v: string | null): string | null => (v === null || v.trim() === '' || v.trim() === 'null' ? null : v.trim());

/** The first server whose API answers, from `first` on. */
async function anyClient(ctx: StepContext, first: string, hosts: readonly string[]): Promise<{ host: string; client: CloudStackClient } | undefined> {
  for (const h of [first, ...hosts.filter((x) => x !== first)]) {
    try {
      const { client } = await clientFor(ctx, h);
      await client.call('listCapabilities');
      return { host: h, client };
    } catch {
      // next server
    }
  }
  return undefined;
}

async function restoreValue(ctx: StepContext, o: CloseOptions): Promise<'api' | 'database' | 'unchanged'> {
  const want = norm(o.value);
  let apiError = 'no management server answers its API';
  const api = await anyClient(ctx, o.askHost, o.hosts);
  if (api) {
    try {
      if (norm(await dbValue(api.client)) === want) return 'unchanged';
      await api.client.call('updateConfiguration', { name: PORT_SETTING, value: want ?? '' });
      if (norm(await dbValue(api.client)) === want) return 'api';
      apiError = 'the value read back differs';
    } catch (err) {
      apiError = errorText(err);
    }
  }
  if (!o.db) throw new StepFailedError(`could not put ${PORT_SETTING} back through the API (${apiError}) and no database login (db) is given: no server is restarted, since that would open the port again`);
  ctx.warn(`${PORT_SETTING} could not be put back through the API (${apiError}): writing it into the database on ${o.dbHost} with mysql`);
  const t = await ctx.services.ssh(o.dbHost);
  const set = mysqlExec(o.db, setConfigSql(PORT_SETTING, want));
  const r = await execShell(ctx, t, { ...set, become: o.restart.become, become_user: o.restart.become_user, become_password: o.restart.become_password });
  if (r.rc !== 0) throw new StepFailedError(`could not write ${PORT_SETTING} into the database on ${o.dbHost} either (${lastLine(r) || `exit code ${r.rc}`}): no server is restarted, since that would open the port again`);
  const read = await execShell(ctx, t, { ...mysqlExec(o.db, getConfigSql(PORT_SETTING)), become: o.restart.become, become_user: o.restart.become_user, become_password: o.restart.become_password });
  const stored = read.rc === 0 ? norm(read.stdout.replace(/\n$/, '') === 'NULL' ? null : read.stdout.replace(/\n$/, '')) : undefined;
  if (stored !== want) throw new StepFailedError(`the database on ${o.dbHost} holds ${JSON.stringify(stored)} for ${PORT_SETTING} after writing ${JSON.stringify(want)}: no server is restarted`);
  return 'database';
}

async function listening(ctx: StepContext, host: string, port: number): Promise<boolean> {
  try {
    return (await probePort(ctx, portTarget(ctx, host, port))) === 'open';
  } catch {
    return false;
  }
}

/** Why `host` must be restarted to close its port, or undefined when it need not be. */
async function reasonToRestart(ctx: StepContext, o: CloseOptions, host: string, row: Row | undefined): Promise<string | undefined> {
  const before = o.baseline?.[host];
  const now = row && typeof row['lastserverstart'] === 'string' ? row['lastserverstart'] : null;
  if (o.baseline === undefined) return 'the start times from before the port was opened are unknown';
  if (typeof before !== 'string') return 'its start time from before the port was opened is unknown';
  if (row !== undefined && now !== before) return `it started (${now ?? 'start time unknown'}) while the database held the port`;
  if (await listening(ctx, host, o.port)) return 'its integration port is listening';
  return undefined;
}

export async function closePort(ctx: StepContext, o: CloseOptions): Promise<CloseReport> {
  const restoredVia = await restoreValue(ctx, o);
  const lines: string[] = [`${PORT_SETTING} is ${JSON.stringify(norm(o.value))} in the database${restoredVia === 'unchanged' ? ' (already)' : ` (written through the ${restoredVia === 'api' ? 'API' : 'database'})`}`];
  const api = await anyClient(ctx, o.askHost, o.hosts);
  const rows = api ? await listServers(api.client) : [];
  const map = mapServers(ctx, rows, o.hosts);
  const restarted: string[] = [];
  const skipped: string[] = [];
  for (const host of o.hosts) {
    const row = map.byHost.get(host);
    const why = await reasonToRestart(ctx, o, host, row);
    if (why === undefined) {
      // a drain a killed run left (between the opening restart's drain and its restart) would keep it refusing jobs
      if (api !== undefined && row !== undefined && DRAINING.shutdown.includes(text(row['state']))) {
        await cancelDrain(ctx, api, text(row['id']), 'shutdown', host);
        lines.push(`${host}: not restarted since before the port was opened, not listening; it was ${text(row['state'])} (a drain an interrupted run left): shutdown cancelled`);
        continue;
      }
      lines.push(`${host}: not restarted since before the port was opened, not listening`);
      continue;
    }
    if (row !== undefined && row['state'] !== 'Up') {
      const t = await ctx.services.ssh(host);
      const st = (await execShell(ctx, t, { command: `systemctl is-active ${shellQuote(o.restart.service)}` })).stdout.trim();
      if (st === 'inactive' || st === 'failed') {
        skipped.push(host);
        lines.push(`${host}: ${text(row['state'])} and ${st}: it reads the closed value when it starts`);
        continue;
      }
    }
    ctx.progress(`closing the integration port of ${host}: ${why}`);
    // its peers keep the API meanwhile: drained through one first (4.19–4.20 shutdown API), else its jobs waited for
    const d = await drainedRestart(ctx, {
      ...o.restart, host, onJobsTimeout: 'restart', servers: o.hosts, drain: o.drain, drainTimeoutMs: o.drainTimeoutMs, maintenance: false, onDrainFailure: 'restart',
    });
    restarted.push(host);
    lines.push(`${host}: ${why}; ${describeDrain(d)}${describeRestart(d.restart)}`);
  }
  // the final word is the wire: every server probed once more
  const budget = new Budget(ctx, o.restart.startTimeoutMs);
  for (;;) {
    const open: string[] = [];
    for (const h of o.hosts) if (await listening(ctx, h, o.port)) open.push(h);
    if (open.length === 0) break;
    if (budget.expired) throw new StepFailedError(`the integration port ${o.port} still listens on ${open.join(', ')} after closing: restart ${open.length > 1 ? 'them' : 'it'} by hand`, { open, restarted, skipped });
    if (!(await budget.sleep(o.restart.intervalMs))) throw new StepFailedError('interrupted while checking that the integration port is closed');
  }
  lines.push(`the integration port ${o.port} is closed on ${o.hosts.join(', ')}`);
  return { restoredVia, restarted, skipped, lines };
}

/**
 * The dead-man script for one server: put the value back, then — the `index`-th server after waiting
 * `index × stagger`, so the API stays up — restart the local management server if its port answers.
 * A failed database write ends the script: a restart would open the port again.
 */
export function closeScript(db: DbLogin, value: string | null, port: number, service: string, index: number, staggerSeconds: number, msId?: string): string {
  const restart = `systemctl restart ${shellQuote(service)}`;
  // a server drained for a restart the lost run never made refuses new jobs until it restarts (4.19–4.20
  // shutdown states; its row found by the uuid the run read before, as an SQL literal)
  const drained = msId === undefined ? []
    : [`elif ${mysqlScriptLine(db, `SELECT state FROM mshost WHERE uuid=${sqlString(msId)}`)} | grep -qxE ${shellQuote(DRAINING.shutdown.join('|'))}; then ${restart}`];
  return [
    mysqlScriptLine(db, setConfigSql(PORT_SETTING, norm(value))) + ' || exit 1',
    ...(index > 0 && staggerSeconds > 0 ? [`sleep ${index * staggerSeconds}`] : []),
    `if curl -s -o /dev/null --max-time 10 ${shellQuote(`http://127.0.0.1:${port}/`)}; then ${restart}`,
    ...drained,
    'fi',
  ].join('\n');
}
