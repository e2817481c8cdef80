// Helpers for the awkward CloudStack facts the upgrade steps depend on: listConfigurations' substring
// match (docs/cloudstack-facts.md §2.4), listRouters' ACL gaps (§5.1), the optional cloudstackversion (§3.1) and probing the
// unauthenticated integration port from the runner's side (§2).
import { classifyConnectionError, HttpConnectionError, type ConnectFn } from '../transports/http-errors.js';
import { probeTcp } from '../transports/tcp-probe.js';
import { isObject } from './response.js';
import type { CallOptions, CloudStackClient, CloudStackList, Params } from './types.js';

/** The conventional integration port (the value the upgrade notes use) when the inventory names none. */
export const DEFAULT_INTEGRATION_PORT = 8096;

/** The configuration row whose name is exactly `name` (listConfigurations name= is LIKE %name%). */
export async function getConfiguration(
  client: CloudStackClient,
  name: string,
  params: Params = {},
  opts: CallOptions = {},
): Promise<Record<string, unknown> | undefined> {
  const rows = await client.listAll('listConfigurations', { ...params, name }, { ...opts, objectName: 'configuration' });
  return rows.items.find((row) => row['name'] === name);
}

/**
 * Every router an admin can see: `listall=true` skips project routers and `projectid=-1` adds them,
 * so both are listed and merged by id (first occurrence wins, order kept).
 */
export async function listAllRouters(
  client: CloudStackClient,
  params: Params = {},
  opts: CallOptions = {},
): Promise<CloudStackList> {
  const lopts = { ...opts, objectName: 'router' };
  const plain = await client.listAll('listRouters', { ...params, listall: true }, lopts);
  const projects = await client.listAll('listRouters', { ...params, listall: true, projectid: -1 }, lopts);
  const seen = new Set<string>();
  const items: Record<string, unknown>[] = [];
  for (const router of [...plain.items, ...projects.items]) {
    const id = typeof router['id'] === 'string' ? router['id'] : undefined;
    if (id !== undefined) {
      if (seen.has(id)) continue;
      seen.add(id);
    }
    items.push(router);
  }
  return { count: items.length, items };
}

/** `listCapabilities.capability.cloudstackversion`; undefined when hidden by the server's setting. */
export async function cloudstackVersion(client: CloudStackClient, opts: CallOptions = {}): Promise<string | undefined> {
  const res = await client.call('listCapabilities', {}, opts);
  const capability = res['capability'];
  if (!isObject(capability)) return undefined;
  const v = capability['cloudstackversion'];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export type PortState = 'open' | 'closed' | 'filtered';

/**
 * TCP probe: `open` when a connection is accepted, `closed` when refused, `filtered` when nothing
 * answers within timeoutMs (or the host is unreachable). Other failures are thrown.
 */
export async function isIntegrationPortOpen(
  host: string,
  port: number,
  connect?: ConnectFn,
  timeoutMs = 3000,
): Promise<PortState> {
  const probe = await probeTcp(host, port, { ...(connect ? { connect } : {}), timeoutMs });
  if (probe.state === 'open') return 'open';
  if (probe.state === 'timeout') return 'filtered';
  const code = classifyConnectionError(probe.error);
  if (code === 'refused') return 'closed';
  if (code === 'timeout' || code === 'unreachable') return 'filtered';
  const target = `${host}:${port}`;
  throw new HttpConnectionError(code, target, `probing ${target} failed`, { cause: probe.error });
}
