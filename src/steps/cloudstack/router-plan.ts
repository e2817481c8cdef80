// Planning for `cloudstack.routers`: which routers match, what the units of work are (a router, or a
// network / VPC to restart once however many of its routers matched), and how they are ordered — the
// two routers of a redundant pair form one chain, BACKUP first, so a pair is never down at once. Routers
// that are not Running before the run are left out (reported, never acted on or waited for).

import { arg } from '../schema/arg.js';
import type { ArgsOf } from '../schema/schema.js';
import { StepFailedError } from '../types.js';
import { selection } from './common.js';
import { routerNetworkIds, routerNetworkNames, text, type Row } from './queries.js';

export type RouterAction = 'reboot' | 'restart-network' | 'upgrade-template';

/** The arguments of `cloudstack.routers` that select routers. */
export const ROUTER_SELECTION_ARGS = {
  zones: arg.list(arg.string(), 'zone names or ids (default all)', { single: true }),
  networks: arg.list(arg.string(), 'guest network names or ids (VPC tiers select their VPC)', { single: true }),
  vpcs: arg.list(arg.string(), 'VPC names or ids', { single: true }),
  names: arg.list(arg.string(), 'router names (r-4-VM) or ids', { single: true }),
  states: arg.list(arg.string(), "router states to select (default Running; 'any' for all)", { single: true }),
  requiresupgrade: arg.oneOf(['true', 'false', 'any'], 'select routers that require an upgrade (true), that do not (false), or both').default('any'),
};
export type RouterSelection = ArgsOf<typeof ROUTER_SELECTION_ARGS>;

export interface Unit {
  readonly kind: 'router' | 'network' | 'vpc';
  readonly id: string;
  readonly name: string;
  readonly zone: string;
  readonly command: string;
  readonly params: Readonly<Record<string, string | boolean>>;
  /** The matching routers this unit acts on (all routers of a network/VPC are affected by its restart). */
  readonly routers: readonly Row[];
  /** Hypervisor hosts of the Running routers the unit acts on (the window's per-host cap). */
  readonly hosts: readonly string[];
  /** For kind 'router': its redundant role, shown in plans. */
  readonly role?: string;
}

/** A router the run leaves alone because of its state before the run (or its redundant peer's). */
export interface SkippedRouter {
  readonly id: string;
  readonly name: string;
  readonly zone: string;
  readonly state: string;
  readonly reason: string;
}

/** Units run one after the other (a redundant pair); the window runs several chains at the same time. */
export type Chain = readonly Unit[];

export interface RestartFlags {
  readonly livepatch: boolean;
  readonly cleanup: boolean;
}

export function selectRouters(routers: readonly Row[], sel: RouterSelection): Row[] {
  const zones = selection(sel.zones);
  const networks = selection(sel.networks);
  const vpcs = selection(sel.vpcs);
  const names = selection(sel.names);
  const states = sel.states === undefined ? ['running'] : selection(sel.states).map((s) => s.toLowerCase());
  const ru = sel.requiresupgrade === 'any' ? undefined : sel.requiresupgrade === 'true';
  return routers.filter((r) =>
    (zones.length === 0 || zones.includes(text(r['zonename'])) || zones.includes(text(r['zoneid']))) &&
    (networks.length === 0 || [...routerNetworkIds(r), ...routerNetworkNames(r)].some((n) => networks.includes(n))) &&
    (vpcs.length === 0 || vpcs.includes(text(r['vpcid'], '')) || vpcs.includes(text(r['vpcname'], ''))) &&
    (names.length === 0 || names.includes(text(r['name'])) || names.includes(text(r['id']))) &&
    (states.length === 0 || states.includes('any') || states.includes(text(r['state']).toLowerCase())) &&
    (ru === undefined || r['requiresupgrade'] === ru));
}

/** BACKUP first, PRIMARY (MASTER before 4.16) last, anything else in between. */
function roleRank(r: Row): number {
  const s = text(r['redundantstate'], '').toUpperCase();
  if (s === 'BACKUP') return 0;
  if (s === 'PRIMARY' || s === 'MASTER') return 2;
  return 1;
}

/** The network or VPC that pairs redundant routers. */
export function pairKey(r: Row): string {
  if (r['isredundantrouter'] !== true) return `router:${text(r['id'])}`;
  if (typeof r['vpcid'] === 'string') return `vpc:${r['vpcid']}`;
  const net = routerNetworkIds(r)[0];
  return net ? `network:${net}` : `router:${text(r['id'])}`;
}

export const isRunning = (r: Row): boolean => r['state'] === 'Running';

function hostsOf(rs: readonly Row[]): string[] {
  return [...new Set(rs.filter(isRunning).map((r) => text(r['hostname'], '')).filter((h) => h !== ''))];
}

function routerUnit(r: Row, action: 'reboot' | 'upgrade-template', forced: boolean): Unit {
  const command = action === 'reboot' ? 'rebootRouter' : 'upgradeRouterTemplate';
  const params: Record<string, string | boolean> = { id: text(r['id']) };
  if (action === 'reboot' && forced) params['forced'] = true;
  const role = r['isredundantrouter'] === true ? text(r['redundantstate'], 'UNKNOWN') : undefined;
  return { kind: 'router', id: text(r['id']), name: text(r['name']), zone: text(r['zonename']), command, params, routers: [r], hosts: hostsOf([r]), ...(role ? { role } : {}) };
}

export function skippedRouter(r: Row, reason: string): SkippedRouter {
  return { id: text(r['id']), name: text(r['name']), zone: text(r['zonename']), state: text(r['state']), reason };
}

export interface Chains {
  readonly chains: Chain[];
  /** Running routers of the selection left alone: a reboot would take down the last router of a pair. */
  readonly skipped: SkippedRouter[];
}

/**
 * The chains of work for the selected routers (all Running). `all` is every router of the cloud: a reboot
 * of a redundant router whose peer is not Running would leave its network without a router, so such a
 * router is skipped and reported instead; a restart's network or VPC is placed on the hosts of every
 * Running router it restarts.
 */
export function buildChains(selected: readonly Row[], all: readonly Row[], action: RouterAction, opts: { forced: boolean; flags: RestartFlags }): Chains {
  if (action !== 'restart-network') {
    const groups = new Map<string, Row[]>();
    for (const r of selected) groups.set(pairKey(r), [...(groups.get(pairKey(r)) ?? []), r]);
    const chains: Chain[] = [];
    const skipped: SkippedRouter[] = [];
    for (const [key, rs] of groups) {
      const down = key.startsWith('router:') ? [] : all.filter((p) => pairKey(p) === key && !isRunning(p));
      if (down.length > 0) {
        const peers = down.map((p) => `${text(p['name'])} (${text(p['state'])})`).join(', ');
        for (const r of rs) skipped.push(skippedRouter(r, `its redundant peer ${peers} is not Running: rebooting ${text(r['name'])} would leave the network without a router; start the peer first`));
        continue;
      }
      chains.push([...rs].sort((a, b) => roleRank(a) - roleRank(b)).map((r) => routerUnit(r, action, opts.forced)));
    }
    return { chains, skipped };
  }
  const units = new Map<string, { kind: 'network' | 'vpc'; id: string; name: string; zone: string; routers: Row[] }>();
  for (const r of selected) {
    const vpcid = typeof r['vpcid'] === 'string' ? r['vpcid'] : undefined;
    const netid = vpcid ? undefined : routerNetworkIds(r)[0];
    if (!vpcid && !netid) throw new StepFailedError(`cannot tell which network router ${text(r['name'])} serves (no guest network in listRouters)`);
    const key = vpcid ? `vpc:${vpcid}` : `network:${netid}`;
    const name = vpcid ? text(r['vpcname'], vpcid) : text(r['guestnetworkname'], routerNetworkNames(r)[0] ?? netid!);
    const u = units.get(key) ?? { kind: vpcid ? ('vpc' as const) : ('network' as const), id: (vpcid ?? netid)!, name, zone: text(r['zonename']), routers: [] };
    u.routers.push(r);
    units.set(key, u);
  }
  const chains = [...units.values()].map((u): Chain => {
    const restarted = all.filter((r) => (u.kind === 'vpc' ? r['vpcid'] === u.id : routerNetworkIds(r).includes(u.id)));
    return [{
      ...u,
      command: u.kind === 'vpc' ? 'restartVPC' : 'restartNetwork',
      params: { id: u.id, cleanup: opts.flags.cleanup, livepatch: opts.flags.livepatch },
      hosts: hostsOf([...u.routers, ...restarted]),
    }];
  });
  return { chains, skipped: [] };
}

export function unitLabel(u: Unit): string {
  if (u.kind === 'router') return `router ${u.name}${u.role ? ` (${u.role})` : ''}`;
  return `${u.kind === 'vpc' ? 'VPC' : 'network'} ${u.name}`;
}

function routerLine(r: Row): string {
  const ru = r['requiresupgrade'] === true ? 'requires upgrade' : 'up to date';
  return `${text(r['name'])} ${text(r['state'])}${r['isredundantrouter'] === true ? ` ${text(r['redundantstate'])}` : ''}, ${ru}`;
}

function unitLine(u: Unit, indent: string): string {
  const params = Object.entries(u.params).map(([k, v]) => `${k}=${String(v)}`).join(' ');
  const where = `${u.zone}${u.hosts.length ? `; ${u.hosts.join(', ')}` : ''}`;
  const what = u.kind === 'router' ? `${routerLine(u.routers[0]!)} → ${u.command} ${params}` : `${u.command} ${params}; routers: ${u.routers.map(routerLine).join('; ')}`;
  return `${indent}${unitLabel(u)} (${where}): ${what}`;
}

/** The plan text: the units in the order the window takes them (pairs one after the other), as of the live state just read. */
export function planLines(chains: readonly Chain[]): string[] {
  const lines: string[] = [];
  chains.forEach((chain, i) => {
    if (chain.length === 1) {
      lines.push(unitLine(chain[0]!, `  ${i + 1}. `));
      return;
    }
    lines.push(`  ${i + 1}. pair, one after the other: ${chain.map(unitLabel).join(' then ')}`);
    for (const u of chain) lines.push(unitLine(u, '       '));
  });
  return lines;
}
