// What async jobs do to system VMs and routers: the state transitions of CloudStack's stop/start/reboot/
// destroy/patch of system VMs and routers (VirtualMachineManagerImpl, ManagementServerImpl at 4.20.1.0) with
// their failure texts. Each operation runs inside a job (JobControl.sleep = lab time) and returns the
// job outcome; faults decide where a job fails.

import type { LabCore } from '../core.js';
import type { JobControl, JobOutcome } from '../jobs/jobs.js';
import { renderRouter, renderSystemVm } from '../api/render/render-vm.js';
import type { Router, SystemVm, Vm } from '../world/types.js';
import { DurationDraws, type Durations } from '../jobs/durations.js';
import { traitsOf } from '../world/traits.js';

const fail = (code: number, text: string): JobOutcome => ({ ok: false, code, text });

export class VmOps {
  private readonly draws: DurationDraws;

  constructor(private readonly core: LabCore) {
    this.draws = new DurationDraws(core.world.seed, traitsOf(core.world).durationsSpread);
  }

  /** This operation's duration on this VM: the nominal one, or a draw around it (world.durations_spread). */
  private d(kind: keyof Durations, vm: Vm): number {
    return this.draws.draw(this.core.durations[kind], `${kind}:${vm.internalId}`);
  }

  private fault(command: string, vm: { readonly name: string; readonly id: string }, text: string): JobOutcome | undefined {
    const f = this.core.faults.takeJobFailure(command, vm);
    return f ? fail(f.code, f.text ?? text) : undefined;
  }

  private sysResult(vm: SystemVm): JobOutcome {
    return { ok: true, result: { systemvm: renderSystemVm(this.core.world, vm) } };
  }

  private routerResult(r: Router): JobOutcome {
    return { ok: true, result: { router: renderRouter(this.core.world, r) } };
  }

  /** Agent of a freshly (re)started or patched SSVM/CPVM: Connecting/Disconnected, then Up. */
  private reconnect(vm: SystemVm, from: 'Connecting' | 'Disconnected'): void {
    vm.agentState = from;
    this.core.time.after(this.d('agentConnect', vm), () => {
      if (vm.state === 'Running' && vm.agentState === from) vm.agentState = 'Up';
    });
  }

  private async stopPhase(ctl: JobControl, vm: Vm): Promise<void> {
    vm.state = 'Stopping';
    await ctl.sleep(this.d('stop', vm));
    vm.state = 'Stopped';
    if (vm.kind !== 'router') vm.agentState = 'Disconnected';
  }

  private async startPhase(ctl: JobControl, vm: Vm): Promise<void> {
    vm.state = 'Starting';
    vm.hostId = vm.lastHostId;
    if (vm.kind !== 'router') vm.agentState = 'Connecting';
    await ctl.sleep(this.d('start', vm));
    this.core.world.bootFromNewTemplate(vm);
    vm.state = 'Running';
    if (vm.kind !== 'router') this.reconnect(vm, 'Connecting');
  }

  /** Wraps an operation so the VM shows the pending job while it runs. */
  private async tracked(vm: Vm, jobId: string, op: () => Promise<JobOutcome>): Promise<JobOutcome> {
    vm.pendingJobId = jobId;
    try {
      return await op();
    } finally {
      if (vm.pendingJobId === jobId) vm.pendingJobId = undefined;
    }
  }

  stopSystemVm(ctl: JobControl, jobId: string, vm: Vm): Promise<JobOutcome> {
    if (vm.kind === 'router') return Promise.resolve(fail(431, 'unable to find a system vm with specified vmId'));
    return this.tracked(vm, jobId, async () => {
      if (vm.state === 'Stopped') return this.sysResult(vm);
      if (vm.state !== 'Running') return fail(530, 'Fail to stop system vm');
      const f = this.fault('stopSystemVm', vm, 'Fail to stop system vm');
      if (f) {
        await ctl.sleep(this.d('stop', vm));
        return f;
      }
      await this.stopPhase(ctl, vm);
      return this.sysResult(vm);
    });
  }

  startSystemVm(ctl: JobControl, jobId: string, vm: Vm): Promise<JobOutcome> {
    if (vm.kind === 'router') return Promise.resolve(fail(431, 'unable to find a system vm with specified vmId'));
    return this.tracked(vm, jobId, async () => {
      if (vm.state === 'Running') return this.sysResult(vm);
      if (vm.state !== 'Stopped') return fail(530, 'Fail to start system vm');
      const f = this.fault('startSystemVm', vm, 'Fail to start system vm');
      if (f) {
        vm.state = 'Starting';
        await ctl.sleep(this.d('start', vm));
        vm.state = 'Stopped';
        return f;
      }
      await this.startPhase(ctl, vm);
      return this.sysResult(vm);
    });
  }

  rebootSystemVm(ctl: JobControl, jobId: string, vm: Vm, forced: boolean): Promise<JobOutcome> {
    if (vm.kind === 'router') return Promise.resolve(fail(431, 'unable to find a system vm with specified vmId'));
    return this.tracked(vm, jobId, async () => {
      if (vm.state !== 'Running') return fail(530, 'Fail to reboot system vm');
      const f = this.fault('rebootSystemVm', vm, 'Fail to reboot system vm');
      if (f) {
        await ctl.sleep(this.d('stop', vm));
        return f;
      }
      if (forced) {
        // forced reboot = stop then start, which rebuilds the root disk from the current template.
        await this.stopPhase(ctl, vm);
        await this.startPhase(ctl, vm);
      } else {
        vm.agentState = 'Disconnected';
        await ctl.sleep(this.d('stop', vm) + this.d('start', vm));
        this.reconnect(vm, 'Connecting');
      }
      return this.sysResult(vm);
    });
  }

  destroySystemVm(ctl: JobControl, jobId: string, vm: Vm): Promise<JobOutcome> {
    if (vm.kind === 'router') return Promise.resolve(fail(431, 'unable to find a system vm with specified vmId'));
    return this.tracked(vm, jobId, async () => {
      const f = this.fault('destroySystemVm', vm, 'Fail to destroy system vm');
      if (f) return f;
      vm.state = 'Stopping';
      await ctl.sleep(this.d('destroy', vm));
      vm.state = 'Destroyed';
      vm.agentState = 'Disconnected';
      const result = this.sysResult(vm);
      // CloudStack re-creates the SSVM/CPVM from the current template on its own.
      const w = this.core.world;
      w.removeVm(vm);
      const zone = w.zone(vm.zoneId)!;
      const fresh = w.factory!.systemVm(zone, vm.kind, true);
      fresh.state = 'Starting';
      fresh.agentState = 'Connecting';
      this.core.time.after(this.d('start', fresh), () => {
        fresh.state = 'Running';
        this.reconnect(fresh, 'Connecting');
      });
      return result;
    });
  }

  patchSystemVm(ctl: JobControl, jobId: string, vm: Vm | undefined, forced: boolean): Promise<JobOutcome> {
    if (!vm) return Promise.resolve(fail(431, 'Please provide a valid ID of a system VM to be patched'));
    if (vm.kind === 'router') {
      return Promise.resolve(fail(431, `Unable to find SystemVm with id ${vm.internalId}. patchSystemVm API can be used to patch CPVM / SSVM only.`));
    }
    return this.tracked(vm, jobId, async () => {
      if (vm.state !== 'Running') {
        const desc = JSON.stringify({ id: vm.internalId, instanceName: vm.name, type: vm.kind === 'ssvm' ? 'SecondaryStorageVm' : 'ConsoleProxy', uuid: vm.id });
        return fail(530, `Unable to patch SystemVM: VM instance ${desc} as it is not in Running state. Please destroy and recreate the SystemVM.`);
      }
      const w = this.core.world;
      if (!forced && vm.scriptsVersion === w.newScriptsVersion) {
        await ctl.sleep(this.d('patch', vm) / 5);
        return { ok: true, result: { success: true, details: `No change in the scripts checksum, not patching systemVM ${vm.name}` } };
      }
      const f = this.fault('patchSystemVm', vm, `Failed to patch systemVM ${vm.name} due to Failed to scp files to system VM due to, Remote scp terminated with error (scp: /tmp//agent.zip: No space left on device)`);
      vm.agentState = 'Disconnected';
      await ctl.sleep(this.d('patch', vm));
      if (f) {
        vm.agentState = 'Up';
        return f;
      }
      vm.scriptsVersion = w.newScriptsVersion;
      vm.agentVersion = w.msVersion;
      vm.patchCount++;
      vm.agentState = 'Up';
      return { ok: true, result: { success: true, details: `Successfully patched systemVM ${vm.name} ` } };
    });
  }

  rebootRouter(ctl: JobControl, jobId: string, r: Router): Promise<JobOutcome> {
    return this.tracked(r, jobId, async () => {
      if (r.state !== 'Running') return fail(530, `Unable to reboot domR, it is not in right state ${r.state}`);
      const f = this.fault('rebootRouter', r, 'Failed to reboot router');
      await this.stopPhase(ctl, r);
      if (f) {
        // The start half failed: the router is left stopped.
        await ctl.sleep(this.d('start', r));
        return f;
      }
      await this.startPhase(ctl, r);
      return this.routerResult(r);
    });
  }

  stopRouter(ctl: JobControl, jobId: string, r: Router): Promise<JobOutcome> {
    return this.tracked(r, jobId, async () => {
      if (r.state === 'Stopped') return this.routerResult(r);
      const f = this.fault('stopRouter', r, 'Failed to stop router');
      if (f || r.state !== 'Running') {
        await ctl.sleep(this.d('stop', r));
        return f ?? fail(530, 'Failed to stop router');
      }
      await this.stopPhase(ctl, r);
      return this.routerResult(r);
    });
  }

  startRouter(ctl: JobControl, jobId: string, r: Router): Promise<JobOutcome> {
    return this.tracked(r, jobId, async () => {
      if (r.state === 'Running') return this.routerResult(r);
      const f = this.fault('startRouter', r, 'Failed to start router');
      if (f || r.state !== 'Stopped') {
        await ctl.sleep(this.d('start', r));
        return f ?? fail(530, 'Failed to start router');
      }
      await this.startPhase(ctl, r);
      return this.routerResult(r);
    });
  }

  /** Live patch of one router as the network orchestrator does it: failures are only logged. */
  livePatchRouter(r: Router): void {
    if (r.state !== 'Running') return;
    if (this.core.faults.silentPatch(r)) {
      this.core.emit({ kind: 'ms', time: this.core.time.now(), message: `live patch of ${r.name} failed (fault silentPatchFailure); restart job continues` });
      return;
    }
    const w = this.core.world;
    r.scriptsVersion = w.newScriptsVersion;
    r.softwareVersion = w.msVersion;
    r.patchCount++;
  }

  /** Management server came up: settle VMs left mid-operation, agents reconnect. */
  afterManagementServerStart(): void {
    const w = this.core.world;
    for (const vm of [...w.systemVms, ...w.routers]) {
      vm.pendingJobId = undefined;
      if (vm.state === 'Stopping') vm.state = 'Stopped';
      if (vm.state === 'Starting') {
        w.bootFromNewTemplate(vm);
        vm.state = 'Running';
      }
      if (vm.kind !== 'router') {
        if (vm.state === 'Running') this.reconnect(vm, 'Disconnected');
        else vm.agentState = 'Disconnected';
      }
    }
  }
}
