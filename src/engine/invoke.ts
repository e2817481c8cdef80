// One call of a step type: the signal it may be cancelled by (Ctrl-C, its own timeout), `check` instead
// of `apply` for a write in a dry run, and the outcome turned into a status — `changed_when` and
// `failed_when` applied, variables from `set` registered, an exception classified as failed/unreachable.

import { setMaxListeners } from 'node:events';
import type { TaskStep } from '../loader/ast.js';
import { StepFailedError, type StepOutcome, type StepType } from '../steps/types.js';
import { unknownArgument } from './args.js';
import { classifyError, errorPos, isUnreachable } from './errors.js';
import { condition, isUnknown, Unknown } from './evaluate.js';
import type { RunError, StepPhase, StepStatus } from './events.js';
import type { HostRun, StepRun } from './host-run.js';
import { makeStepContext } from './step-context.js';

/** The step's own `timeout:` ran out. */
class StepTimedOut extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs / 1000}s`);
  }
}

/** The signal of steps nothing may cancel. */
const NEVER_ABORTED = new AbortController().signal;
setMaxListeners(0, NEVER_ABORTED);

export async function invoke(h: HostRun, step: TaskStep, def: StepType, args: Record<string, unknown>, scope: Record<string, unknown>, phase: StepPhase): Promise<StepRun> {
  const opts = h.run.opts;
  // --step: the operator says yes, no (skip it) or continue (stop asking) before each write; reverting is never held up
  if (opts.confirmWrites && def.effect === 'write' && phase !== 'undo' && phase !== 'always') {
    const answer = await askStep(h, step, opts.interrupt);
    if (answer !== 'yes') return answer;
  }
  // `dry_run: run`: the playbook says this write-typed step only reads (a `shell: cat …`)
  const predict = opts.dryRun && def.effect === 'write' && step.dryRun !== 'run';
  // a dry run runs reads for real: not with an argument it cannot know (a check is told, and decides)
  const unknown = opts.dryRun && !predict ? unknownArgument(def, args) : undefined;
  if (unknown) {
    const why = `argument '${unknown.name}' is unknown in a dry run: ${unknown.reason}`;
    return { status: 'unknown', msg: why, result: new Unknown(why) };
  }
  // undo and always steps are not cancelled by Ctrl-C; only a step with a timeout needs its own signal
  const interruptible = phase !== 'undo' && phase !== 'always' && opts.interrupt !== undefined;
  const timeout = step.timeoutMs !== undefined ? new AbortController() : undefined;
  const signal = timeout
    ? interruptible ? AbortSignal.any([timeout.signal, opts.interrupt!]) : timeout.signal
    : interruptible ? opts.interrupt! : NEVER_ABORTED;
  const ctx = makeStepContext(h.run, step, h.host, scope, signal);
  let timer: NodeJS.Timeout | undefined;
  let outcome: StepOutcome;
  try {
    const work = predict
      ? def.check
        ? def.check(ctx, args)
        : Promise.resolve<StepOutcome>({ changed: true, plan: def.describe?.(args) ?? `would run ${step.type}`, result: { unknown: new Unknown(`result of '${step.name}' (dry run)`) } })
      : def.apply(ctx, args);
    if (step.timeoutMs !== undefined) {
      const t = step.timeoutMs;
      const timed = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timeout?.abort();
          reject(new StepTimedOut(t));
        }, t);
      });
      outcome = await Promise.race([work, timed]);
    } else outcome = await work;
    if (predict && !def.check) {
      return { status: 'changed', plan: outcome.plan, result: new Unknown(`result of '${step.name}' (dry run)`) };
    }
  } catch (err) {
    if (err instanceof StepTimedOut) {
      const error: RunError = { kind: 'timeout', code: 'step-timeout', message: err.message, pos: errorPos(step.pos), timeoutMs: err.timeoutMs };
      return { status: 'failed', error, result: { failed: true, changed: false, msg: err.message } };
    }
    const error = classifyError(err, step.pos);
    const extra = err instanceof StepFailedError ? (err.result ?? {}) : {};
    return { status: isUnreachable(err) ? 'unreachable' : 'failed', error, result: { ...extra, failed: true, changed: false, msg: error.message } };
  } finally {
    if (timer) clearTimeout(timer);
  }
  return interpret(h, step, outcome, scope);
}

/** The step's outcome as a status: registered vars, unknowns, then changed_when and failed_when. */
function interpret(h: HostRun, step: TaskStep, outcome: StepOutcome, scope: Record<string, unknown>): StepRun {
  if (outcome.vars) for (const [k, v] of Object.entries(outcome.vars)) h.setRegistered(k, v);
  if (outcome.unknown !== undefined) return { status: 'unknown', msg: outcome.unknown, result: new Unknown(outcome.unknown), plan: outcome.plan };
  let changed = outcome.changed;
  let failed = outcome.failed ?? false;
  let result: Record<string, unknown> = { ...(outcome.result ?? {}), changed, failed };
  if (outcome.msg !== undefined) result.msg = outcome.msg;
  // the scope is copied only for steps with conditions on their result (it holds every variable)
  const condScope = step.changedWhen || step.failedWhen ? { ...scope, result, ...(step.register ? { [step.register]: result } : {}) } : scope;
  if (step.changedWhen) {
    const c = condition(step.changedWhen, condScope, 'changed_when');
    if (isUnknown(c)) return { status: 'unknown', result: c, plan: outcome.plan };
    changed = c;
  }
  if (step.failedWhen) {
    const f = condition(step.failedWhen, condScope, 'failed_when');
    if (isUnknown(f)) return { status: 'unknown', result: f, plan: outcome.plan };
    failed = f;
  }
  result = { ...result, changed, failed };
  const status: StepStatus = failed ? 'failed' : changed ? 'changed' : 'ok';
  // when failed_when turned a success into a failure, the condition is the reason, not the step's message
  const byRule = failed && !(outcome.failed ?? false) && step.failedWhen !== undefined;
  if (!failed) return { status, msg: outcome.msg, result, plan: outcome.plan };
  const error: RunError = byRule
    ? { kind: 'condition', code: 'failed-when', message: `failed_when: ${step.failedWhen!.source}`, pos: errorPos(step.failedWhen!.pos) }
    : { kind: 'step', code: 'step-failed', message: outcome.msg ?? 'failed', pos: errorPos(step.pos) };
  return { status, error, result, plan: outcome.plan };
}

/**
 * One question at a time per run, whatever the number of hosts (each run its own queue: another run in
 * the same process never waits behind it); "continue" stops the asking for the rest of the run.
 */
const asking = new WeakMap<object, Promise<unknown>>();
const stopAsking = new WeakSet<object>();

async function askStep(h: HostRun, step: TaskStep, interrupt: AbortSignal | undefined): Promise<'yes' | StepRun> {
  const turn = (asking.get(h.run) ?? Promise.resolve()).then(async (): Promise<'yes' | StepRun> => {
    if (stopAsking.has(h.run)) return 'yes';
    const question = `--step: run '${step.name}' on ${h.host.name}? [y]es, [n]o (skip it), [c]ontinue (stop asking): `;
    const answer = await h.run.opts.services.ask?.(question, interrupt ?? NEVER_ABORTED).catch(() => null);
    const a = (answer ?? '').trim().toLowerCase();
    if (a === 'c' || a === 'continue') stopAsking.add(h.run);
    if (a === 'y' || a === 'yes' || a === 'c' || a === 'continue') return 'yes';
    if (a === 'n' || a === 'no') return { status: 'skipped', skip: 'operator', msg: 'skipped by the operator (--step)' };
    const why = answer === null || answer === undefined ? 'no answer' : `answered '${a}'`;
    const message = `${why}: not confirmed (--step)`;
    return { status: 'failed', error: { kind: 'step', code: 'not-confirmed', message, pos: errorPos(step.pos) }, result: { failed: true, changed: false, msg: message } };
  });
  asking.set(h.run, turn.catch(() => undefined));
  return turn;
}
