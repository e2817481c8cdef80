// Tenant instances: listVirtualMachines (user VMs only, never system VMs or routers; same ACL as
// listRouters; `name` is an exact host name, `keyword` a substring of name, display name or state) and
// listVolumes for their root volumes. Source: QueryManagerImpl.searchForUserVMIdsAndCount at 4.20.1.0.

import { listOf, type CommandDef } from '../types.js';
import { renderRootVolume, renderUserVm } from '../render/render-instance.js';
import { ACL_PARAMS, ownerFilter } from './acl.js';
import type { UserVm } from '../../world/instances.js';
import type { HypervisorHost, Network, Vpc, Zone } from '../../world/types.js';

const listVirtualMachines: CommandDef = {
  name: 'listVirtualMachines', async: false, list: true, legacyIds: true,
  params: [
    { name: 'id', type: 'uuid', entity: 'uservm' }, { name: 'name', type: 'string' }, { name: 'state', type: 'string' },
    { name: 'zoneid', type: 'uuid', entity: 'zone' }, { name: 'hostid', type: 'uuid', entity: 'host' },
    { name: 'networkid', type: 'uuid', entity: 'network' }, { name: 'vpcid', type: 'uuid', entity: 'vpc' },
    { name: 'details', type: 'string' }, ...ACL_PARAMS,
  ],
  handler: (ctx, args) => {
    const w = ctx.core.world;
    const id = args.ref<UserVm>('id');
    const zone = args.ref<Zone>('zoneid');
    const host = args.ref<HypervisorHost>('hostid');
    const net = args.ref<Network>('networkid');
    const vpc = args.ref<Vpc>('vpcid');
    const name = args.str('name');
    const state = args.str('state')?.toLowerCase();
    const keyword = args.str('keyword')?.toLowerCase();
    const visible = id ? () => true : ownerFilter(ctx, args);
    const vms = w.userVms.filter((vm) =>
      visible(vm.ownerId) && (!id || vm === id) && (!zone || vm.zoneId === zone.id) &&
      (!host || (vm.hostId === host.id && vm.state === 'Running')) && (!net || vm.networkId === net.id) &&
      (!vpc || w.network(vm.networkId)?.vpcId === vpc.id) && (name === undefined || vm.name === name) &&
      (!state || vm.state.toLowerCase() === state) &&
      (keyword === undefined || [vm.name, vm.displayName, vm.instanceName].some((s) => s.toLowerCase().includes(keyword)) ||
        vm.state.toLowerCase() === keyword || vm.ipAddress.includes(keyword)));
    return listOf('virtualmachine', vms, (vm: UserVm) => renderUserVm(w, vm));
  },
};

const listVolumes: CommandDef = {
  name: 'listVolumes', async: false, list: true, legacyIds: true,
  params: [
    { name: 'id', type: 'uuid', entity: 'volume' }, { name: 'virtualmachineid', type: 'uuid', entity: 'uservm' },
    { name: 'type', type: 'string' }, { name: 'zoneid', type: 'uuid', entity: 'zone' }, { name: 'name', type: 'string' }, ...ACL_PARAMS,
  ],
  handler: (ctx, args) => {
    const w = ctx.core.world;
    // a volume id resolves to the instance whose root volume it is (the lab's only volumes)
    const id = args.ref<UserVm>('id');
    const vm = args.ref<UserVm>('virtualmachineid');
    const zone = args.ref<Zone>('zoneid');
    const type = args.str('type')?.toUpperCase();
    const name = args.str('name');
    const visible = id || vm ? () => true : ownerFilter(ctx, args);
    const owners = w.userVms.filter((v) =>
      visible(v.ownerId) && (!id || v === id) && (!vm || v === vm) && (!zone || v.zoneId === zone.id) &&
      (!type || type === 'ROOT') && (name === undefined || `ROOT-${v.internalId}` === name));
    return listOf('volume', owners, (v: UserVm) => renderRootVolume(w, v));
  },
};

export const INSTANCE_COMMANDS: readonly CommandDef[] = [listVirtualMachines, listVolumes];
