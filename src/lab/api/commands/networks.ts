// Guest networks and VPCs: listNetworks / listVPCs (same ACL rules as listRouters) and the async
// restartNetwork / restartVPC with cleanup, makeredundant and livepatch (NetworkServiceImpl.restartNetwork,
// VpcManagerImpl.restartVpc).

import { listOf, type CommandDef } from '../types.js';
import { renderNetwork, renderVpc } from '../render/render-infra.js';
import { ACL_PARAMS, ownerFilter } from './acl.js';
import type { Network, Vpc, Zone } from '../../world/types.js';

const listNetworks: CommandDef = {
  name: 'listNetworks', async: false, list: true, legacyIds: true,
  params: [
    { name: 'id', type: 'uuid', entity: 'network' }, { name: 'zoneid', type: 'uuid', entity: 'zone' }, { name: 'vpcid', type: 'uuid', entity: 'vpc' },
    { name: 'forvpc', type: 'boolean' }, { name: 'type', type: 'string' }, { name: 'name', type: 'string' }, ...ACL_PARAMS,
  ],
  handler: (ctx, args) => {
    const w = ctx.core.world;
    const id = args.ref<Network>('id');
    const zone = args.ref<Zone>('zoneid');
    const vpc = args.ref<Vpc>('vpcid');
    const type = args.str('type')?.toLowerCase();
    const name = args.str('name');
    const keyword = args.str('keyword');
    const forVpc = args.has('forvpc') ? args.bool('forvpc') : undefined;
    const visible = id ? () => true : ownerFilter(ctx, args);
    const nets = w.networks.filter((n) =>
      visible(n.ownerId) && (!id || n === id) && (!zone || n.zoneId === zone.id) && (!vpc || n.vpcId === vpc.id) &&
      (forVpc === undefined || forVpc === (n.vpcId !== undefined)) && (!type || type === 'isolated') &&
      (name === undefined || n.name === name) && (keyword === undefined || n.name.includes(keyword)));
    return listOf('network', nets, (n: Network) => renderNetwork(w, n));
  },
};

const listVPCs: CommandDef = {
  name: 'listVPCs', async: false, list: true,
  params: [{ name: 'id', type: 'uuid', entity: 'vpc' }, { name: 'zoneid', type: 'uuid', entity: 'zone' }, { name: 'name', type: 'string' }, ...ACL_PARAMS],
  handler: (ctx, args) => {
    const w = ctx.core.world;
    const id = args.ref<Vpc>('id');
    const zone = args.ref<Zone>('zoneid');
    const name = args.str('name');
    const visible = id ? () => true : ownerFilter(ctx, args);
    const vpcs = w.vpcs.filter((v) => visible(v.ownerId) && (!id || v === id) && (!zone || v.zoneId === zone.id) && (name === undefined || v.name === name));
    return listOf('vpc', vpcs, (v: Vpc) => renderVpc(w, v));
  },
};

const FLAGS: CommandDef['params'] = [
  { name: 'cleanup', type: 'boolean' }, { name: 'makeredundant', type: 'boolean' }, { name: 'livepatch', type: 'boolean' },
];

const restartNetwork: CommandDef = {
  name: 'restartNetwork', async: true, legacyIds: true,
  params: [{ name: 'id', type: 'uuid', entity: 'network', required: true }, ...FLAGS],
  handler: (ctx, args) => {
    const net = args.ref<Network>('id')!;
    const flags = { cleanup: args.bool('cleanup'), makeRedundant: args.bool('makeredundant'), livePatch: args.bool('livepatch') };
    const job = ctx.core.jobs.submit({
      command: 'restartNetwork', cmdClass: 'org.apache.cloudstack.api.command.user.network.RestartNetworkCmd', caller: ctx.caller,
      instanceType: 'Network', instanceId: net.id, work: (ctl) => ctx.core.netOps.restartNetwork(ctl, net, flags),
    });
    return { kind: 'job', jobId: job.id };
  },
};

const restartVPC: CommandDef = {
  name: 'restartVPC', async: true,
  params: [{ name: 'id', type: 'uuid', entity: 'vpc', required: true }, ...FLAGS],
  handler: (ctx, args) => {
    const vpc = args.ref<Vpc>('id')!;
    const flags = { cleanup: args.bool('cleanup'), makeRedundant: args.bool('makeredundant'), livePatch: args.bool('livepatch') };
    const job = ctx.core.jobs.submit({
      command: 'restartVPC', cmdClass: 'org.apache.cloudstack.api.command.user.vpc.RestartVPCCmd', caller: ctx.caller,
      instanceType: 'Vpc', instanceId: vpc.id, work: (ctl) => ctx.core.netOps.restartVpc(ctl, vpc, flags),
    });
    return { kind: 'job', jobId: job.id };
  },
};

export const NETWORK_COMMANDS: readonly CommandDef[] = [listNetworks, listVPCs, restartNetwork, restartVPC];
