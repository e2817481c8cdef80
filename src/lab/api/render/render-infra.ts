// Response objects for zones, hosts, guest networks, VPCs, configuration rows, management servers and
// capabilities. Fields follow docs/cloudstack-facts.md (§2.5, §3) where it names them; the rest are the usual
// CloudStack fields, kept small.

import { csDate } from '../../clock.js';
import { CONFIG_BY_NAME, configDisplayText, type ConfigDef } from '../../world/config-table.js';
import type { HypervisorHost, Network, SystemVm, Vpc, Zone } from '../../world/types.js';
import type { World } from '../../world/world.js';
import { isAtLeast } from '../../world/versions.js';
import { compact, type JsonObject } from './compact.js';

export function renderZone(z: Zone): JsonObject {
  return compact([
    ['id', z.id], ['name', z.name], ['dns1', z.dns1], ['dns2', z.dns2], ['internaldns1', '10.0.0.2'],
    ['networktype', 'Advanced'], ['securitygroupsenabled', false], ['allocationstate', 'Enabled'],
    ['zonetoken', z.id.slice(0, 8)], ['dhcpprovider', 'VirtualRouter'], ['localstorageenabled', false],
    ['tags', []], ['hasannotations', false], ['type', 'Core'],
  ]);
}

export function renderRoutingHost(w: World, h: HypervisorHost, msUp: boolean): JsonObject {
  const z = w.zone(h.zoneId)!;
  return compact([
    ['id', h.id], ['name', h.name], ['state', msUp ? 'Up' : 'Disconnected'], ['type', 'Routing'], ['ipaddress', h.ipAddress],
    ['zoneid', z.id], ['zonename', z.name], ['podid', z.podId], ['podname', z.podName], ['version', h.agentVersion],
    ['hypervisor', 'KVM'], ['cpusockets', 2], ['cpunumber', 32], ['cpuspeed', 2400], ['memorytotal', 274877906944],
    ['clusterid', z.clusterId], ['clustername', z.clusterName], ['clustertype', 'CloudManaged'],
    ['islocalstorageactive', false], ['created', csDate(h.created)], ['managementserverid', w.ms.id],
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

export interface MsFacts {
  readonly state: 'Up' | 'Down';
  readonly lastStart: number;
  readonly lastStop?: number | undefined;
  readonly pendingJobs: number;
}

export function renderManagementServer(w: World, f: MsFacts): JsonObject {
  const v421 = isAtLeast(w.msVersion, '4.21');
  return compact([
    ['id', w.ms.id], ['name', w.ms.name], ['state', f.state], ['version', w.msVersion], ['javadistribution', 'Ubuntu'],
    ['javaversion', '17.0.13'], ['osdistribution', 'Ubuntu 22.04.5 LTS'], ['lastserverstart', csDate(f.lastStart)],
    ['lastserverstop', f.lastStop !== undefined ? csDate(f.lastStop) : undefined], ['lastboottime', csDate(w.ms.created)],
    ['kernelversion', '5.15.0-126-generic'], ['serviceip', w.ms.ipAddress], ['ipaddress', w.ms.ipAddress],
    ['agentscount', v421 ? w.hosts.length : undefined], ['pendingjobscount', v421 ? f.pendingJobs : undefined],
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
