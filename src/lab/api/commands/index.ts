// The command table: every API command the lab serves, looked up by exact name like CloudStack's
// command map (an unknown name is a 401 on 8080 and a 432 on the integration port).

import type { CommandDef } from '../types.js';
import { hasCommand } from '../../world/profiles.js';
import { compareVersions } from '../../world/versions.js';
import { INFRA_COMMANDS } from './infra.js';
import { SHUTDOWN_COMMANDS } from './shutdown.js';
import { INSTANCE_COMMANDS } from './instances.js';
import { SYSTEM_VM_COMMANDS } from './system-vms.js';
import { ROUTER_COMMANDS } from './routers.js';
import { NETWORK_COMMANDS } from './networks.js';
import { JOB_COMMANDS } from './jobs.js';
import { STORAGE_COMMANDS } from './storage.js';

const ALL: readonly CommandDef[] = [
  ...INFRA_COMMANDS, ...SYSTEM_VM_COMMANDS, ...ROUTER_COMMANDS, ...NETWORK_COMMANDS, ...JOB_COMMANDS, ...SHUTDOWN_COMMANDS,
  ...INSTANCE_COMMANDS, ...STORAGE_COMMANDS,
];

/** Keyed by exact name: CloudStack's API name lookup is case-sensitive. */
const BY_NAME = new Map<string, CommandDef[]>();
for (const c of ALL) BY_NAME.set(c.name, [...(BY_NAME.get(c.name) ?? []), c]);

const serves = (def: CommandDef, version: string): boolean =>
  (def.versions?.from === undefined || compareVersions(version, def.versions.from) >= 0) &&
  (def.versions?.before === undefined || compareVersions(version, def.versions.before) < 0);

/** The command as the given release has it, or undefined when the release has no such command. */
export function findCommand(name: string, version: string): CommandDef | undefined {
  if (!hasCommand(version, name)) return undefined;
  return BY_NAME.get(name)?.find((d) => serves(d, version));
}

export function commandNames(version: string): string[] {
  return [...BY_NAME.keys()].filter((n) => findCommand(n, version) !== undefined);
}
