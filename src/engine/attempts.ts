// A task's attempts: `retries`/`until`/`delay` around single calls of its step type. The step's undo
// obligation is opened (journaled, dead-man armed) before the first attempt and given the latest result
// after every attempt, so a crash between attempts still leaves `recover` the newest result.

import type { TaskStep } from '../loader/ast.js';
import { prepareArgs } from './args.js';
import { errorPos } from './errors.js';
import { condition, isUnknown } from './evaluate.js';
import type { StepPhase } from './events.js';
import type { HostRun, StepRun } from './host-run.js';
import { invoke } from './invoke.js';
import { openObligation } from './obligations.js';
import type { Obligation, UndoScope } from './undo.js';

export async function attempts(h: HostRun, step: TaskStep, scope: Record<string, unknown>, undo: UndoScope, phase: StepPhase): Promise<StepRun> {
  const run = h.run;
  const def = run.opts.steps.get(step.type)!;
  // a templated argument that does not fit fails the step here, before its undo is registered
  const args = prepareArgs(step, def, scope, run.hostNames);
  let obligation: Obligation | undefined;
  if (step.undo.length > 0) obligation = await openObligation(h, step, scope, undo);
  const maxAttempts = 1 + (step.retries ?? 0);
  let last: StepRun = { status: 'failed', msg: 'did not run' };
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    last = await invoke(h, step, def, args, scope, phase);
    if (obligation) {
      obligation.result = last.result;
      // journaled after every attempt: a crash between attempts still leaves recover the latest result
      if (run.opts.journal) await run.opts.journal.obligationResult(obligation);
    }
    if (last.status === 'unknown') break;
    let done = last.status !== 'failed' && last.status !== 'unreachable';
    if (step.until && last.status !== 'unreachable') {
      const u = condition(step.until, { ...scope, result: last.result, ...(step.register ? { [step.register]: last.result } : {}) }, 'until');
      if (isUnknown(u)) break;
      done = u && last.status !== 'failed';
      if (!done && attempt === maxAttempts) {
        const message = `'until' still false after ${maxAttempts} attempts`;
        last = { ...last, status: 'failed', error: { kind: 'condition', code: 'until', message, pos: errorPos(step.until.pos) } };
      }
    }
    if (done || attempt === maxAttempts || (run.interruption.interrupted && phase === 'main')) break;
    if (last.status === 'unreachable' && step.retries === undefined) break;
    run.emit({
      type: 'step-progress', stepId: step.id, host: h.host.name, message: `attempt ${attempt}/${maxAttempts} ${step.until ? 'not there yet' : 'failed'}; retrying`,
      progress: { kind: 'attempt', attempt, attempts: maxAttempts, until: step.until !== undefined },
    });
    await run.clock.sleep(step.delayMs ?? 1000, run.opts.interrupt);
  }
  return last;
}
