// Read-only queries the CloudStack steps share: the management servers' version (what system VMs and
// routers must report after an upgrade), and every router, network and VPC an admin can see — list
// calls skip project resources unless projectid=-1 is asked for too (docs/cloudstack-facts.md §5.1).

import { cloudstackVersion, listAllRouters } from '../../cloudstack/helpers.js';
import type { CloudStackClient, Params } from '../../cloudstack/types.js';
import { isObject } from '../../cloudstack/response.js';

export type Row = Record<string, unknown>;

export interface MsVersion {
  /** The version system VMs should report, undefined when the server hides it. */
  readonly version: string | undefined;
  readonly source: 'listManagementServers' | 'listCapabilities' | 'unknown';
  readonly servers: readonly Row[];
}

/**
 * The management servers and their version. listManagementServers (4.12+) reports the version of each
 * node; listCapabilities' cloudstackversion may be hidden by a setting (§3.1), so it is the fallback.
 */
export async function managementServerVersion(client: CloudStackClient): Promise<MsVersion> {
  let servers: Row[] = [];
  try {
    servers = [...(await client.listAll('listManagementServers', {}, { objectName: 'managementserver' })).items];
  } catch {
    // Older or restricted servers: fall back to listCapabilities below.
  }
  const up = servers.filter((s) => s['state'] === 'Up');
  const fromServers = [...up, ...servers].map((s) => s['version']).find((v): v is string => typeof v === 'string' && v !== '');
  if (fromServers) return { version: fromServers, source: 'listManagementServers', servers };
  const caps = await cloudstackVersion(client);
  if (caps && caps !== 'unknown') return { version: caps, source: 'listCapabilities', servers };
  return { version: undefined, source: 'unknown', servers };
}

export async function listSystemVms(client: CloudStackClient, params: Params = {}): Promise<Row[]> {
  return [...(await client.listAll('listSystemVms', params, { objectName: 'systemvm' })).items];
}

export async function listRouters(client: CloudStackClient, params: Params = {}): Promise<Row[]> {
  return [...(await listAllRouters(client, params)).items];
}

/** listall=true plus listall=true&projectid=-1, merged by id (the listRouters ACL gap applies here too). */
async function listEverything(client: CloudStackClient, command: string, objectName: string, params: Params): Promise<Row[]> {
  const plain = await client.listAll(command, { ...params, listall: true }, { objectName });
  const projects = await client.listAll(command, { ...params, listall: true, projectid: -1 }, { objectName });
  const seen = new Set<unknown>();
  const out: Row[] = [];
  for (const row of [...plain.items, ...projects.items]) {
    if (seen.has(row['id'])) continue;
    seen.add(row['id']);
    out.push(row);
  }
  return out;
}

export function listNetworks(client: CloudStackClient, params: Params = {}): Promise<Row[]> {
  return listEverything(client, 'listNetworks', 'network', params);
}

export function listVpcs(client: CloudStackClient, params: Params = {}): Promise<Row[]> {
  return listEverything(client, 'listVPCs', 'vpc', params);
}

/** Guest networks a router serves: guestnetworkid and the Guest NICs (VPC routers have one per tier). */
export function routerNetworkIds(r: Row): string[] {
  const ids = new Set<string>();
  if (typeof r['guestnetworkid'] === 'string') ids.add(r['guestnetworkid']);
  const nics = Array.isArray(r['nic']) ? r['nic'] : [];
  for (const n of nics) {
    if (isObject(n) && typeof n['networkid'] === 'string' && (n['traffictype'] === undefined || n['traffictype'] === 'Guest')) ids.add(n['networkid']);
  }
  return [...ids];
}

/** Names of the guest networks a router serves (from its NICs), for matching `networks:` by name. */
export function routerNetworkNames(r: Row): string[] {
  const names = new Set<string>();
  if (typeof r['guestnetworkname'] === 'string') names.add(r['guestnetworkname']);
  const nics = Array.isArray(r['nic']) ? r['nic'] : [];
  for (const n of nics) if (isObject(n) && typeof n['networkname'] === 'string' && n['traffictype'] !== 'Control' && n['traffictype'] !== 'Public') names.add(n['networkname']);
  return [...names];
}

/** A short view of a router for results and plans. */
export function routerSummary(r: Row): Row {
  const keys = ['id', 'name', 'zonename', 'state', 'redundantstate', 'isredundantrouter', 'version', 'softwareversion', 'requiresupgrade',
    'guestnetworkid', 'guestnetworkname', 'vpcid', 'vpcname', 'account', 'project'];
  const out: Row = {};
  for (const k of keys) if (r[k] !== undefined) out[k] = r[k];
  return out;
}

/** A short view of a system VM for results and plans. */
export function systemVmSummary(v: Row): Row {
  const keys = ['id', 'name', 'systemvmtype', 'zonename', 'state', 'agentstate', 'version', 'hostname'];
  const out: Row = {};
  for (const k of keys) if (v[k] !== undefined) out[k] = v[k];
  return out;
}

export function text(v: unknown, fallback = '?'): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : fallback;
}
