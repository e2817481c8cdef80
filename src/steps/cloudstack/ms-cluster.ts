// The management servers of a cloud as a run sees them: the rows of listManagementServers (every server
// sharing the database, docs/cloudstack-facts.md §3.2), each matched to the inventory host that reaches
// it (by name, or by the address CloudStack reports), and the jobs a server is executing right now.

import type { CloudStackClient } from '../../cloudstack/types.js';
import { StepFailedError, type StepContext } from '../types.js';
import { text, type Row } from './queries.js';

export async function listServers(client: CloudStackClient): Promise<Row[]> {
  return [...(await client.listAll('listManagementServers', {}, { objectName: 'managementserver' })).items];
}

/** The names and addresses an inventory host goes by: its name, address, API URL host and `via` host's address. */
function namesOf(ctx: StepContext, host: string): Set<string> {
  const e = ctx.inventory.hosts.get(host);
  const out = new Set<string>([host.toLowerCase()]);
  if (e?.address) out.add(e.address.toLowerCase());
  const url = e?.cloudstack?.url;
  if (url) {
    const h = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (!(h === 'localhost' || /^127\./.test(h) || h === '::1')) out.add(h);
  }
  return out;
}

/** The row CloudStack keeps for inventory host `host`, matched by name, service IP or IP address. */
export function rowOfHost(ctx: StepContext, rows: readonly Row[], host: string): Row | undefined {
  const names = namesOf(ctx, host);
  const hits = rows.filter((r) => ['name', 'serviceip', 'ipaddress'].some((k) => typeof r[k] === 'string' && names.has((r[k] as string).toLowerCase())));
  return hits.length === 1 ? hits[0] : undefined;
}

export interface ServerMap {
  /** Inventory host → its row. */
  readonly byHost: ReadonlyMap<string, Row>;
  /** Rows no inventory host reaches: stackplay cannot restart those servers. */
  readonly unmapped: readonly Row[];
}

export function mapServers(ctx: StepContext, rows: readonly Row[], hosts: readonly string[]): ServerMap {
  const byHost = new Map<string, Row>();
  for (const h of hosts) {
    const r = rowOfHost(ctx, rows, h);
    if (r) byHost.set(h, r);
  }
  const mapped = new Set([...byHost.values()]);
  return { byHost, unmapped: rows.filter((r) => !mapped.has(r)) };
}

/** Inventory hosts given as a list (the `servers` argument), each one that has `cloudstack:` settings. */
export function serverHosts(ctx: StepContext, list: readonly string[] | undefined): string[] {
  const hosts = list && list.length > 0 ? [...list] : [...ctx.inventory.hosts.values()].filter((h) => h.cloudstack !== undefined).map((h) => h.name);
  for (const h of hosts) {
    if (!ctx.inventory.hosts.get(h)?.cloudstack) throw new StepFailedError(`'${h}' has no 'cloudstack:' settings in the inventory: it cannot be one of the management servers`);
  }
  if (hosts.length === 0) throw new StepFailedError('no management server in the inventory (no host has cloudstack: settings)');
  return hosts;
}

export interface JobBrief {
  readonly jobid: string;
  readonly cmd: string;
  readonly account: string;
}

export function briefJob(j: Row): JobBrief {
  const cmd = text(j['cmd'], '?');
  return { jobid: text(j['jobid']), cmd: cmd.slice(cmd.lastIndexOf('.') + 1), account: text(j['account'], text(j['accountid'], '?')) };
}

/**
 * The jobs `row`'s server is executing: listAsyncJobs managementserverid (4.19+, QueryManagerImpl matches
 * the job's executing msid). Before 4.19 the parameter is unknown and ignored, so every pending job of
 * the cloud is counted: a run cannot tell which server executes a job there.
 */
export async function jobsOn(client: CloudStackClient, row: Row): Promise<JobBrief[]> {
  const jobs = await client.listAll('listAsyncJobs', { listall: true, managementserverid: text(row['id']) }, { objectName: 'asyncjobs' });
  return jobs.items.map(briefJob);
}
