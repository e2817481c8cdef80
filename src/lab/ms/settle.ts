// VMs left half-way by jobs that a restart cancelled, while a peer kept the cluster running: a VM caught
// stopping ends Stopped, one caught starting ends Running on the new template (what VM sync reports next).
// When the whole cluster was down, VmOps.afterManagementServerStart settles every VM instead.

import type { LabCore } from '../core.js';
import type { Job } from '../jobs/jobs.js';
import { reconnect } from './cluster.js';

export function settleAfterCancel(core: LabCore, cancelled: readonly Job[]): void {
  const ids = new Set(cancelled.map((j) => j.id));
  const w = core.world;
  for (const vm of [...w.systemVms, ...w.routers]) {
    if (vm.pendingJobId === undefined || !ids.has(vm.pendingJobId)) continue;
    vm.pendingJobId = undefined;
    if (vm.state === 'Stopping') {
      vm.state = 'Stopped';
      if (vm.kind !== 'router') vm.agentState = 'Disconnected';
    } else if (vm.state === 'Starting') {
      w.bootFromNewTemplate(vm);
      vm.state = 'Running';
      if (vm.kind !== 'router') reconnect(core, vm);
    }
  }
}
