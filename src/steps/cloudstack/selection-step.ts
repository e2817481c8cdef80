// `cloudstack.selection`: a read step that checks a playbook's filters (zones, VM names, networks, VPCs)
// against what the cloud has, before the first write. It runs in dry runs too, and the write steps that
// follow may ignore their own errors (to list a way out): this step is where a typo stops the run.

import { arg } from '../schema/arg.js';
import { defineStep } from '../types.js';
import { clientFor, HOST_ARG, MODE_ARG, selection } from './common.js';
import { listRouters, listSystemVms, text } from './queries.js';
import { selectRouters } from './router-plan.js';
import { FILTERS_DOC } from './reference.js';
import { ALLOW_EMPTY_ARG, networkUniverse, requireKnown, requireSelected, universeOf, vpcUniverse, zoneUniverse } from './selection.js';
import { selectSystemVms } from './systemvms.js';

export const selectionStep = defineStep({
  name: 'cloudstack.selection',
  summary: 'Check that zone, VM, network and VPC filters name what exists (did you mean), and select something',
  description: [
    'The check `cloudstack.systemvms` and `cloudstack.routers` make, for a playbook before its first write: the write steps that '
      + 'follow may set `ignore_errors` (to list a way out afterwards), and a typo must still stop the run.',
    '',
    FILTERS_DOC,
  ].join('\n'),
  result: {
    system_vms: ['list of strings', 'the system VMs the filters select (any state), by name'],
    routers: ['list of strings', 'the routers the filters select (any state), by name'],
  },
  args: {
    zones: arg.list(arg.string(), 'zone names or ids', { single: true }),
    names: arg.list(arg.string(), 'system VM or router names (s-1-VM, r-4-VM) or ids', { single: true }),
    networks: arg.list(arg.string(), 'guest network names or ids', { single: true }),
    vpcs: arg.list(arg.string(), 'VPC names or ids', { single: true }),
    allow_empty: ALLOW_EMPTY_ARG,
    host: HOST_ARG,
    mode: MODE_ARG,
  },
  effect: 'read',
  runsOn: 'runner',
  async apply(ctx, args) {
    const { name, client } = await clientFor(ctx, args.host, args.mode);
    const filters = { zones: selection(args.zones), names: selection(args.names), networks: selection(args.networks), vpcs: selection(args.vpcs) };
    const [vms, routers] = await Promise.all([listSystemVms(client), listRouters(client)]);
    await requireKnown(name, [
      { arg: 'zones', values: filters.zones, universe: () => zoneUniverse(client) },
      { arg: 'names', values: filters.names, universe: async () => universeOf([...vms, ...routers], 'system VM or router', 'system VMs and routers') },
      { arg: 'networks', values: filters.networks, universe: () => networkUniverse(client) },
      { arg: 'vpcs', values: filters.vpcs, universe: () => vpcUniverse(client) },
    ]);
    // a system VM is in no guest network or VPC: those filters select routers only
    const svms = filters.networks.length + filters.vpcs.length > 0 ? [] : selectSystemVms(vms, { zones: filters.zones, names: filters.names, states: ['any'], types: undefined });
    const vrs = selectRouters(routers, { ...filters, states: ['any'], requiresupgrade: 'any' });
    requireSelected(name, 'system VMs or routers', filters, svms.length + vrs.length, args.allow_empty === true);
    const given = Object.values(filters).some((v) => v.length > 0);
    return {
      changed: false,
      msg: given ? `the filters select ${svms.length} system VM(s) and ${vrs.length} router(s) on ${name} (any state)` : `no filters: every zone, system VM and router of ${name}`,
      result: { system_vms: svms.map((v) => text(v['name'])), routers: vrs.map((r) => text(r['name'])) },
    };
  },
});
