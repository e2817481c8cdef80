// Draining one management server before it is restarted, through a peer's API (the drained server stops
// taking jobs and, in maintenance, hands its agents over): 4.21+ prepareForMaintenance until the server
// is in Maintenance with no pending job and no agent (plugins/maintenance, apache/cloudstack#9854);
// 4.19–4.20 prepareForShutdown until readyForShutdown says so (plugins/shutdown); before 4.19 there is no
// such API and the restart waits for the server's own jobs instead. Cancelled again when the run stops.

import type { CloudStackClient } from '../../cloudstack/types.js';
import { Budget } from '../../util/budget.js';
import { StepFailedError, type StepContext } from '../types.js';
import { clientFor, errorText } from './common.js';
import { listServers, rowOfHost } from './ms-cluster.js';
import { text, type Row } from './queries.js';
import { atLeast } from './releases.js';

export type DrainMode = 'maintenance' | 'shutdown' | 'jobs';

/** The mshost states of a drain under way or done (PreparingToShutDown before 4.21, PreparingForShutDown from 4.21). */
export const DRAINING: Readonly<Record<'maintenance' | 'shutdown', readonly string[]>> = {
  maintenance: ['PreparingForMaintenance', 'Maintenance'],
  shutdown: ['PreparingToShutDown', 'PreparingForShutDown', 'ReadyToShutDown'],
};

/** The API a release offers for a graceful stop of one server. */
export function drainModeOf(version: string): DrainMode {
  if (atLeast(version, '4.21')) return 'maintenance';
  if (atLeast(version, '4.19')) return 'shutdown';
  return 'jobs';
}

export interface Peer {
  readonly host: string;
  readonly client: CloudStackClient;
}

/** Another management server of the inventory that answers and is Up: the drained one's API goes away. */
export async function peerOf(ctx: StepContext, target: string, servers: readonly string[]): Promise<Peer | undefined> {
  for (const host of servers) {
    if (host === target) continue;
    try {
      const { client } = await clientFor(ctx, host);
      const row = rowOfHost(ctx, await listServers(client), host);
      if (row?.['state'] === 'Up') return { host, client };
    } catch {
      // not this one: it does not answer
    }
  }
  return undefined;
}

/** The target's row as the peer sees it. */
export async function targetRow(ctx: StepContext, peer: Peer, target: string): Promise<Row> {
  const row = rowOfHost(ctx, await listServers(peer.client), target);
  if (!row) throw new StepFailedError(`${peer.host} does not list a management server that ${target} is (name or address)`);
  return row;
}

async function status(ctx: StepContext, peer: Peer, id: string): Promise<Row> {
  const r = await peer.client.call('readyForShutdown', { managementserverid: id });
  const obj = Object.values(r).find((v) => v !== null && typeof v === 'object') as Row | undefined;
  return obj ?? {};
}

/**
 * Asks for the drain and waits until the server is ready to be restarted. An interrupt, an error or the
 * deadline cancels the drain before the step fails: the server takes jobs again.
 */
export async function drain(ctx: StepContext, peer: Peer, target: string, id: string, mode: 'maintenance' | 'shutdown', timeoutMs: number, intervalMs: number): Promise<string> {
  const start = mode === 'maintenance' ? 'prepareForMaintenance' : 'prepareForShutdown';
  // a drain a killed run left behind (the next run restarts the server again) is waited for, not asked twice
  const already = text((await targetRow(ctx, peer, target))['state']);
  if (!DRAINING[mode].includes(already)) {
    await peer.client.call(start, { managementserverid: id });
  }
  ctx.services.record('change', { kind: mode, host: target });
  const budget = new Budget(ctx, timeoutMs);
  try {
    for (;;) {
      const row = await targetRow(ctx, peer, target);
      const st = await status(ctx, peer, id);
      const pending = Number(st['pendingjobscount'] ?? 0);
      const agents = Number(st['agentscount'] ?? 0);
      const state = text(row['state']);
      const ready = mode === 'maintenance' ? state === 'Maintenance' && pending === 0 && agents === 0
        : state === 'ReadyToShutDown' || st['readyforshutdown'] === true;
      if (ready) return `${target} is ${state} (${pending} pending job(s)${mode === 'maintenance' ? `, ${agents} agent(s)` : ''}) after ${budget.describe()}`;
      if (state === 'Up') throw new StepFailedError(`${target} went back to Up while it drained (its ${mode} was cancelled, or it ran out of its own maintenance timeout)`);
      ctx.progress(`${target}: ${state}, ${pending} pending job(s)${mode === 'maintenance' ? `, ${agents} agent(s)` : ''}; ${budget.describe()}`);
      if (budget.expired) throw new StepFailedError(`${target} was not ready after ${budget.describe()}: ${state}, ${pending} pending job(s)`);
      if (!(await budget.sleep(intervalMs))) throw new StepFailedError(`interrupted while ${target} drained`);
    }
  } catch (err) {
    await cancelDrain(ctx, peer, id, mode, target);
    throw err;
  }
}

/** Lets the server take jobs again (its agents come back with the rebalance of cancelMaintenance). */
export async function cancelDrain(ctx: StepContext, peer: Peer, id: string, mode: 'maintenance' | 'shutdown', target: string): Promise<void> {
  try {
    await peer.client.call(mode === 'maintenance' ? 'cancelMaintenance' : 'cancelShutdown', { managementserverid: id });
    ctx.progress(`${target}: ${mode} cancelled, it takes jobs again`);
  } catch (err) {
    ctx.warn(`${target}: could not cancel its ${mode} (${errorText(err)}): check listManagementServers and cancel it by hand`);
  }
}
