// Dead-man switch for undo steps: before a step with `undo: { deadman: { after, command } }` runs, the
// run's services arm a timer on the host that performs the compensation there if the runner has not
// disarmed it in time — so the integration port is closed even when the runner's machine is gone for
// good. Disarmed once the undo has succeeded. How a timer is armed (systemd over SSH) is the services'
// business (src/runtime/deadman.ts): the engine names the timer, renders its command and journals it.

import type { TaskStep } from '../loader/ast.js';
import { renderValue } from './evaluate.js';
import type { RunContext } from './run-context.js';
import type { Obligation } from './undo.js';

function deadmanUnit(runId: string, obligationId: string): string {
  return `stackplay-deadman-${runId}-${obligationId}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}

export async function armDeadman(run: RunContext, step: TaskStep, o: Obligation, scope: Record<string, unknown>, progress: (m: string) => void): Promise<void> {
  let armed = 0;
  for (const u of step.undo) {
    if (u.deadman === undefined) continue;
    const host = u.deadman.host ?? o.host;
    const command = String(renderValue(u.deadman.command, scope, u.pos, `deadman command of '${u.name}'`));
    const seconds = Math.max(1, Math.ceil(u.deadman.afterMs / 1000));
    // several undo steps of one step may each have a timer: each its own unit
    armed += 1;
    const unit = armed === 1 ? deadmanUnit(run.opts.runId, o.id) : `${deadmanUnit(run.opts.runId, o.id)}-${armed}`;
    if (run.opts.dryRun) {
      progress(`would arm a dead-man timer on ${host} (${seconds}s): ${command}`);
      continue;
    }
    const r = await run.opts.services.armDeadman(host, { unit, afterSeconds: seconds, command });
    if (!r.ok) throw new Error(`cannot arm the dead-man timer on ${host} (${r.reason}); not running '${step.name}'`);
    (o.deadman ??= []).push({ host, unit });
    run.opts.journal?.deadmanArmed?.(o, host, unit);
    progress(`dead-man timer armed on ${host}: fires in ${seconds}s unless disarmed`);
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
