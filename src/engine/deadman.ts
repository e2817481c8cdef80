// Dead-man switch for undo steps: before a step with `undo: { deadman: { after, command } }` runs, the
// run's services arm a timer on the host that performs the compensation there if the runner has not
// disarmed it in time — so the integration port is closed even when the runner's machine is gone for
// good. Disarmed once the undo has succeeded. `hosts:` arms one timer per host (each survives the others
// dying); without `command` the undo step's own type writes the script for each host. How a timer is
// armed (systemd over SSH) is the services' business (src/runtime/deadman.ts): the engine names the
// timers, renders their commands and journals them.

import type { Deadman, Step, TaskStep } from '../loader/ast.js';
import { prepareArgs } from './args.js';
import { PlaybookRuntimeError, renderValue } from './evaluate.js';
import type { RunContext } from './run-context.js';
import { UNFINISHED_RESULT, type Obligation } from './undo.js';

function deadmanUnit(runId: string, obligationId: string): string {
  return `stackplay-deadman-${runId}-${obligationId}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}

/** The hosts that get a timer: `hosts` rendered (a list of inventory hosts), else `host`, else the step's host. */
function timerHosts(run: RunContext, u: Step, d: Deadman, scope: Record<string, unknown>, fallback: string): string[] {
  if (d.hosts === undefined) return [d.host ?? fallback];
  const raw = typeof d.hosts === 'string' ? renderValue(d.hosts, scope, u.pos, `deadman hosts of '${u.name}'`) : d.hosts;
  const list = Array.isArray(raw) ? raw : [raw];
  const names = list.map((h) => (typeof h === 'string' ? h.trim() : '')).filter((h) => h !== '');
  if (names.length === 0 || names.length !== list.length) throw new PlaybookRuntimeError(`deadman hosts of '${u.name}' must be a non-empty list of host names`, u.pos);
  for (const h of names) if (!run.opts.inventory.hosts.has(h)) throw new PlaybookRuntimeError(`deadman hosts of '${u.name}': '${h}' is not in the inventory`, u.pos);
  return [...new Set(names)];
}

/** The command a host's timer runs: the template rendered, or the script the undo step's type writes for that host. */
function timerCommand(run: RunContext, u: Step, d: Deadman, scope: Record<string, unknown>, host: string, index: number, hosts: readonly string[]): string {
  if (d.command !== undefined) return String(renderValue(d.command, scope, u.pos, `deadman command of '${u.name}'`));
  const def = u.kind === 'task' ? run.opts.steps.get(u.type) : undefined;
  if (u.kind !== 'task' || def?.deadman === undefined) throw new PlaybookRuntimeError(`deadman of '${u.name}' has no command, and its step type writes none`, u.pos);
  // the step has not run yet: its undo sees the result of a step that may have changed anything
  const args = prepareArgs(u as TaskStep, def, { ...scope, result: UNFINISHED_RESULT }, new Set(run.opts.inventory.hosts.keys()));
  return def.deadman(args, { host, index, hosts });
}

export async function armDeadman(run: RunContext, step: TaskStep, o: Obligation, scope: Record<string, unknown>, progress: (m: string) => void): Promise<void> {
  let armed = 0;
  for (const u of step.undo) {
    const d = u.deadman;
    if (d === undefined) continue;
    const hosts = timerHosts(run, u, d, scope, o.host);
    const seconds = Math.max(1, Math.ceil(d.afterMs / 1000));
    for (const [index, host] of hosts.entries()) {
      if (run.opts.dryRun) {
        const what = d.command !== undefined ? timerCommand(run, u, d, scope, host, index, hosts) : `the script of '${u.name}'`;
        progress(`would arm a dead-man timer on ${host} (${seconds}s): ${what}`);
        continue;
      }
      const command = timerCommand(run, u, d, scope, host, index, hosts);
      // every timer of an obligation is a unit of its own
      armed += 1;
      const unit = armed === 1 ? deadmanUnit(run.opts.runId, o.id) : `${deadmanUnit(run.opts.runId, o.id)}-${armed}`;
      // on record before it exists: a runner killed while systemd-run answers (the second host's timer
      // armed, the journal not yet written) left a timer recover did not know to disarm
      (o.deadman ??= []).push({ host, unit });
      run.opts.journal?.deadmanArmed?.(o, host, unit);
      const r = await run.opts.services.armDeadman(host, { unit, afterSeconds: seconds, command });
      if (!r.ok) {
        o.deadman.pop(); // refused: there is no timer to disarm
        throw new Error(`cannot arm the dead-man timer on ${host} (${r.reason}); not running '${step.name}'`);
      }
      progress(`dead-man timer armed on ${host}: fires in ${seconds}s unless disarmed`);
    }
  }
}

export async function disarmDeadman(run: RunContext, o: Obligation): Promise<void> {
  for (const d of o.deadman ?? []) {
    try {
      const r = await run.opts.services.disarmDeadman(d.host, d.unit);
      if (!r.ok) throw new Error(r.reason);
    } catch (err) {
      run.emit({ type: 'warning', host: d.host, message: `could not disarm dead-man timer ${d.unit}: ${(err as Error).message} (it will perform the undo again when it fires)` });
    }
  }
}
