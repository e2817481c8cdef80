// The integration port across every management server (docs/cloudstack-facts.md §2.1, §2.7): the value
// the database holds, and on each server what it does now — a server keeps the port it opened at its own
// start whatever the database says later, so "0 in the database" says nothing about a peer that started
// while it held 8096. Each server's listener is probed the way the inventory reaches that server (through
// `via` when set), and straight from the runner for exposure.

import { getConfiguration } from '../../cloudstack/helpers.js';
import type { CloudStackClient } from '../../cloudstack/types.js';
import type { StepContext } from '../types.js';
import { clientFor, errorText } from './common.js';
import { listServers, mapServers } from './ms-cluster.js';
import { exposure, portTarget, probePort } from './ms-probe.js';
import { text, type Row } from './queries.js';

export const PORT_SETTING = 'integration.api.port';

export interface ServerPort {
  readonly host: string;
  readonly name: string;
  readonly id: string;
  readonly state: string;
  readonly version: string;
  readonly lastserverstart: string | null;
  /** Per port probed: open, closed or filtered (nothing answered). */
  readonly listening: Readonly<Record<string, string>>;
  readonly exposed: readonly string[];
}

export interface PortInspection {
  readonly db_value: string | null;
  readonly servers: readonly ServerPort[];
  /** Inventory host → lastserverstart: the baseline a later close compares start times with. */
  readonly starts: Readonly<Record<string, string | null>>;
  readonly open: readonly string[];
  readonly exposed: readonly string[];
  readonly not_up: readonly string[];
  /** Servers CloudStack lists that no inventory host reaches (name, state). */
  readonly unmapped: ReadonlyArray<{ readonly name: string; readonly state: string }>;
  readonly problems: readonly string[];
  readonly checked_at: string;
}

/** The stored value (listConfigurations matches substrings: the exact name is picked, §2.4). */
export async function dbValue(client: CloudStackClient): Promise<string | null> {
  const row = await getConfiguration(client, PORT_SETTING);
  const v = row?.['value'];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

export function portAbove0(v: string | null): boolean {
  return v !== null && /^-?\d+$/.test(v) && Number(v) > 0;
}

/** The ports to probe: the one the run uses, and the database value when it names another. */
export function portsToProbe(port: number, db: string | null): number[] {
  return [...new Set([port, ...(portAbove0(db) ? [Number(db)] : [])])];
}

async function probeServer(ctx: StepContext, host: string, row: Row, ports: readonly number[]): Promise<ServerPort> {
  const listening: Record<string, string> = {};
  const exposed: string[] = [];
  for (const p of ports) {
    const t = portTarget(ctx, host, p);
    try {
      listening[String(p)] = await probePort(ctx, t);
    } catch (err) {
      listening[String(p)] = `unknown (${errorText(err)})`;
    }
    const e = await exposure(t).catch(() => undefined);
    if (e?.exposed) exposed.push(e.address);
  }
  return {
    host, name: text(row['name']), id: text(row['id']), state: text(row['state'], 'unknown'), version: text(row['version'], 'unknown'),
    lastserverstart: typeof row['lastserverstart'] === 'string' ? row['lastserverstart'] : null, listening, exposed,
  };
}

export async function inspectPort(ctx: StepContext, askHost: string | undefined, hosts: readonly string[], port: number): Promise<PortInspection> {
  const { client } = await clientFor(ctx, askHost);
  const db = await dbValue(client);
  const rows = await listServers(client);
  const map = mapServers(ctx, rows, hosts);
  const ports = portsToProbe(port, db);
  const servers: ServerPort[] = [];
  for (const h of hosts) {
    const row = map.byHost.get(h);
    if (row) servers.push(await probeServer(ctx, h, row, ports));
  }
  const problems: string[] = [];
  if (portAbove0(db)) problems.push(`${PORT_SETTING} is ${db} in the database: every management server that starts now opens the unauthenticated port`);
  const open = servers.filter((s) => Object.values(s.listening).includes('open')).map((s) => s.host);
  for (const s of servers.filter((x) => open.includes(x.host))) {
    const ps = Object.entries(s.listening).filter(([, v]) => v === 'open').map(([p]) => p).join(', ');
    problems.push(`${s.host} (${s.name}) listens on the integration port ${ps}${portAbove0(db) ? '' : ' although the database holds no port: it started while the database held one (an earlier run or a manual procedure) and keeps it until it is restarted'}`);
  }
  const exposedHosts = servers.filter((s) => s.exposed.length > 0);
  for (const s of exposedHosts) problems.push(`the integration port of ${s.host} answers straight from this runner at ${s.exposed.join(', ')}: anyone on this network gets root-admin API access while it is open`);
  for (const h of hosts) if (!map.byHost.has(h)) problems.push(`${h} is not among the management servers CloudStack lists (listManagementServers): check its name or address in the inventory`);
  const notUp = servers.filter((s) => s.state !== 'Up').map((s) => s.host);
  const unmapped = map.unmapped.map((r) => ({ name: text(r['name']), state: text(r['state'], 'unknown') }));
  for (const u of unmapped.filter((x) => x.state !== 'Down')) problems.push(`management server ${u.name} (${u.state}) is not in the inventory: stackplay could neither restart it nor close its port`);
  return {
    db_value: db, servers, starts: Object.fromEntries(servers.map((s) => [s.host, s.lastserverstart])), open, exposed: exposedHosts.map((s) => s.host),
    not_up: notUp, unmapped, problems, checked_at: new Date().toISOString(),
  };
}
