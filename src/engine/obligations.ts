// Undo scopes at work: a step with `undo:` opens an obligation before it runs (journaled, and guarded
// by a dead-man timer when the undo asks for one); when the enclosing block or play ends, its open
// obligations are discharged newest first by running the undo steps with the step's scope and result.

import type { TaskStep } from '../loader/ast.js';
import { disarmDeadman, armDeadman } from './deadman.js';
import { formatError } from './errors.js';
import type { HostRun } from './host-run.js';
import { type Obligation, UNFINISHED_RESULT, UndoScope } from './undo.js';

export { UNFINISHED_RESULT } from './undo.js';

/** Registers the step's undo in `undo` before the step runs: journaled first, then the dead-man timer armed. */
export async function openObligation(h: HostRun, step: TaskStep, scope: Record<string, unknown>, undo: UndoScope): Promise<Obligation> {
  const run = h.run;
  const o: Obligation = {
    id: run.obligationIds.next(), stepId: step.id, stepName: step.name, host: h.host.name, steps: step.undo,
    scope: { ...scope }, result: undefined, discharged: false,
    ...(step.loop !== undefined ? { vars: { [step.loopVar]: scope[step.loopVar] } } : {}),
  };
  undo.push(o);
  const description = step.undo.map((u) => u.name).join('; ');
  run.emit({ type: 'undo-registered', obligationId: o.id, stepId: step.id, host: h.host.name, description });
  if (run.opts.journal) await run.opts.journal.obligationOpened(o);
  await armDeadman(run, step, o, scope, (m) => run.emit({ type: 'step-progress', stepId: step.id, host: h.host.name, message: m }));
  return o;
}

/** Runs the undo steps of every open obligation in `undo`, newest first; a failed undo fails the host. */
export async function discharge(h: HostRun, undo: UndoScope): Promise<void> {
  const run = h.run;
  const pending = undo.drain();
  if (pending.length === 0) return;
  run.emit({ type: 'phase', phase: 'reverting', message: `running ${pending.length} undo step(s) on ${h.host.name}` });
  for (const o of pending) {
    let ok = true;
    let msg: string | undefined;
    try {
      const scope: Record<string, unknown> = { ...o.scope, ...(o.vars ?? {}), result: o.result ?? UNFINISHED_RESULT };
      const unused = new UndoScope();
      for (const u of o.steps) {
        if (u.kind !== 'task') continue;
        const out = await h.runTask(u, 'undo', unused, scope);
        if (out.status === 'failed' || out.status === 'unreachable') {
          ok = false;
          msg = `undo step '${u.name}' ${out.status}`;
        }
      }
      // the dead-man timer stays armed until the compensation has really happened
      if (ok) await disarmDeadman(run, o);
    } catch (err) {
      ok = false;
      msg = `undo of '${o.stepName}' failed: ${formatError(err)}`;
    }
    o.discharged = ok;
    if (!ok) h.ps.failed = true;
    run.emit({ type: 'undo-done', obligationId: o.id, host: h.host.name, ok, ...(msg ? { msg } : {}) });
    try {
      if (run.opts.journal) await run.opts.journal.obligationDischarged(o, ok, msg);
    } catch (err) {
      run.emit({ type: 'warning', host: h.host.name, message: `could not journal the undo of '${o.stepName}': ${formatError(err)}` });
    }
  }
}
