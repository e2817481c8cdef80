// One management server restarted while its peers keep the API: drained through a peer first (ms-drain.ts:
// 4.21+ maintenance, 4.19–4.20 shutdown, before that its own jobs), restarted, and taken out of maintenance
// when a 4.21 server comes back in it. Used by cloudstack.management_restart and by closing the integration
// port, which restarts several servers.

import { StepFailedError, type StepContext } from '../types.js';
import { cancelDrain, drain, drainModeOf, peerOf, targetRow, type DrainMode, type Peer } from './ms-drain.js';
import { jobsOn, type JobBrief } from './ms-cluster.js';
import { restartServer, type RestartOptions, type RestartReport } from './ms-restart.js';
import { text } from './queries.js';
import { atLeast } from './releases.js';

export interface DrainedRestartOptions extends RestartOptions {
  /** The servers a peer is chosen from. */
  readonly servers: readonly string[];
  /** auto: what the release offers; jobs: no drain API, the restart waits for the server's jobs. */
  readonly drain: 'auto' | DrainMode;
  readonly drainTimeoutMs: number;
  /**
   * Whether a 4.21+ server may be put in maintenance. A run killed between the drain and the restart
   * leaves it there, and 4.21 keeps Maintenance across a restart: restarts that a dead-man timer may
   * finish on its own (the integration port's) take the jobs wait instead.
   */
  readonly maintenance: boolean;
  /** A peer already chosen (the caller refused without one). */
  readonly peer?: Peer | undefined;
  /** When the drain fails or times out (it was cancelled): fail, or restart anyway (closing the integration port must happen). */
  readonly onDrainFailure?: 'fail' | 'restart';
}

export interface DrainedRestart {
  readonly peer: string | null;
  readonly mode: DrainMode;
  readonly drained: string | null;
  /** The jobs it was executing when the drain began (it finished them before its restart). */
  readonly finished: readonly JobBrief[];
  readonly restart: RestartReport;
}

/** The drain a server gets: none without a peer, and never maintenance where the caller cannot take it. */
function modeFor(o: DrainedRestartOptions, version: string): DrainMode {
  const wanted = o.drain === 'auto' ? drainModeOf(version) : o.drain;
  if (wanted === 'maintenance' && !o.maintenance) return atLeast(version, '4.21') ? 'jobs' : 'shutdown';
  return wanted;
}

export async function drainedRestart(ctx: StepContext, o: DrainedRestartOptions): Promise<DrainedRestart> {
  const peer = o.peer ?? (o.drain === 'jobs' ? undefined : await peerOf(ctx, o.host, o.servers));
  if (peer === undefined) return { peer: null, mode: 'jobs', drained: null, finished: [], restart: await restartServer(ctx, o) };
  const before = await targetRow(ctx, peer, o.host);
  const mode = modeFor(o, text(before['version'], '0'));
  if (mode === 'jobs') return { peer: peer.host, mode, drained: null, finished: [], restart: await restartServer(ctx, o) };
  const finished = await jobsOn(peer.client, before);
  let drained: string;
  try {
    drained = await drain(ctx, peer, o.host, text(before['id']), mode, o.drainTimeoutMs, o.intervalMs);
  } catch (err) {
    if (o.onDrainFailure !== 'restart' || ctx.signal.aborted) throw err;
    ctx.warn(`${o.host}: its ${mode} did not complete (${(err as Error).message}): restarting it without the drain`);
    return { peer: peer.host, mode: 'jobs', drained: null, finished: [], restart: await restartServer(ctx, o) };
  }
  let restart: RestartReport;
  try {
    // 4.21 keeps a server that was in maintenance in Maintenance across its restart (ClusterManagerImpl.start at 4.21.0.0)
    restart = await restartServer(ctx, { ...o, backStates: mode === 'maintenance' ? ['Up', 'Maintenance'] : ['Up'] });
  } catch (err) {
    await cancelDrain(ctx, peer, text(before['id']), mode, o.host);
    throw err;
  }
  if (mode === 'maintenance' && (await targetRow(ctx, peer, o.host))['state'] === 'Maintenance') await cancelDrain(ctx, peer, text(before['id']), mode, o.host);
  return { peer: peer.host, mode, drained, finished, restart };
}

/** `drained (…)` for a message, or nothing when the server was not drained. */
export function describeDrain(d: DrainedRestart): string {
  if (!d.drained) return '';
  const jobs = d.finished.length > 0
    ? `, after the ${d.finished.length} job(s) it was executing: ${d.finished.slice(0, 5).map((j) => `${j.cmd} ${j.jobid} (${j.account})`).join(', ')}${d.finished.length > 5 ? ', …' : ''}`
    : '';
  return `drained through ${d.peer ?? '?'} (${d.drained}${jobs}); `;
}

export function refuseWithoutPeer(host: string): never {
  throw new StepFailedError(`no other management server is Up: restarting ${host} would take the API away (and 4.21+ refuses maintenance on the only active server); nothing was changed`);
}
