// restartNetwork / restartVPC inside their jobs (NetworkOrchestrator, VpcManagerImpl at 4.20.1.0): livepatch
// patches every running router (VPC routers once per tier, VPCs without tiers not at all), cleanup replaces
// the routers with new ones from the current template, makeredundant forces cleanup, and a failed router
// patch never fails the job.

import type { LabCore } from '../core.js';
import type { JobControl, JobOutcome } from '../jobs/jobs.js';
import type { Network, Router, Vpc } from '../world/types.js';
import { DurationDraws } from '../jobs/durations.js';
import { traitsOf } from '../world/traits.js';

export interface RestartFlags {
  readonly cleanup: boolean;
  readonly makeRedundant: boolean;
  readonly livePatch: boolean;
}

const fail = (code: number, text: string): JobOutcome => ({ ok: false, code, text });

export class NetworkOps {
  private readonly draws: DurationDraws;

  constructor(private readonly core: LabCore) {
    this.draws = new DurationDraws(core.world.seed, traitsOf(core.world).durationsSpread);
  }

  /** This restart's duration: the nominal one, or a draw around it (world.durations_spread). */
  private d(kind: 'restartNetwork' | 'restartVpc' | 'start', target: Network | Vpc): number {
    return this.draws.draw(this.core.durations[kind], `${kind}:${'tierIds' in target ? 'vpc' : 'net'}:${target.internalId}`);
  }

  private routers(ids: readonly string[]): Router[] {
    return ids.map((id) => this.core.world.vm(id)).filter((r): r is Router => r?.kind === 'router');
  }

  async restartNetwork(ctl: JobControl, net: Network, flags: RestartFlags): Promise<JobOutcome> {
    const cleanup = flags.cleanup || flags.makeRedundant;
    const livePatch = flags.livePatch && !cleanup;
    if (net.vpcId && cleanup) return fail(431, 'Cannot restart a VPC tier with cleanup, please restart the whole VPC.');
    if (net.state !== 'Implemented' && net.state !== 'Setup') {
      return fail(431, 'Network is not in the right state to be restarted. Correct states are: Implemented, Setup');
    }
    const f = this.core.faults.takeJobFailure('restartNetwork', net);
    await ctl.sleep(this.d('restartNetwork', net));
    if (f) return fail(f.code, f.text ?? 'Failed to restart network');
    if (livePatch) {
      const vpc = net.vpcId ? this.core.world.vpc(net.vpcId) : undefined;
      for (const r of this.routers(vpc ? vpc.routerIds : net.routerIds)) this.core.vmOps.livePatchRouter(r);
    }
    if (cleanup) {
      const count = flags.makeRedundant ? Math.max(2, net.routerIds.length) : Math.max(1, net.routerIds.length);
      if (flags.makeRedundant) net.redundant = true;
      await ctl.sleep(this.d('start', net));
      net.routerIds = this.replace(net.zoneId, [net], undefined, net.ownerId, net.routerIds, count, net.redundant);
    }
    return { ok: true, result: { success: true } };
  }

  async restartVpc(ctl: JobControl, vpc: Vpc, flags: RestartFlags): Promise<JobOutcome> {
    const cleanup = flags.cleanup || flags.makeRedundant;
    const livePatch = flags.livePatch && !cleanup;
    if (vpc.state !== 'Enabled') return fail(431, 'Unable to find Enabled VPC by id specified');
    const f = this.core.faults.takeJobFailure('restartVPC', vpc);
    await ctl.sleep(this.d('restartVpc', vpc));
    if (f) return fail(f.code, f.text ?? 'Failed to restart VPC');
    if (livePatch) {
      // The per-tier network restart patches the VPC's routers once per tier.
      for (let t = 0; t < vpc.tierIds.length; t++) for (const r of this.routers(vpc.routerIds)) this.core.vmOps.livePatchRouter(r);
    }
    if (cleanup) {
      const redundant = vpc.redundant || flags.makeRedundant;
      const count = redundant ? 2 : Math.max(1, vpc.routerIds.length);
      await ctl.sleep(this.d('start', vpc));
      const tiers = vpc.tierIds.map((id) => this.core.world.network(id)).filter((n): n is Network => n !== undefined);
      const fresh = this.replace(vpc.zoneId, tiers, vpc.id, vpc.ownerId, vpc.routerIds, count, redundant);
      vpc.routerIds = fresh;
      for (const t of tiers) t.routerIds = [...fresh];
    }
    return { ok: true, result: { success: true } };
  }

  /** Destroys the old routers and deploys `count` new ones from the current template. */
  private replace(zoneId: string, nets: Network[], vpcId: string | undefined, ownerId: string, oldIds: readonly string[],
    count: number, redundant: boolean): string[] {
    const w = this.core.world;
    for (const r of this.routers(oldIds)) w.removeVm(r);
    for (const n of nets) n.routerIds = [];
    const out: string[] = [];
    for (let k = 0; k < count; k++) {
      const state = redundant ? (k === 0 ? 'PRIMARY' : 'BACKUP') : 'UNKNOWN';
      out.push(w.factory!.router(zoneId, nets, vpcId, ownerId, redundant, state, true).id);
    }
    return out;
  }
}
