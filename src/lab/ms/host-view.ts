// A management-server host's view of the lab: the shared core, except that `ms` is that host's own server
// and `address` its own address. Host commands written for one server (systemctl, curl, mysql,
// cloudstack-sysvmadm) then reach their own server when they say localhost, on every mgmtN host.

import type { LabCore } from '../core.js';
import type { ManagementServer } from './management-server.js';

export function hostCore(core: LabCore, server: ManagementServer): LabCore {
  // Everything else (world, jobs, clock, log) is the shared core, reached through the prototype.
  return Object.create(core, {
    ms: { value: server, enumerable: true },
    address: { value: server.address, enumerable: true },
  }) as LabCore;
}
