// Response objects for zones, hosts, guest networks, VPCs, configuration rows, management servers and
// capabilities: the usual CloudStack fields in declaration order, kept small; management servers as each
// release fills ManagementServerResponse (see renderManagementServer).

import { csDate } from '../../clock.js';
import { CONFIG_BY_NAME, configDisplayText, type ConfigDef } from '../../world/config-table.js';
import type { HypervisorHost, Network, SystemVm, Vpc, Zone } from '../../world/types.js';
import type { World } from '../../world/world.js';
import { apiFacts } from '../../world/profiles.js';
import type { LabCore } from '../../core.js';
import { stateName, type ManagementServer } from '../../ms/management-server.js';
import { compact, type JsonObject } from './compact.js';

export function renderZone(z: Zone): JsonObject {
  return compact([
    ['id', z.id], ['name', z.name], ['dns1', z.dns1], ['dns2', z.dns2], ['internaldns1', '10.0.0.2'],
    ['networktype', 'Advanced'], ['securitygroupsenabled', false], ['allocationstate', 'Enabled'],
    ['zonetoken', z.id.slice(0, 8)], ['dhcpprovider', 'VirtualRouter'], ['localstorageenabled', false],
    ['tags', []], ['hasannotations', false], ['type', 'Core'],
  ]);
}

/** `owner`: the management server the host's agent is connected to (managementserverid is its uuid). */
export function renderRoutingHost(w: World, h: HypervisorHost, msUp: boolean, owner?: ManagementServer): JsonObject {
  const z = w.zone(h.zoneId)!;
  return compact([
    ['id', h.id], ['name', h.name], ['state', msUp ? 'Up' : 'Disconnected'], ['type', 'Routing'], ['ipaddress', h.ipAddress],
    ['zoneid', z.id], ['zonename', z.name], ['podid', z.podId], ['podname', z.podName], ['version', h.agentVersion],
    ['hypervisor', 'KVM'], ['cpusockets', 2], ['cpunumber', 32], ['cpuspeed', 2400], ['memorytotal', 274877906944],
    ['clusterid', z.clusterId], ['clustername', z.clusterName], ['clustertype', 'CloudManaged'],
    ['islocalstorageactive', false], ['created', csDate(h.created)], ['managementserverid', (owner?.record ?? w.ms).id],
    ['managementservername', apiFacts(w.msVersion).hostServerName ? (owner?.record ?? w.ms).name : undefined],
    ['resourcestate', 'Enabled'], ['hahost', false], ['arch', 'x86_64'], ['hasannotations', false],
  ]);
}

/** SSVM/CPVM agents are hosts too (type SecondaryStorageVM / ConsoleProxy). */
export function renderSystemVmHost(w: World, vm: SystemVm): JsonObject {
  const z = w.zone(vm.zoneId)!;
  return compact([
    ['id', w.agentHostId(vm)], ['name', vm.name], ['state', vm.agentState], ['type', vm.kind === 'ssvm' ? 'SecondaryStorageVM' : 'ConsoleProxy'],
    ['ipaddress', vm.privateIp], ['zoneid', z.id], ['zonename', z.name], ['podid', z.podId], ['podname', z.podName],
    ['version', vm.agentVersion], ['islocalstorageactive', false], ['created', csDate(vm.created)],
    ['resourcestate', 'Enabled'], ['arch', 'x86_64'], ['hasannotations', false],
  ]);
}

export function renderNetwork(w: World, n: Network): JsonObject {
  const z = w.zone(n.zoneId)!;
  const owner = w.owner(n.ownerId);
  const vpc = n.vpcId ? w.vpc(n.vpcId) : undefined;
  const [, bits] = n.cidr.split('/');
  const offering = vpc ? 'DefaultIsolatedNetworkOfferingForVpcNetworks'
    : n.redundant ? 'DefaultIsolatedNetworkOfferingWithSourceNatServiceRedundant' : 'DefaultIsolatedNetworkOfferingWithSourceNatService';
  return compact([
    ['id', n.id], ['name', n.name], ['displaytext', n.name], ['broadcastdomaintype', 'Vlan'], ['traffictype', 'Guest'],
    ['gateway', n.gateway], ['netmask', bits === '24' ? '255.255.255.0' : undefined], ['cidr', n.cidr],
    ['zoneid', z.id], ['zonename', z.name], ['networkofferingid', w.offeringIdByName(offering)], ['networkofferingname', offering],
    ['networkofferingdisplaytext', offering], ['networkofferingconservemode', true], ['networkofferingavailability', 'Optional'],
    ['issystem', false], ['state', n.state], ['related', n.id], ['dns1', z.dns1], ['dns2', z.dns2], ['type', 'Isolated'],
    ['acltype', 'Account'],
    ['account', owner.kind === 'account' ? owner.account.name : undefined],
    ['projectid', owner.kind === 'project' ? owner.project.id : undefined],
    ['project', owner.kind === 'project' ? owner.project.name : undefined],
    ['domainid', owner.domain.id], ['domain', owner.domain.name], ['domainpath', owner.domain.path],
    ['networkdomain', z.networkDomain], ['physicalnetworkid', w.physicalNetworkId(z.id)], ['restartrequired', false],
    ['specifyipranges', false], ['vpcid', vpc?.id], ['vpcname', vpc?.name], ['canusefordeploy', true], ['ispersistent', false],
    ['tags', []], ['displaynetwork', true], ['redundantrouter', n.redundant], ['created', csDate(n.created)],
    ['hasannotations', false],
  ]);
}

export function renderVpc(w: World, v: Vpc): JsonObject {
  const z = w.zone(v.zoneId)!;
  const owner = w.owner(v.ownerId);
  const offering = v.redundant ? 'Redundant VPC offering' : 'Default VPC offering';
  return compact([
    ['id', v.id], ['name', v.name], ['displaytext', v.name], ['state', v.state], ['zoneid', z.id], ['zonename', z.name],
    ['cidr', v.cidr], ['vpcofferingid', w.offeringIdByName(offering)], ['vpcofferingname', offering],
    ['created', csDate(v.created)],
    ['account', owner.kind === 'account' ? owner.account.name : undefined],
    ['projectid', owner.kind === 'project' ? owner.project.id : undefined],
    ['project', owner.kind === 'project' ? owner.project.name : undefined],
    ['domainid', owner.domain.id], ['domain', owner.domain.name], ['domainpath', owner.domain.path],
    ['network', v.tierIds.map((id) => w.network(id)).filter((n) => n !== undefined).map((n) => renderNetwork(w, n))],
    ['restartrequired', false], ['networkdomain', z.networkDomain], ['tags', []], ['fordisplay', true],
    ['distributedvpcrouter', false], ['redundantvpcrouter', v.redundant], ['regionlevelvpc', false], ['hasannotations', false],
  ]);
}

export function renderConfig(def: ConfigDef, value: string | null, scope?: string): JsonObject {
  return compact([
    ['category', def.category], ['group', def.group], ['subgroup', def.subgroup], ['name', def.name], ['value', value],
    ['defaultvalue', def.defaultValue], ['scope', scope], ['description', def.description], ['isdynamic', def.isDynamic],
    ['component', def.component], ['displaytext', configDisplayText(def.name)], ['type', def.type],
  ]);
}

export function configDef(name: string): ConfigDef | undefined {
  return CONFIG_BY_NAME.get(name);
}

/**
 * ManagementServerResponse: 4.18–4.20.0 id, name, state, version, javadistribution, javaversion, osdistribution,
 * lastserverstart, lastserverstop, lastboottime, serviceip (kernelversion is declared but never set);
 * 4.20.1 adds ipaddress and, with peers=true, the peer list; 4.21 adds lastagents, agents, agentscount and
 * pendingjobscount. Source: QueryManagerImpl.createManagementServerResponse at 4.18.2.5, 4.20.1.0, 4.21.0.0.
 */
export function renderManagementServer(core: LabCore, ms: ManagementServer, listPeers: boolean): JsonObject {
  const f = apiFacts(core.world.msVersion);
  const r = ms.record;
  // OpenJDK 11 up to 4.19, 17 from 4.20 (debian/control at 4.19.0.0 and 4.20.0.0)
  const java = f.vmFields420 ? '17.0.13' : '11.0.25';
  const peers = listPeers && f.msIpAddress
    ? core.cluster.servers.filter((p) => p !== ms).map((p) => compact([
      ['state', p.state === 'running' ? 'Up' : 'Down'], ['lastupdated', csDate(core.time.now())], ['peerid', p.record.id],
      ['peername', p.name], ['peermsid', String(p.msid)], ['peerrunid', String(p.lastStart)],
      ['peerstate', stateName(core, p.hostState)], ['peerserviceip', p.address], ['peerserviceport', '9090'],
    ]))
    : undefined;
  const agents = f.msAgents ? core.cluster.agentsOf(ms) : undefined;
  return compact([
    ['id', r.id], ['name', r.name], ['state', stateName(core, ms.hostState)], ['version', core.world.msVersion],
    ['javadistribution', 'Ubuntu'], ['javaversion', java], ['osdistribution', 'Ubuntu 22.04.5 LTS'],
    ['lastserverstart', ms.lastStart ? csDate(ms.lastStart) : undefined],
    ['lastserverstop', ms.lastStop !== undefined ? csDate(ms.lastStop) : undefined], ['lastboottime', csDate(r.created)],
    ['serviceip', r.ipAddress], ['ipaddress', f.msIpAddress ? r.ipAddress : undefined], ['peers', peers],
    ['lastagents', f.msAgents ? core.cluster.lastAgentsOf(ms) : undefined], ['agents', agents], ['agentscount', agents?.length],
    ['pendingjobscount', f.msAgents ? core.jobs.countPending([ms.msid]) : undefined],
  ]);
}

export function renderCapabilities(w: World): JsonObject {
  const expose = w.config.getBoolean('expose.cloudstack.version.api.list.capabilities');
  return compact([
    ['securitygroupsenabled', false], ['dynamicrolesenabled', true], ['cloudstackversion', expose ? w.msVersion : undefined],
    ['userpublictemplateenabled', true], ['supportELB', 'false'], ['projectinviterequired', false], ['allowusercreateprojects', true],
    ['customdiskofferingminsize', 1], ['customdiskofferingmaxsize', 1024], ['regionsecondaryenabled', false],
    ['kvmsnapshotenabled', false], ['allowuserviewdestroyedvm', true], ['allowuserexpungerecovervm', true],
    ['allowuserexpungerecovervolume', true], ['allowuserviewalldomainaccounts', false], ['allowuserforcestopvm', true],
    ['kubernetesserviceenabled', false], ['kubernetesclusterexperimentalfeaturesenabled', false], ['defaultuipagesize', 20],
  ]);
}
