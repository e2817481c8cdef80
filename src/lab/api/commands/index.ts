// The command table: every API command the lab serves, looked up by exact name like CloudStack's
// command map (an unknown name is a 401 on 8080 and a 432 on the integration port).

import type { CommandDef } from '../types.js';
import { INFRA_COMMANDS } from './infra.js';
import { SYSTEM_VM_COMMANDS } from './system-vms.js';
import { ROUTER_COMMANDS } from './routers.js';
import { NETWORK_COMMANDS } from './networks.js';
import { JOB_COMMANDS } from './jobs.js';

const ALL: readonly CommandDef[] = [...INFRA_COMMANDS, ...SYSTEM_VM_COMMANDS, ...ROUTER_COMMANDS, ...NETWORK_COMMANDS, ...JOB_COMMANDS];

/** Keyed by exact name: CloudStack's API name lookup is case-sensitive. */
const BY_NAME = new Map<string, CommandDef>(ALL.map((c) => [c.name, c]));

export function findCommand(name: string): CommandDef | undefined {
  return BY_NAME.get(name);
}

export function commandNames(): string[] {
  return ALL.map((c) => c.name);
}
