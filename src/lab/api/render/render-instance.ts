// Response objects for tenant instances (listVirtualMachines, UserVmResponse) and their root volumes
// (listVolumes, VolumeResponse): the usual fields in declaration order, with the fields a release added
// only from that release (world/profiles.ts).

import { csDate } from '../../clock.js';
import type { UserVm } from '../../world/instances.js';
import type { World } from '../../world/world.js';
import { apiFacts } from '../../world/profiles.js';
import { compact, type JsonObject } from './compact.js';

/** The compute offering of every tenant instance. */
export const OFFERING = 'Small Instance';
const OS = 'Ubuntu 22.04 LTS';

function ownerFields(w: World, vm: UserVm): Array<[string, string | undefined]> {
  const o = w.owner(vm.ownerId);
  return [
    ['account', o.kind === 'account' ? o.account.name : undefined],
    ['projectid', o.kind === 'project' ? o.project.id : undefined],
    ['project', o.kind === 'project' ? o.project.name : undefined],
    ['domainid', o.domain.id], ['domain', o.domain.name],
  ];
}

export function renderUserVm(w: World, vm: UserVm): JsonObject {
  const f = apiFacts(w.msVersion);
  const z = w.zone(vm.zoneId)!;
  const net = w.network(vm.networkId);
  const host = vm.state === 'Running' ? w.host(vm.hostId) : undefined;
  const bits = net?.cidr.split('/')[1];
  const nic = compact([
    ['id', w.uuid(`uservm-nic:${vm.internalId}`)], ['networkid', net?.id], ['networkname', net?.name],
    ['netmask', bits === '24' ? '255.255.255.0' : undefined], ['gateway', net?.gateway], ['ipaddress', vm.ipAddress],
    ['traffictype', 'Guest'], ['type', 'Isolated'], ['isdefault', true], ['macaddress', vm.macAddress], ['deviceid', '0'],
  ]);
  return compact([
    ['id', vm.id], ['name', vm.name], ['displayname', vm.displayName], ...ownerFields(w, vm),
    ['domainpath', f.vmFields420 ? w.owner(vm.ownerId).domain.path : undefined],
    ['created', csDate(vm.created)], ['state', vm.state], ['haenable', false], ['zoneid', z.id], ['zonename', z.name],
    ['hostid', host?.id], ['hostname', host?.name], ['hostcontrolstate', host ? 'Enabled' : undefined],
    ['templateid', vm.templateId], ['templatename', vm.templateName], ['templatetype', f.vmTemplateType ? 'USER' : undefined],
    ['templateformat', f.vmFields420 ? 'QCOW2' : undefined], ['templatedisplaytext', vm.templateName], ['passwordenabled', false],
    ['serviceofferingid', w.offeringIdByName(OFFERING)], ['serviceofferingname', OFFERING],
    ['cpunumber', 1], ['cpuspeed', 1000], ['memory', 1024], ['guestosid', w.uuid(`ostype:${OS}`)],
    ['rootdeviceid', 0], ['rootdevicetype', 'ROOT'], ['securitygroup', []], ['nic', [nic]], ['hypervisor', 'KVM'],
    ['instancename', vm.instanceName], ['affinitygroup', []], ['displayvm', true], ['isdynamicallyscalable', false],
    ['deleteprotection', f.vmFields420 ? false : undefined], ['ostypeid', w.uuid(`ostype:${OS}`)], ['osdisplayname', OS],
    ['pooltype', 'NetworkFilesystem'], ['receivedbytes', 0], ['sentbytes', 0], ['arch', f.vmFields420 ? 'x86_64' : undefined],
    ['tags', []], ['hasannotations', false],
  ]);
}

export function renderRootVolume(w: World, vm: UserVm): JsonObject {
  const z = w.zone(vm.zoneId)!;
  return compact([
    ['id', vm.rootVolumeId], ['name', `ROOT-${vm.internalId}`], ['zoneid', z.id], ['zonename', z.name], ['type', 'ROOT'],
    ['deviceid', 0], ['virtualmachineid', vm.id], ['vmname', vm.name], ['vmdisplayname', vm.displayName], ['vmtype', 'User'],
    ['vmstate', vm.state], ['size', 8 * 1024 ** 3], ['created', csDate(vm.created)], ['state', 'Ready'], ...ownerFields(w, vm),
    ['storagetype', 'shared'], ['hypervisor', 'KVM'], ['storage', `primary-${z.name}`], ['destroyed', false],
    ['isextractable', false], ['hasannotations', false],
  ]);
}
