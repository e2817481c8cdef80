// Planning for `cloudstack.routers`: which routers match, what the units of work are (a router, or a
// network / VPC to restart once however many of its routers matched), and how they are ordered — the
// two routers of a redundant pair form one chain, BACKUP first, so a pair is never down at once.

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
  /** For kind 'router': its redundant role, shown in plans. */
  readonly role?: string;
}

/** Units run one after the other (a redundant pair); chains in a batch run at the same time. */
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
function pairKey(r: Row): string {
  if (r['isredundantrouter'] !== true) return `router:${text(r['id'])}`;
  if (typeof r['vpcid'] === 'string') return `vpc:${r['vpcid']}`;
  const net = routerNetworkIds(r)[0];
  return net ? `network:${net}` : `router:${text(r['id'])}`;
}

function routerUnit(r: Row, action: 'reboot' | 'upgrade-template', forced: boolean): Unit {
  const command = action === 'reboot' ? 'rebootRouter' : 'upgradeRouterTemplate';
  const params: Record<string, string | boolean> = { id: text(r['id']) };
  if (action === 'reboot' && forced) params['forced'] = true;
  const role = r['isredundantrouter'] === true ? text(r['redundantstate'], 'UNKNOWN') : undefined;
  return { kind: 'router', id: text(r['id']), name: text(r['name']), zone: text(r['zonename']), command, params, routers: [r], ...(role ? { role } : {}) };
}

export function buildChains(selected: readonly Row[], action: RouterAction, opts: { forced: boolean; flags: RestartFlags }): Chain[] {
  if (action !== 'restart-network') {
    const groups = new Map<string, Row[]>();
    for (const r of selected) groups.set(pairKey(r), [...(groups.get(pairKey(r)) ?? []), r]);
    return [...groups.values()].map((rs) => [...rs].sort((a, b) => roleRank(a) - roleRank(b)).map((r) => routerUnit(r, action, opts.forced)));
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
  return [...units.values()].map((u) => [{
    ...u,
    command: u.kind === 'vpc' ? 'restartVPC' : 'restartNetwork',
    params: { id: u.id, cleanup: opts.flags.cleanup, livepatch: opts.flags.livepatch },
  }]);
}

export function batches(chains: readonly Chain[], concurrency: number): Chain[][] {
  const out: Chain[][] = [];
  const n = Math.max(1, Math.floor(concurrency));
  for (let i = 0; i < chains.length; i += n) out.push(chains.slice(i, i + n));
  return out;
}

export function unitLabel(u: Unit): string {
  if (u.kind === 'router') return `router ${u.name}${u.role ? ` (${u.role})` : ''}`;
  return `${u.kind === 'vpc' ? 'VPC' : 'network'} ${u.name}`;
}

function routerLine(r: Row): string {
  const ru = r['requiresupgrade'] === true ? 'requires upgrade' : 'up to date';
  return `${text(r['name'])} ${text(r['state'])}${r['isredundantrouter'] === true ? ` ${text(r['redundantstate'])}` : ''}, ${ru}`;
}

/** The plan text: batches, chains and units with their routers, as of the live state just read. */
export function planLines(batchList: readonly Chain[][]): string[] {
  const lines: string[] = [];
  batchList.forEach((b, i) => {
    lines.push(`  batch ${i + 1}:`);
    for (const chain of b) {
      const prefix = chain.length > 1 ? `    pair, one after the other: ` : '    ';
      if (chain.length > 1) lines.push(`${prefix}${chain.map((u) => unitLabel(u)).join(' then ')}`);
      for (const u of chain) {
        const params = Object.entries(u.params).map(([k, v]) => `${k}=${String(v)}`).join(' ');
        const what = u.kind === 'router' ? `${u.command} ${params}` : `${u.command} ${params}; routers: ${u.routers.map(routerLine).join('; ')}`;
        lines.push(`${chain.length > 1 ? '      ' : '    '}${unitLabel(u)} (${u.zone}): ${u.kind === 'router' ? `${routerLine(u.routers[0]!)} → ` : ''}${what}`);
      }
    }
  });
  return lines;
}
