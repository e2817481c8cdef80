// A block: its steps, then `rescue` when one of them failed (the host goes on if the rescue succeeds),
// then `always` whatever happened, then the undo obligations its steps registered. Failures inside
// are counted on their own steps; the block's own step-end is not counted in the recap.

import type { BlockStep } from '../loader/ast.js';
import { condition, isUnknown, type Unknown } from './evaluate.js';
import { classifyError, errorPos } from './errors.js';
import type { StepPhase } from './events.js';
import type { Ended, HostRun } from './host-run.js';
import { discharge } from './obligations.js';
import { UndoScope } from './undo.js';

export async function runBlock(h: HostRun, step: BlockStep, phase: StepPhase, tags: readonly string[]): Promise<Ended> {
  const scopeUndo = new UndoScope();
  let whenValue: boolean | Unknown = true;
  try {
    whenValue = step.when ? condition(step.when, h.scope, 'when') : true;
  } catch (err) {
    h.ps.failed = true;
    h.endEvent(step, phase, { status: 'failed', error: classifyError(err, step.pos) }, false, 0);
    return { status: 'failed', ignored: false };
  }
  if (whenValue === false) {
    h.endEvent(step, phase, { status: 'skipped', skip: 'condition' }, false, 0);
    return { status: 'skipped', ignored: false };
  }
  if (isUnknown(whenValue)) {
    h.endEvent(step, phase, { status: 'unknown', msg: `condition unknown in a dry run: ${(whenValue as Unknown).reason}` }, false, 0);
    return { status: 'unknown', ignored: false };
  }
  let ok = false;
  const counts = h.run.recap.of(h.host.name);
  const failedBefore = counts.failed;
  const interrupted = (): boolean => h.run.interruption.interrupted;
  try {
    ok = await h.runList(step.block, phase, scopeUndo, tags, false);
    if (!ok && step.rescue.length > 0 && !h.ps.unreachable && !interrupted()) {
      h.ps.failed = false; // rescued: the host goes on if the rescue succeeds
      ok = await h.runList(step.rescue, 'rescue', scopeUndo, tags, false);
      if (ok) {
        // the block's failures were handled: count them as rescued, not failed
        counts.rescued += counts.failed - failedBefore;
        counts.failed = failedBefore;
      }
    }
  } finally {
    if (step.always.length > 0) {
      const wasFailed = h.ps.failed;
      h.ps.failed = false;
      const alwaysOk = await h.runList(step.always, 'always', scopeUndo, tags, true);
      h.ps.failed = wasFailed || !alwaysOk;
      ok = ok && alwaysOk;
    }
    await discharge(h, scopeUndo);
  }
  const ignored = !ok && step.ignoreErrors;
  if (ignored) h.ps.failed = false;
  // the block's own end (not counted in the recap: its steps were)
  const failure = { kind: 'block', code: 'block-failed', message: 'a step in the block failed', pos: errorPos(step.pos) } as const;
  h.emitEnd(step, phase, ok ? { status: 'ok', ...(counts.rescued > 0 ? { msg: 'rescued' } : {}) } : { status: 'failed', error: failure }, ignored, 0);
  return { status: ok ? 'ok' : 'failed', ignored };
}
