// Variables as a step sees them. Precedence, lowest first: playbook vars < group vars (inventory
// `vars:` lowest, outer groups before inner) < host vars < play vars < registered results (and
// `set`) < command-line -e. Builtins (inventory_hostname, host, groups, play, dry_run, run) are
// reserved and always win.

import type { Play, Playbook } from '../loader/ast.js';
import type { HostEntry, Inventory } from '../inventory/types.js';
import { groupMembers } from '../inventory/pattern.js';
import { renderValue } from './evaluate.js';

export interface HostVarsState {
  /** Registered results and `set` values; they survive across plays like Ansible facts. */
  readonly registered: Record<string, unknown>;
}

interface ScopeInputs {
  readonly playbook: Playbook;
  readonly inventory: Inventory;
  readonly extraVars: Readonly<Record<string, unknown>>;
  readonly dryRun: boolean;
  readonly runId: string;
}

const groupsCache: WeakMap<Inventory, Record<string, string[]>> = new WeakMap();

function groupsOf(inventory: Inventory): Record<string, string[]> {
  let g = groupsCache.get(inventory);
  if (!g) {
    g = { all: [...inventory.hosts.values()].filter((h) => !h.implicit).map((h) => h.name) };
    for (const name of inventory.groups.keys()) g[name] = [...groupMembers(inventory, name)];
    groupsCache.set(inventory, g);
  }
  return g;
}

/** Builds the scope for a host at the start of a play; play and playbook vars may be templates. */
export function buildHostScope(inputs: ScopeInputs, play: Play, host: HostEntry, state: HostVarsState): Record<string, unknown> {
  const builtins: Record<string, unknown> = {
    inventory_hostname: host.name,
    host: { name: host.name, address: host.address ?? host.name, groups: host.groups, port: host.port, user: host.user },
    groups: groupsOf(inputs.inventory),
    play: { name: play.name, hosts: play.hosts },
    playbook: { name: inputs.playbook.name, file: inputs.playbook.file },
    dry_run: inputs.dryRun,
    run: { id: inputs.runId },
  };
  const scope: Record<string, unknown> = {};
  assignRendered(scope, inputs.playbook.vars, builtins, 'playbook vars');
  Object.assign(scope, inputs.inventory.vars, host.groupVars, host.hostVars);
  assignRendered(scope, play.vars, builtins, 'play vars');
  Object.assign(scope, state.registered, inputs.extraVars, builtins);
  return scope;
}

function assignRendered(scope: Record<string, unknown>, vars: Readonly<Record<string, unknown>>, builtins: Record<string, unknown>, what: string): void {
  for (const [k, v] of Object.entries(vars)) {
    scope[k] = renderValue(v, { ...scope, ...builtins }, null, `${what} '${k}'`);
  }
}

/** Re-applies the layers that outrank registered values after a register/set. */
export function registerInScope(
  scope: Record<string, unknown>,
  name: string,
  value: unknown,
  extraVars: Readonly<Record<string, unknown>>,
): void {
  if (Object.prototype.hasOwnProperty.call(extraVars, name)) return;
  scope[name] = value;
}
