// Tenant instances: a few user VMs in every guest network, owned like their network, so that
// listVirtualMachines and listVolumes (Ansible's cs_instance_info, python3-cs) have real rows to answer with.
// They are not touched by the upgrade; system VMs and routers are never listed as instances.

import { seededUuid } from '../ids.js';
import type { World } from './world.js';

export interface UserVm {
  readonly id: string;
  readonly internalId: number;
  /** Host name (listVirtualMachines `name`). */
  readonly name: string;
  readonly displayName: string;
  /** i-<account id>-<vm id>-VM, the hypervisor's name for it. */
  readonly instanceName: string;
  readonly zoneId: string;
  readonly hostId: string;
  readonly networkId: string;
  readonly ownerId: string;
  state: 'Running' | 'Stopped';
  readonly ipAddress: string;
  readonly macAddress: string;
  readonly created: number;
  readonly templateId: string;
  readonly templateName: string;
  readonly rootVolumeId: string;
}

const BASE_TIME = Date.UTC(2024, 11, 1, 8, 0, 0);

/** Adds `perNetwork` running instances to every guest network of the world (after the routers). */
export function addInstances(world: World, perNetwork: number): void {
  const id = (key: string): string => seededUuid(world.seed, key);
  const hostsByZone = new Map<string, string[]>();
  for (const h of world.hosts) hostsByZone.set(h.zoneId, [...(hostsByZone.get(h.zoneId) ?? []), h.id]);
  for (const net of world.networks) {
    const [prefix] = net.cidr.split('/');
    const base = prefix!.split('.').slice(0, 3).join('.');
    const hosts = hostsByZone.get(net.zoneId) ?? [];
    const owner = world.accounts.get(net.ownerId);
    for (let k = 1; k <= perNetwork; k++) {
      const n = world.nextVmInternalId++;
      world.userVms.push({
        id: id(`uservm:${n}`), internalId: n, name: `${net.name}-vm${k}`, displayName: `${net.name}-vm${k}`,
        instanceName: `i-${owner?.internalId ?? 2}-${n}-VM`, zoneId: net.zoneId, hostId: hosts[n % Math.max(1, hosts.length)] ?? '',
        networkId: net.id, ownerId: net.ownerId, state: 'Running', ipAddress: `${base}.${10 + k}`,
        macAddress: `02:00:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}:00:${k.toString(16).padStart(2, '0')}`,
        created: BASE_TIME + n * 60_000, templateId: id('template:ubuntu-22.04'), templateName: 'Ubuntu 22.04 LTS',
        rootVolumeId: id(`volume:root:${n}`),
      });
    }
  }
}
