// SSVM/CPVM commands: listSystemVms and the async stop/start/reboot/destroy/patch. Parameter translation
// accepts any VM id (the entity is VirtualMachine); stop/start/reboot/destroy then refuse a router or
// instance synchronously, when the event type is computed before the job is queued; patchSystemVm takes it
// and fails inside the job. Source: StopSystemVmCmd.getEventType and ManagementServerImpl
// .findSystemVMTypeById at 4.20.1.0 (the same from 4.18.2.5 to 4.22); PatchSystemVMCmd.java.

import { listOf, type CommandContext, type CommandDef, type CommandResult } from '../types.js';
import { ApiError, CS } from '../errors.js';
import type { Args } from '../args.js';
import { renderSystemVm } from '../render/render-vm.js';
import type { HypervisorHost, SystemVm, Vm, Zone } from '../../world/types.js';
import type { JobControl, JobOutcome } from '../../jobs/jobs.js';

const PKG = 'org.apache.cloudstack.api.command.admin.systemvm';

const listSystemVms: CommandDef = {
  name: 'listSystemVms', async: false, list: true, legacyIds: true,
  params: [
    { name: 'id', type: 'uuid', entity: 'vm' }, { name: 'name', type: 'string' }, { name: 'state', type: 'string' },
    { name: 'systemvmtype', type: 'string' }, { name: 'zoneid', type: 'uuid', entity: 'zone' },
    { name: 'podid', type: 'uuid', entity: 'pod' }, { name: 'hostid', type: 'uuid', entity: 'host' }, { name: 'keyword', type: 'string' },
  ],
  handler: (ctx, args) => {
    const w = ctx.core.world;
    const id = args.ref<Vm>('id');
    const zone = args.ref<Zone>('zoneid');
    const pod = args.ref<Zone>('podid');
    const host = args.ref<HypervisorHost>('hostid');
    const type = args.str('systemvmtype')?.toLowerCase();
    const state = args.str('state')?.toLowerCase();
    const name = args.str('name');
    const keyword = args.str('keyword');
    const vms = w.systemVms.filter((vm) =>
      (!id || vm === id) && (!zone || vm.zoneId === zone.id) && (!pod || vm.zoneId === pod.id) &&
      (!host || (vm.hostId === host.id && vm.state !== 'Stopped')) &&
      (!type || type === (vm.kind === 'ssvm' ? 'secondarystoragevm' : 'consoleproxy')) &&
      (!state || vm.state.toLowerCase() === state) && (name === undefined || vm.name === name) &&
      (keyword === undefined || vm.name.includes(keyword)));
    return listOf('systemvm', vms, (vm: SystemVm) => renderSystemVm(w, vm));
  },
};

type VmWork = (ctx: CommandContext, ctl: JobControl, jobId: string, vm: Vm, args: Args) => Promise<JobOutcome>;

function asyncVmCommand(name: string, cls: string, work: VmWork, extra: CommandDef['params'] = []): CommandDef {
  return {
    name, async: true, legacyIds: true,
    params: [{ name: 'id', type: 'uuid', entity: 'instance', required: true }, ...extra],
    handler: (ctx, args): CommandResult => {
      const found = args.ref<Vm | { readonly internalId: number; readonly kind?: undefined }>('id')!;
      if (found.kind !== 'ssvm' && found.kind !== 'cpvm') {
        // ApiServer.queueCommand asks the command for its event type, which looks the id up among SSVMs/CPVMs.
        throw new ApiError(431, 'Unable to find a system vm of specified instanceId', CS.INVALID_PARAM, false,
          [{ uuid: String(found.internalId), description: 'instanceId' }]);
      }
      const vm: Vm = found;
      let jobId = '';
      const job = ctx.core.jobs.submit({
        command: name, cmdClass: `${PKG}.${cls}`, caller: ctx.caller, instanceType: 'SystemVm', instanceId: vm.id,
        work: (ctl) => work(ctx, ctl, jobId, vm, args),
      });
      jobId = job.id;
      return { kind: 'job', jobId: job.id };
    },
  };
}

const forced = [{ name: 'forced', type: 'boolean' as const }];

const stopSystemVm = asyncVmCommand('stopSystemVm', 'StopSystemVmCmd', (ctx, ctl, j, vm) => ctx.core.vmOps.stopSystemVm(ctl, j, vm), forced);
const startSystemVm = asyncVmCommand('startSystemVm', 'StartSystemVMCmd', (ctx, ctl, j, vm) => ctx.core.vmOps.startSystemVm(ctl, j, vm));
const rebootSystemVm = asyncVmCommand('rebootSystemVm', 'RebootSystemVmCmd',
  (ctx, ctl, j, vm, args) => ctx.core.vmOps.rebootSystemVm(ctl, j, vm, args.bool('forced')), forced);
const destroySystemVm = asyncVmCommand('destroySystemVm', 'DestroySystemVmCmd', (ctx, ctl, j, vm) => ctx.core.vmOps.destroySystemVm(ctl, j, vm));

/** patchSystemVm (4.17+): id not annotated required; no job instance; no numeric ids (has `since`). */
const patchSystemVm: CommandDef = {
  name: 'patchSystemVm', async: true,
  params: [{ name: 'id', type: 'uuid', entity: 'vm' }, ...forced],
  handler: (ctx, args) => {
    const vm = args.ref<Vm>('id');
    let jobId = '';
    const job = ctx.core.jobs.submit({
      command: 'patchSystemVm', cmdClass: `${PKG}.PatchSystemVMCmd`, caller: ctx.caller,
      work: (ctl) => ctx.core.vmOps.patchSystemVm(ctl, jobId, vm, args.bool('forced')),
    });
    jobId = job.id;
    return { kind: 'job', jobId: job.id };
  },
};

export const SYSTEM_VM_COMMANDS: readonly CommandDef[] = [listSystemVms, stopSystemVm, startSystemVm, rebootSystemVm, destroySystemVm, patchSystemVm];
