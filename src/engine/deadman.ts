// Dead-man switch for undo steps: before a step with `undo: { deadman: { after, command } }` runs, a
// systemd timer is armed on the host (`systemd-run --on-active`) that performs the compensation there
// if the runner has not disarmed it in time — so the integration port is closed even when the runner's
// machine is gone for good. Disarmed (`systemctl stop UNIT.timer`) once the undo has succeeded.

import type { TaskStep } from '../loader/ast.js';
import { shellQuote } from '../util/shell-quote.js';
import { renderValue } from './evaluate.js';
import type { RunState } from './executor.js';
import type { Obligation } from './undo.js';

export function deadmanUnit(runId: string, obligationId: string): string {
  return `stackplay-deadman-${runId}-${obligationId}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}

export async function armDeadman(state: RunState, step: TaskStep, o: Obligation, scope: Record<string, unknown>, progress: (m: string) => void): Promise<void> {
  for (const u of step.undo) {
    if (u.deadman === undefined) continue;
    const host = u.deadman.host ?? o.host;
    const command = String(renderValue(u.deadman.command, scope, u.pos, `deadman command of '${u.name}'`));
    const seconds = Math.max(1, Math.ceil(u.deadman.afterMs / 1000));
    const unit = deadmanUnit(state.opts.runId, o.id);
    if (state.opts.dryRun) {
      progress(`would arm a dead-man timer on ${host} (${seconds}s): ${command}`);
      continue;
    }
    const transport = await state.opts.services.ssh(host);
    const r = await transport.exec(`systemd-run --on-active=${seconds}s --unit=${shellQuote(unit)} /bin/sh -c ${shellQuote(command)}`);
    if (r.rc !== 0) {
      throw new Error(`cannot arm the dead-man timer on ${host} (systemd-run exit ${r.rc}: ${(r.stderr || r.stdout).trim()}); not running '${step.name}'`);
    }
    (o.deadman ??= []).push({ host, unit });
    state.opts.journal?.deadmanArmed?.(o, host, unit);
    progress(`dead-man timer armed on ${host}: fires in ${seconds}s unless disarmed`);
  }
}

export async function disarmDeadman(state: RunState, o: Obligation): Promise<void> {
  for (const d of o.deadman ?? []) {
    try {
      const transport = await state.opts.services.ssh(d.host);
      await transport.exec(`systemctl stop ${shellQuote(`${d.unit}.timer`)}`);
    } catch (err) {
      state.emit({ type: 'warning', host: d.host, message: `could not disarm dead-man timer ${d.unit}: ${(err as Error).message} (it will perform the undo again when it fires)` });
    }
  }
}
