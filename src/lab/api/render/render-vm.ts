// Response objects for system VMs (listSystemVms, job results) and virtual routers (listRouters),
// fields in the declaration order of SystemVmResponse / DomainRouterResponse.

import { csDate } from '../../clock.js';
import type { Router, SystemVm } from '../../world/types.js';
import type { World } from '../../world/world.js';
import { trimVersion } from '../../world/versions.js';
import { compact, type JsonObject } from './compact.js';

export const OFFERINGS = {
  ssvm: 'System Offering For Secondary Storage VM',
  cpvm: 'System Offering For Console Proxy',
  router: 'System Offering For Software Router',
} as const;

export function renderSystemVm(w: World, vm: SystemVm): JsonObject {
  const z = w.zone(vm.zoneId)!;
  const onHost = vm.state === 'Running' || vm.state === 'Starting' || vm.state === 'Stopping';
  const host = onHost ? w.host(vm.hostId) : undefined;
  return compact([
    ['id', vm.id],
    ['systemvmtype', vm.kind === 'ssvm' ? 'secondarystoragevm' : 'consoleproxy'],
    ['zoneid', z.id],
    ['zonename', z.name],
    ['dns1', z.dns1],
    ['dns2', z.dns2],
    ['name', vm.name],
    ['podid', z.podId],
    ['podname', z.podName],
    ['hostid', host?.id],
    ['hostname', host?.name],
    ['hostcontrolstate', host ? 'Enabled' : undefined],
    ['hypervisor', 'KVM'],
    ['privateip', vm.privateIp],
    ['privatemacaddress', vm.privateMac],
    ['privatenetmask', '255.255.255.0'],
    ['linklocalip', vm.linkLocalIp],
    ['linklocalmacaddress', vm.linkLocalMac],
    ['linklocalnetmask', '255.255.0.0'],
    ['publicip', vm.publicIp],
    ['publicmacaddress', vm.publicMac],
    ['publicnetmask', '255.255.255.0'],
    ['gateway', vm.publicIp.replace(/\.\d+$/, '.1')],
    ['templateid', vm.template.id],
    ['templatename', vm.template.name],
    ['created', csDate(vm.created)],
    ['state', vm.state],
    ['agentstate', vm.agentState],
    ['version', vm.agentVersion],
    ['activeviewersessions', vm.kind === 'cpvm' ? 0 : undefined],
    ['isdynamicallyscalable', false],
    ['serviceofferingid', w.offeringId(vm.kind)],
    ['serviceofferingname', OFFERINGS[vm.kind]],
    ['arch', 'x86_64'],
    ['hasannotations', false],
  ]);
}

export function renderRouter(w: World, r: Router, jobStatus?: number): JsonObject {
  const z = w.zone(r.zoneId)!;
  const onHost = r.state === 'Running' || r.state === 'Starting' || r.state === 'Stopping';
  const host = onHost ? w.host(r.hostId) : undefined;
  const owner = w.owner(r.ownerId);
  const nets = r.networkIds.map((id) => w.network(id)).filter((n) => n !== undefined);
  const guest = r.vpcId ? undefined : nets[0];
  const vpc = r.vpcId ? w.vpc(r.vpcId) : undefined;
  const nics: JsonObject[] = nets.map((n, i) =>
    compact([
      ['id', w.nicId(r, i)],
      ['networkid', n.id],
      ['networkname', n.name],
      ['netmask', '255.255.255.0'],
      ['gateway', n.gateway],
      ['ipaddress', r.vpcId ? n.gateway : r.guestIp],
      ['traffictype', 'Guest'],
      ['type', 'Isolated'],
      ['isdefault', false],
    ]),
  );
  return compact([
    ['id', r.id],
    ['zoneid', z.id],
    ['zonename', z.name],
    ['dns1', z.dns1],
    ['dns2', z.dns2],
    ['networkdomain', z.networkDomain],
    ['gateway', r.publicIp.replace(/\.\d+$/, '.1')],
    ['name', r.name],
    ['podid', z.podId],
    ['podname', z.podName],
    ['hostid', host?.id],
    ['hostname', host?.name],
    ['hostcontrolstate', host ? 'Enabled' : undefined],
    ['hypervisor', 'KVM'],
    ['linklocalip', r.linkLocalIp],
    ['linklocalmacaddress', r.linkLocalMac],
    ['linklocalnetmask', '255.255.0.0'],
    ['linklocalnetworkid', w.controlNetworkId(r.zoneId)],
    ['publicip', r.publicIp],
    ['publicmacaddress', r.publicMac],
    ['publicnetmask', '255.255.255.0'],
    ['publicnetworkid', w.publicNetworkId(r.zoneId)],
    ['guestipaddress', guest ? r.guestIp : undefined],
    ['guestmacaddress', guest ? r.guestMac : undefined],
    ['guestnetmask', guest ? '255.255.255.0' : undefined],
    ['guestnetworkid', guest?.id],
    ['guestnetworkname', guest?.name],
    ['templateid', r.template.id],
    ['templatename', r.template.name],
    ['created', csDate(r.created)],
    ['state', r.state],
    ['account', owner.kind === 'account' ? owner.account.name : undefined],
    ['projectid', owner.kind === 'project' ? owner.project.id : undefined],
    ['project', owner.kind === 'project' ? owner.project.name : undefined],
    ['domainid', owner.domain.id],
    ['domain', owner.domain.name],
    ['domainpath', owner.domain.path],
    ['serviceofferingid', w.offeringId('router')],
    ['serviceofferingname', OFFERINGS.router],
    ['isredundantrouter', r.isRedundant],
    ['redundantstate', r.redundantState],
    ['version', trimVersion(r.template.version)],
    ['scriptsversion', r.scriptsVersion],
    ['vpcid', vpc?.id],
    ['vpcname', vpc?.name],
    ['role', 'VIRTUAL_ROUTER'],
    ['nic', nics],
    ['requiresupgrade', w.requiresUpgrade(r)],
    ['healthchecksfailed', r.healthChecksFailed],
    ['softwareversion', r.softwareVersion],
    ['arch', 'x86_64'],
    ['hasannotations', false],
    ['jobid', r.pendingJobId],
    ['jobstatus', r.pendingJobId ? (jobStatus ?? 0) : undefined],
  ]);
}
