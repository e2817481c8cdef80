// Runs steps for one host within a play: when/loop/retries/until, register, failed_when and
// changed_when, notify, blocks (block/rescue/always), handlers and undo scopes. A step's failure is
// data (status), never an exception that escapes this file.

import type { BlockStep, Play, Step, TaskStep } from '../loader/ast.js';
import type { HostEntry } from '../inventory/types.js';
import { StepFailedError, type StepContext, type StepOutcome } from '../steps/types.js';
import { condition, isUnknown, PlaybookRuntimeError, renderValue, Unknown } from './evaluate.js';
import type { StepPhase, StepStatus } from './events.js';
import type { RunState } from './executor.js';
import { registerInScope } from './scope.js';
import { type Obligation, UndoScope } from './undo.js';
import { makeStepContext } from './step-context.js';
import { formatError, isUnreachable } from './errors.js';
import { armDeadman, disarmDeadman } from './deadman.js';
import { setMaxListeners } from 'node:events';

export interface HostPlayState {
  failed: boolean;
  unreachable: boolean;
  notified: Set<string>;
}

interface Outcome {
  status: StepStatus;
  ignored: boolean;
}

export class HostRunner {
  private readonly playUndo = new UndoScope();

  constructor(
    private readonly state: RunState,
    private readonly play: Play,
    readonly host: HostEntry,
    readonly scope: Record<string, unknown>,
    private readonly ps: HostPlayState,
  ) {}

  get active(): boolean {
    return !this.ps.failed && !this.ps.unreachable;
  }

  setRegistered(name: string, value: unknown): void {
    this.state.vars(this.host.name).registered[name] = value;
    this.state.opts.journal?.registered?.(this.host.name, name, value);
    registerInScope(this.scope, name, value, this.state.opts.extraVars);
  }

  async runTopLevel(step: Step): Promise<void> {
    await this.runStep(step, 'main', this.playUndo, []);
  }

  async runHandlers(handlers: readonly TaskStep[]): Promise<void> {
    for (const h of handlers) {
      if (!this.ps.notified.has(h.name) || !this.active || this.state.interrupted) continue;
      this.ps.notified.delete(h.name);
      await this.runStep(h, 'handler', this.playUndo, []);
    }
  }

  /** Takes over an obligation an interrupted run left open (resume). */
  adopt(o: { readonly id: string; readonly stepId: string; readonly result: unknown; readonly vars?: Readonly<Record<string, unknown>>; readonly deadman?: ReadonlyArray<{ readonly host: string; readonly unit: string }> }): void {
    const step = findStep([...this.play.steps, ...this.play.handlers], o.stepId);
    if (!step || step.undo.length === 0) return;
    this.playUndo.push({
      id: o.id, stepId: o.stepId, stepName: step.name, host: this.host.name, steps: step.undo, scope: { ...this.scope }, result: o.result,
      discharged: false, ...(o.deadman ? { deadman: [...o.deadman] } : {}), ...(o.vars ? { vars: o.vars } : {}),
    });
  }

  async dischargePlayUndo(): Promise<void> {
    await this.discharge(this.playUndo);
  }

  /** Runs a list of steps; stops at the first failure that is not ignored. Returns false then. */
  private async runList(steps: readonly Step[], phase: StepPhase, undo: UndoScope, tags: readonly string[], force: boolean): Promise<boolean> {
    for (const step of steps) {
      if (!force && (this.state.interrupted || !this.active)) return this.active;
      const out = await this.runStep(step, phase, undo, tags);
      if ((out.status === 'failed' || out.status === 'unreachable') && !out.ignored) return false;
    }
    return true;
  }

  private async runStep(step: Step, phase: StepPhase, undo: UndoScope, tags: readonly string[]): Promise<Outcome> {
    if (phase !== 'undo' && !this.state.selected(step, tags)) return { status: 'skipped', ignored: false };
    if (step.kind === 'block') return this.runBlock(step, phase, undo, [...tags, ...step.tags]);
    if (step.type === 'flush_handlers') {
      await this.runHandlers(this.play.handlers);
      return { status: 'ok', ignored: false };
    }
    return this.runTask(step, phase, undo);
  }

  private async runBlock(step: BlockStep, phase: StepPhase, outer: UndoScope, tags: readonly string[]): Promise<Outcome> {
    const scopeUndo = new UndoScope();
    let whenValue: boolean | Unknown = true;
    try {
      whenValue = step.when ? condition(step.when, this.scope, 'when') : true;
    } catch (err) {
      return this.fail(step, phase, formatError(err), 0);
    }
    if (whenValue === false || isUnknown(whenValue)) {
      this.endEvent(step, phase, isUnknown(whenValue) ? 'unknown' : 'skipped', false, isUnknown(whenValue) ? `condition unknown in a dry run: ${whenValue.reason}` : undefined, 0);
      return { status: isUnknown(whenValue) ? 'unknown' : 'skipped', ignored: false };
    }
    let ok = false;
    const counts = this.state.counts(this.host.name);
    const failedBefore = counts.failed;
    try {
      ok = await this.runList(step.block, phase, scopeUndo, tags, false);
      if (!ok && step.rescue.length > 0 && !this.ps.unreachable && !this.state.interrupted) {
        this.ps.failed = false; // rescued: the host goes on if the rescue succeeds
        ok = await this.runList(step.rescue, 'rescue', scopeUndo, tags, false);
        if (ok) {
          // the block's failures were handled: count them as rescued, not failed
          counts.rescued += counts.failed - failedBefore;
          counts.failed = failedBefore;
        }
      }
    } finally {
      if (step.always.length > 0) {
        const wasFailed = this.ps.failed;
        this.ps.failed = false;
        const alwaysOk = await this.runList(step.always, 'always', scopeUndo, tags, true);
        this.ps.failed = wasFailed || !alwaysOk;
        ok = ok && alwaysOk;
      }
      await this.discharge(scopeUndo);
    }
    const ignored = !ok && step.ignoreErrors;
    if (ignored) this.ps.failed = false;
    // the block's own end (not counted in the recap: its steps were)
    this.state.emit({
      type: 'step-end', play: this.play.index, stepId: step.id, name: step.name, host: this.host.name, phase,
      status: ok ? 'ok' : 'failed', ignored, durationMs: 0, ...(ok && counts.rescued > 0 ? { msg: 'rescued' } : {}),
    });
    return { status: ok ? 'ok' : 'failed', ignored };
  }

  private async runTask(step: TaskStep, phase: StepPhase, undo: UndoScope, scope: Record<string, unknown> = this.scope): Promise<Outcome> {
    const started = this.state.clock.now();
    const opts = this.state.opts;
    const def = opts.steps.get(step.type)!;
    this.state.emit({ type: 'step-start', play: this.play.index, stepId: step.id, name: step.name, stepType: step.type, host: this.host.name, phase });
    if (phase === 'main' && opts.resume?.completed.has(`${step.id}@${this.host.name}`)) {
      this.endEvent(step, phase, 'skipped', false, 'done before the interruption', 0);
      return { status: 'skipped', ignored: false };
    }
    try {
      let items: unknown[] | null = null;
      if (step.loop !== undefined) {
        const l = renderValue(step.loop, scope, step.pos, 'loop');
        if (isUnknown(l)) return this.finish(step, phase, { status: 'unknown', msg: `loop unknown in a dry run: ${l.reason}`, result: l }, started);
        if (!Array.isArray(l)) throw new PlaybookRuntimeError(`'loop' must give a list, got ${typeof l}`, step.pos);
        items = l;
      }
      if (items === null) {
        const w = step.when ? condition(step.when, scope, 'when') : true;
        if (w === false) return this.finish(step, phase, { status: 'skipped', result: { skipped: true, changed: false } }, started);
        if (isUnknown(w)) return this.finish(step, phase, { status: 'unknown', msg: `condition unknown in a dry run: ${w.reason}`, result: new Unknown(`'${step.name}' may not run (dry run)`) }, started);
        const r = await this.attempts(step, def, scope, undo, phase);
        return this.finish(step, phase, r, started);
      }
      const results: unknown[] = [];
      let changed = false;
      let failed = false;
      let unreachable = false;
      let unknown = false;
      let lastMsg: string | undefined;
      for (const item of items) {
        if (this.state.interrupted && phase === 'main') break;
        const itemScope = { ...scope, [step.loopVar]: item };
        const w = step.when ? condition(step.when, itemScope, 'when') : true;
        if (w === false) {
          results.push({ skipped: true, changed: false, [step.loopVar]: item });
          continue;
        }
        const r = w === true ? await this.attempts(step, def, itemScope, undo, phase) : { status: 'unknown' as StepStatus, result: new Unknown('loop item condition unknown') };
        const res = isUnknown(r.result) ? r.result : { ...(r.result as object), [step.loopVar]: item };
        results.push(res);
        changed ||= r.status === 'changed';
        failed ||= r.status === 'failed';
        unreachable ||= r.status === 'unreachable';
        unknown ||= r.status === 'unknown';
        if (r.msg) lastMsg = r.msg;
        this.state.emit({ type: 'step-progress', stepId: step.id, host: this.host.name, message: `item ${results.length}/${items.length}: ${r.status}` });
        if (unreachable) break;
      }
      const status: StepStatus = unreachable ? 'unreachable' : failed ? 'failed' : unknown ? 'unknown' : changed ? 'changed' : results.length === 0 ? 'skipped' : 'ok';
      return this.finish(step, phase, { status, msg: failed || unreachable ? lastMsg : undefined, result: { results, changed, failed } }, started);
    } catch (err) {
      return this.finish(step, phase, { status: isUnreachable(err) ? 'unreachable' : 'failed', msg: formatError(err), result: { failed: true, msg: formatError(err) } }, started);
    }
  }

  /** Runs the step with retries/until; registers its undo obligation before the first attempt. */
  private async attempts(step: TaskStep, def: NonNullable<ReturnType<RunState['opts']['steps']['get']>>, scope: Record<string, unknown>, undo: UndoScope, phase: StepPhase): Promise<StepRun> {
    const opts = this.state.opts;
    const args = renderArgs(step, def, scope);
    let obligation: Obligation | undefined;
    if (step.undo.length > 0) obligation = await this.openObligation(step, scope, undo);
    const maxAttempts = 1 + (step.retries ?? 0);
    let last: StepRun = { status: 'failed', msg: 'did not run' };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      last = await this.once(step, def, args, scope, phase);
      if (obligation) {
        obligation.result = last.result;
        // journaled after every attempt: a crash between attempts still leaves recover the latest result
        if (opts.journal) await opts.journal.obligationResult(obligation);
      }
      if (last.status === 'unknown') break;
      let done = last.status !== 'failed' && last.status !== 'unreachable';
      if (step.until && last.status !== 'unreachable') {
        const u = condition(step.until, { ...scope, result: last.result, ...(step.register ? { [step.register]: last.result } : {}) }, 'until');
        if (isUnknown(u)) break;
        done = u && last.status !== 'failed';
        if (!done && attempt === maxAttempts) last = { ...last, status: 'failed', msg: `'until' still false after ${maxAttempts} attempts` };
      }
      if (done || attempt === maxAttempts || (this.state.interrupted && phase === 'main')) break;
      if (last.status === 'unreachable' && step.retries === undefined) break;
      this.state.emit({ type: 'step-progress', stepId: step.id, host: this.host.name, message: `attempt ${attempt}/${maxAttempts} ${step.until ? 'not there yet' : 'failed'}; retrying` });
      await this.state.clock.sleep(step.delayMs ?? 1000, opts.interrupt);
    }
    return last;
  }

  private async once(step: TaskStep, def: NonNullable<ReturnType<RunState['opts']['steps']['get']>>, args: Record<string, unknown>, scope: Record<string, unknown>, phase: StepPhase): Promise<StepRun> {
    const opts = this.state.opts;
    // undo and always steps are not cancelled by Ctrl-C; only a step with a timeout needs its own signal
    const interruptible = phase !== 'undo' && phase !== 'always' && opts.interrupt !== undefined;
    const timeout = step.timeoutMs !== undefined ? new AbortController() : undefined;
    const signal = timeout
      ? interruptible ? AbortSignal.any([timeout.signal, opts.interrupt!]) : timeout.signal
      : interruptible ? opts.interrupt! : NEVER_ABORTED;
    const ctx: StepContext = makeStepContext(this.state, step, this.host, scope, signal);
    let timer: NodeJS.Timeout | undefined;
    let outcome: StepOutcome;
    try {
      const predict = opts.dryRun && def.effect === 'write';
      const work = predict
        ? def.check
          ? def.check(ctx, args as never)
          : Promise.resolve<StepOutcome>({ changed: true, plan: def.describe?.(args as never) ?? `would run ${step.type}`, result: { unknown: new Unknown(`result of '${step.name}' (dry run)`) } })
        : def.apply(ctx, args as never);
      if (step.timeoutMs !== undefined) {
        const t = step.timeoutMs;
        const timed = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timeout?.abort();
            reject(new StepFailedError(`timed out after ${t / 1000}s`));
          }, t);
        });
        outcome = await Promise.race([work, timed]);
      } else outcome = await work;
      if (predict && !def.check) {
        return { status: 'changed', plan: outcome.plan, result: new Unknown(`result of '${step.name}' (dry run)`) };
      }
    } catch (err) {
      if (err instanceof StepFailedError) return { status: 'failed', msg: err.message, result: { ...(err.result ?? {}), failed: true, changed: false, msg: err.message } };
      return { status: isUnreachable(err) ? 'unreachable' : 'failed', msg: formatError(err), result: { failed: true, changed: false, msg: formatError(err) } };
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (outcome.vars) for (const [k, v] of Object.entries(outcome.vars)) this.setRegistered(k, v);
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
    const msg = failed ? (byRule ? `failed_when: ${step.failedWhen!.source}` : (outcome.msg ?? 'failed')) : outcome.msg;
    return { status, msg, result, plan: outcome.plan };
  }

  private finish(step: TaskStep, phase: StepPhase, r: StepRun, started: number): Outcome {
    const ignored = (r.status === 'failed' && step.ignoreErrors) || false;
    if (step.register !== undefined && r.result !== undefined) this.setRegistered(step.register, r.result);
    if (r.status === 'changed' && step.notify.length > 0) for (const n of step.notify) this.ps.notified.add(n);
    if (r.status === 'failed' && !ignored && phase !== 'undo') this.ps.failed = true;
    if (r.status === 'unreachable' && phase !== 'undo') this.ps.unreachable = true;
    this.endEvent(step, phase, r.status, ignored, r.msg, this.state.clock.now() - started, r.plan);
    return { status: r.status, ignored };
  }

  private fail(step: Step, phase: StepPhase, msg: string, started: number): Outcome {
    this.ps.failed = true;
    this.endEvent(step, phase, 'failed', false, msg, started);
    return { status: 'failed', ignored: false };
  }

  private endEvent(step: Step, phase: StepPhase, status: StepStatus, ignored: boolean, msg: string | undefined, durationMs: number, plan?: string): void {
    const c = this.state.counts(this.host.name);
    if (ignored) c.ignored += 1;
    else c[status] += 1;
    this.state.emit({
      type: 'step-end', play: this.play.index, stepId: step.id, name: step.name, host: this.host.name, phase, status, ignored,
      ...(msg !== undefined ? { msg } : {}), ...(plan !== undefined ? { plan } : {}), durationMs,
    });
  }

  private async openObligation(step: TaskStep, scope: Record<string, unknown>, undo: UndoScope): Promise<Obligation> {
    const o: Obligation = {
      id: this.state.nextObligationId(), stepId: step.id, stepName: step.name, host: this.host.name, steps: step.undo,
      scope: { ...scope }, result: undefined, discharged: false,
      ...(step.loop !== undefined ? { vars: { [step.loopVar]: scope[step.loopVar] } } : {}),
    };
    undo.push(o);
    const description = step.undo.map((u) => u.name).join('; ');
    this.state.emit({ type: 'undo-registered', obligationId: o.id, stepId: step.id, host: this.host.name, description });
    if (this.state.opts.journal) await this.state.opts.journal.obligationOpened(o);
    await armDeadman(this.state, step, o, scope, (m) => this.state.emit({ type: 'step-progress', stepId: step.id, host: this.host.name, message: m }));
    return o;
  }

  private async discharge(undo: UndoScope): Promise<void> {
    const pending = undo.drain();
    if (pending.length === 0) return;
    this.state.emit({ type: 'phase', phase: 'reverting', message: `running ${pending.length} undo step(s) on ${this.host.name}` });
    for (const o of pending) {
      let ok = true;
      let msg: string | undefined;
      try {
        const scope: Record<string, unknown> = { ...o.scope, ...(o.vars ?? {}), result: o.result ?? UNFINISHED_RESULT };
        const unused = new UndoScope();
        for (const u of o.steps) {
          if (u.kind !== 'task') continue;
          const out = await this.runTask(u, 'undo', unused, scope);
          if (out.status === 'failed' || out.status === 'unreachable') {
            ok = false;
            msg = `undo step '${u.name}' ${out.status}`;
          }
        }
        // the dead-man timer stays armed until the compensation has really happened
        if (ok) await disarmDeadman(this.state, o);
      } catch (err) {
        ok = false;
        msg = `undo of '${o.stepName}' failed: ${formatError(err)}`;
      }
      o.discharged = ok;
      if (!ok) this.ps.failed = true;
      this.state.emit({ type: 'undo-done', obligationId: o.id, host: this.host.name, ok, ...(msg ? { msg } : {}) });
      try {
        if (this.state.opts.journal) await this.state.opts.journal.obligationDischarged(o, ok, msg);
      } catch (err) {
        this.state.emit({ type: 'warning', host: this.host.name, message: `could not journal the undo of '${o.stepName}': ${formatError(err)}` });
      }
    }
  }
}

/** The signal of steps nothing may cancel. */
const NEVER_ABORTED = new AbortController().signal;
setMaxListeners(0, NEVER_ABORTED);

/**
 * `result` for an undo whose step never finished (killed mid-step): assume it changed something, so a
 * compensation guarded by `when: result.changed` still runs; values it would have reported are absent.
 */
export const UNFINISHED_RESULT: Readonly<Record<string, unknown>> = Object.freeze({ changed: true, unknown: true });

export function findStep(steps: readonly Step[], id: string): Step | undefined {
  for (const s of steps) {
    if (s.id === id) return s;
    if (s.kind === 'block') {
      const f = findStep([...s.block, ...s.rescue, ...s.always], id);
      if (f) return f;
    }
  }
  return undefined;
}

interface StepRun {
  status: StepStatus;
  msg?: string | undefined;
  result?: unknown;
  plan?: string | undefined;
}

function renderArgs(step: TaskStep, def: { freeform?: boolean; args: Readonly<Record<string, { raw?: boolean; default?: unknown }>> }, scope: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (def.freeform) {
    for (const [name, raw] of Object.entries(step.args)) out[name] = renderValue(raw, scope, step.argPos.get(name) ?? step.pos, `'${name}' of '${step.name}'`);
    return out;
  }
  for (const [name, spec] of Object.entries(def.args)) {
    if (!(name in step.args)) {
      if (spec.default !== undefined) out[name] = spec.default;
      continue;
    }
    const raw = step.args[name];
    out[name] = spec.raw ? raw : renderValue(raw, scope, step.argPos.get(name) ?? step.pos, `argument '${name}' of '${step.name}'`);
  }
  return out;
}
