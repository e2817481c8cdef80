// `cloudstack.facts`: one read-only snapshot of what the upgrade playbooks decide on — the version, the
// management servers, zones, system VMs, every router (project routers included), the networks and
// VPCs that have routers, and counts such as how many routers still require an upgrade.

import { cloudstackVersion } from '../../cloudstack/helpers.js';
import { defineStep } from '../types.js';
import { clientFor, sameVersion, TARGET_ARGS } from './common.js';
import { listNetworks, listRouters, listSystemVms, listVpcs, managementServerVersion, routerNetworkIds, text, type Row } from './queries.js';

function count<T>(items: readonly T[], pred: (t: T) => boolean): number {
  return items.reduce((n, t) => n + (pred(t) ? 1 : 0), 0);
}

export const factsStep = defineStep({
  name: 'cloudstack.facts',
  summary: 'Gather CloudStack facts: version, management servers, zones, system VMs, routers, networks, VPCs, counts',
  description: 'Every router is listed (`listall=true` and `projectid=-1`, merged: [cloudstack-facts.md §5.1](cloudstack-facts.md)); '
    + 'networks and VPCs are those that have routers. It runs for real in a dry run.',
  result: {
    endpoint: ['string', 'the management-server host'],
    version: ['string or null', "listCapabilities' `cloudstackversion`, else the management servers' version"],
    ms_version: ['string or null', "the management servers' version"],
    management_servers: ['list', 'listManagementServers'],
    zones: ['list', 'listZones'],
    system_vms: ['list', 'every system VM'],
    routers: ['list', 'every router, projects included'],
    networks: ['list', 'networks that have routers, each with its `routers`'],
    vpcs: ['list', 'VPCs that have routers, each with its `routers` and `tiers`'],
    counts: ['mapping', '`system_vms_outdated`, `system_vms_not_running`, `system_vms_agent_not_up`, `routers_requiring_upgrade`, `routers_running`, `routers_redundant`, `routers_health_checks_failed`, `networks`, `vpcs`, `vpcs_without_tiers`, …'],
    routers_requiring_upgrade: ['integer', 'a copy of the count'],
    system_vms_outdated: ['integer', 'a copy of the count'],
  },
  args: TARGET_ARGS,
  effect: 'read',
  runsOn: 'runner',
  async apply(ctx, args) {
    const { name, client } = await clientFor(ctx, args.host, args.mode);
    ctx.progress(`reading facts from ${name}`);
    const capsVersion = await cloudstackVersion(client);
    const ms = await managementServerVersion(client);
    const version = capsVersion ?? ms.version ?? null;
    const zones = [...(await client.listAll('listZones', {}, { objectName: 'zone' })).items];
    const systemVms = await listSystemVms(client);
    const routers = await listRouters(client);
    ctx.progress(`reading networks and VPCs from ${name}`);
    const allNetworks = await listNetworks(client);
    const allVpcs = await listVpcs(client);

    const byNetwork = new Map<string, Row[]>();
    const byVpc = new Map<string, Row[]>();
    for (const r of routers) {
      const vpcid = r['vpcid'];
      if (typeof vpcid === 'string') byVpc.set(vpcid, [...(byVpc.get(vpcid) ?? []), r]);
      else for (const id of routerNetworkIds(r)) byNetwork.set(id, [...(byNetwork.get(id) ?? []), r]);
    }
    const brief = (rs: readonly Row[]): Row[] => rs.map((r) => ({ id: r['id'], name: r['name'], state: r['state'], redundantstate: r['redundantstate'], requiresupgrade: r['requiresupgrade'] }));
    const networks = allNetworks
      .filter((n) => typeof n['vpcid'] !== 'string' && byNetwork.has(text(n['id'])))
      .map((n) => ({ id: n['id'], name: n['name'], zonename: n['zonename'], state: n['state'], account: n['account'], project: n['project'], redundantrouter: n['redundantrouter'], routers: brief(byNetwork.get(text(n['id'])) ?? []) }));
    const vpcs = allVpcs
      .filter((v) => byVpc.has(text(v['id'])))
      .map((v) => {
        const tiers = Array.isArray(v['network']) ? v['network'].length : allNetworks.filter((n) => n['vpcid'] === v['id']).length;
        return { id: v['id'], name: v['name'], zonename: v['zonename'], state: v['state'], account: v['account'], project: v['project'], tiers, routers: brief(byVpc.get(text(v['id'])) ?? []) };
      });

    const outdated = (vm: Row): boolean => ms.version !== undefined && !sameVersion(vm['version'], ms.version);
    const facts = {
      endpoint: name,
      version,
      ms_version: ms.version ?? null,
      management_servers: ms.servers,
      zones,
      system_vms: systemVms,
      routers,
      networks,
      vpcs,
      counts: {
        zones: zones.length,
        management_servers: ms.servers.length,
        system_vms: systemVms.length,
        system_vms_not_running: count(systemVms, (v) => v['state'] !== 'Running'),
        system_vms_agent_not_up: count(systemVms, (v) => v['agentstate'] !== 'Up'),
        system_vms_outdated: count(systemVms, outdated),
        routers: routers.length,
        routers_running: count(routers, (r) => r['state'] === 'Running'),
        routers_requiring_upgrade: count(routers, (r) => r['requiresupgrade'] === true),
        routers_redundant: count(routers, (r) => r['isredundantrouter'] === true),
        routers_health_checks_failed: count(routers, (r) => r['healthchecksfailed'] === true),
        networks: networks.length,
        vpcs: vpcs.length,
        vpcs_without_tiers: count(vpcs, (v) => v.tiers === 0),
      },
    };
    // Convenient top-level copies of the counts the upgrade playbooks test most.
    const result = {
      ...facts,
      routers_requiring_upgrade: facts.counts.routers_requiring_upgrade,
      system_vms_outdated: facts.counts.system_vms_outdated,
    };
    const msg = `${name}: CloudStack ${version ?? 'version unknown'}, ${systemVms.length} system VM(s) (${facts.counts.system_vms_outdated} outdated), ` +
      `${routers.length} router(s) (${facts.counts.routers_requiring_upgrade} require an upgrade), ${networks.length} network(s), ${vpcs.length} VPC(s)`;
    return { changed: false, msg, result };
  },
});
