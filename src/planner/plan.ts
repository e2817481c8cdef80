// The planner, between the loader and the executor: hosts × steps. For a playbook, an inventory and a
// --limit it works out which hosts each play selects, and what the run must reach — SSH connections,
// CloudStack endpoints and the `via` tunnels to them — from the step types' own declarations (`runsOn`
// and the host arguments of their schemas), never from argument names.

import type { Play, Step, TaskStep } from '../loader/ast.js';
import { selectHosts } from '../inventory/pattern.js';
import type { Inventory } from '../inventory/types.js';
import type { StepType } from '../steps/types.js';

interface PlayPlan {
  readonly index: number;
  /** The hosts the play runs on, in inventory order (--limit applied). */
  readonly hosts: readonly string[];
}

export interface RunPlan {
  readonly plays: ReadonlyMap<number, PlayPlan>;
  /** Hosts the run needs an SSH connection to: their host keys are checked before anything runs. */
  readonly ssh: readonly string[];
  /** Management servers whose API a step calls (through their inventory `cloudstack:` settings). */
  readonly cloudstack: readonly string[];
  /** Hosts whose SSH connection carries a tunnel to a management server's API (`cloudstack.via`). */
  readonly tunnels: readonly string[];
  /** The inventory hosts the run acts on: the plays' hosts and the hosts their steps name (tunnels apart). */
  readonly touched: readonly string[];
}

/** Static host arguments of a step (templated ones are known only at run time) that name inventory hosts. */
function namedHosts(step: TaskStep, def: StepType | undefined, inventory: Inventory): Array<{ readonly host: string; readonly use: 'ssh' | 'cloudstack' }> {
  const out: Array<{ host: string; use: 'ssh' | 'cloudstack' }> = [];
  for (const { name, use } of def?.hostArgs ?? []) {
    const v = step.args[name];
    if (typeof v === 'string' && !v.includes('{{') && inventory.hosts.has(v)) out.push({ host: v, use });
  }
  return out;
}

function tasksOf(steps: readonly Step[]): TaskStep[] {
  const out: TaskStep[] = [];
  const visit = (s: Step): void => {
    if (s.kind === 'block') [...s.block, ...s.rescue, ...s.always].forEach(visit);
    else out.push(s);
    s.undo.forEach(visit);
  };
  steps.forEach(visit);
  return out;
}

export function planRun(plays: readonly Play[], inventory: Inventory, types: ReadonlyMap<string, StepType>, limit?: string): RunPlan {
  const allowed = limit !== undefined ? new Set(selectHosts(inventory, limit)) : null;
  const playPlans = new Map<number, PlayPlan>();
  const ssh = new Set<string>();
  const cloudstack = new Set<string>();
  const touched = new Set<string>();
  for (const play of plays) {
    const hosts = selectHosts(inventory, play.hosts).filter((h) => !allowed || allowed.has(h));
    playPlans.set(play.index, { index: play.index, hosts });
    // a play that selects no host runs nothing
    if (hosts.length === 0) continue;
    hosts.forEach((h) => touched.add(h));
    let onHosts = false;
    for (const step of tasksOf([...play.steps, ...play.handlers])) {
      const def = types.get(step.type);
      if (def?.runsOn === 'host') onHosts = true;
      for (const { host, use } of namedHosts(step, def, inventory)) {
        touched.add(host);
        (use === 'ssh' ? ssh : cloudstack).add(host);
      }
    }
    if (onHosts) hosts.forEach((h) => ssh.add(h));
    // a play host that is a management server may be called by the play's CloudStack steps (their default)
    for (const h of hosts) if (inventory.hosts.get(h)?.cloudstack) cloudstack.add(h);
  }
  const tunnels = new Set<string>();
  for (const h of touched) {
    const via = inventory.hosts.get(h)?.cloudstack?.via;
    if (via !== undefined) tunnels.add(via);
  }
  tunnels.forEach((t) => ssh.add(t));
  return { plays: playPlans, ssh: [...ssh], cloudstack: [...cloudstack], tunnels: [...tunnels], touched: [...touched] };
}
