// One task step on one host: the resume skip, `loop` (each item with its own `when` and attempts, the
// results collected under `results`), `when`, and the end of the step — register, notify, the host's
// failed/unreachable state and the step-end event. A failure is data here, never an exception.

import type { TaskStep } from '../loader/ast.js';
import { attempts } from './attempts.js';
import { classifyError, isUnreachable } from './errors.js';
import { condition, isUnknown, PlaybookRuntimeError, renderValue, Unknown } from './evaluate.js';
import type { RunError, StepPhase, StepStatus } from './events.js';
import type { Ended, HostRun, StepRun } from './host-run.js';
import type { UndoScope } from './undo.js';

export async function runTask(h: HostRun, step: TaskStep, phase: StepPhase, undo: UndoScope, scope: Record<string, unknown>): Promise<Ended> {
  const run = h.run;
  const started = run.clock.now();
  const parentId = run.parents.get(step.id);
  run.emit({
    type: 'step-start', play: h.play.index, stepId: step.id, name: step.name, stepType: step.type, host: h.host.name, phase,
    ...(parentId !== undefined ? { parentId } : {}),
  });
  if (phase === 'main' && run.opts.resume?.completed.has(`${step.id}@${h.host.name}`)) {
    h.endEvent(step, phase, { status: 'skipped', skip: 'resumed', msg: 'done before the interruption' }, false, 0);
    return { status: 'skipped', ignored: false };
  }
  try {
    let items: unknown[] | null = null;
    if (step.loop !== undefined) {
      const l = renderValue(step.loop, scope, step.pos, 'loop');
      if (isUnknown(l)) return finish(h, step, phase, { status: 'unknown', msg: `loop unknown in a dry run: ${l.reason}`, result: l }, started);
      if (!Array.isArray(l)) throw new PlaybookRuntimeError(`'loop' must give a list, got ${typeof l}`, step.pos, 'loop');
      items = l;
    }
    if (items === null) {
      const w = step.when ? condition(step.when, scope, 'when') : true;
      if (w === false) return finish(h, step, phase, { status: 'skipped', skip: 'condition', result: { skipped: true, changed: false } }, started);
      if (isUnknown(w)) return finish(h, step, phase, { status: 'unknown', msg: `condition unknown in a dry run: ${w.reason}`, result: new Unknown(`'${step.name}' may not run (dry run)`) }, started);
      return finish(h, step, phase, await attempts(h, step, scope, undo, phase), started);
    }
    return finish(h, step, phase, await loop(h, step, items, scope, undo, phase), started);
  } catch (err) {
    const error = classifyError(err, step.pos);
    return finish(h, step, phase, { status: isUnreachable(err) ? 'unreachable' : 'failed', error, result: { failed: true, msg: error.message } }, started);
  }
}

/** Failed items named in a failed loop's message before the rest are counted. */
const MAX_ITEM_MSGS = 5;
/** Items whose dry-run plans are spelled out in the loop's own plan before the rest are counted. */
const MAX_ITEM_PLANS = 10;

async function loop(h: HostRun, step: TaskStep, items: readonly unknown[], scope: Record<string, unknown>, undo: UndoScope, phase: StepPhase): Promise<StepRun> {
  const results: unknown[] = [];
  let changed = false;
  let failed = false;
  let unreachable = false;
  let unknown = false;
  let lastError: RunError | undefined;
  // a failed loop is reported with its failed items' messages, not with whatever item ran last
  let firstFailed: RunError | undefined;
  const failedMsgs: string[] = [];
  const plans: string[] = [];
  for (const item of items) {
    if (h.run.interruption.interrupted && phase === 'main') break;
    const itemScope = { ...scope, [step.loopVar]: item };
    const w = step.when ? condition(step.when, itemScope, 'when') : true;
    if (w === false) {
      results.push({ skipped: true, changed: false, [step.loopVar]: item });
      continue;
    }
    const r = w === true ? await attempts(h, step, itemScope, undo, phase) : { status: 'unknown' as StepStatus, result: new Unknown('loop item condition unknown') };
    const res = isUnknown(r.result) ? r.result : { ...(r.result as object), [step.loopVar]: item };
    results.push(res);
    changed ||= r.status === 'changed';
    failed ||= r.status === 'failed';
    unreachable ||= r.status === 'unreachable';
    unknown ||= r.status === 'unknown';
    if (r.error) lastError = r.error;
    if (r.status === 'failed' && r.error) {
      firstFailed ??= r.error;
      if (!failedMsgs.includes(r.error.message)) failedMsgs.push(r.error.message);
    }
    // a dry run's item says what it would do (the call, the command), not only 'unknown'
    if (r.plan !== undefined) plans.push(r.plan);
    h.run.emit({
      type: 'step-progress', stepId: step.id, host: h.host.name, message: `item ${results.length}/${items.length}: ${r.status}${r.plan !== undefined ? ` — ${r.plan}` : ''}`,
      progress: { kind: 'item', index: results.length, total: items.length, status: r.status, ...(r.plan !== undefined ? { plan: r.plan } : {}) },
    });
    if (unreachable) break;
  }
  const status: StepStatus = unreachable ? 'unreachable' : failed ? 'failed' : unknown ? 'unknown' : changed ? 'changed' : results.length === 0 ? 'skipped' : 'ok';
  const failedText = failedMsgs.length > MAX_ITEM_MSGS ? [...failedMsgs.slice(0, MAX_ITEM_MSGS), `… and ${failedMsgs.length - MAX_ITEM_MSGS} more`] : failedMsgs;
  // the first failed item's error (its kind, code and position) with every failed item's message
  const error = unreachable ? lastError : failed && firstFailed ? { ...firstFailed, message: failedText.join('; ') } : failed ? lastError : undefined;
  const plan = plans.length === 0 ? undefined
    : `${plans.length} item(s): ${plans.slice(0, MAX_ITEM_PLANS).join('; ')}${plans.length > MAX_ITEM_PLANS ? `; … and ${plans.length - MAX_ITEM_PLANS} more` : ''}`;
  // whether an item whose outcome is unknown (a predicted write) changes or fails anything is unknown too:
  // a handler must not report "rebooted 0 router(s)" from a dry run
  const maybe = (v: boolean, what: string): boolean | Unknown => (v || !unknown ? v : new Unknown(`whether the loop ${what} (dry run)`));
  return {
    status, ...(status === 'skipped' ? { skip: 'no-items' as const } : {}), error, plan,
    result: { results, changed: maybe(changed, 'changes something'), failed: maybe(failed, 'fails') },
  };
}

function finish(h: HostRun, step: TaskStep, phase: StepPhase, r: StepRun, started: number): Ended {
  const ignored = (r.status === 'failed' && step.ignoreErrors) || false;
  if (step.register !== undefined && r.result !== undefined) h.setRegistered(step.register, r.result);
  if (r.status === 'changed' && step.notify.length > 0) for (const n of step.notify) h.ps.notified.add(n);
  if (r.status === 'failed' && !ignored && phase !== 'undo') h.ps.failed = true;
  if (r.status === 'unreachable' && phase !== 'undo') h.ps.unreachable = true;
  h.endEvent(step, phase, r, ignored, h.run.clock.now() - started);
  return { status: r.status, ignored };
}
