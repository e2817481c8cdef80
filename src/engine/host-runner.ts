// Runs steps for one host within a play: the step lists of the play, its blocks and handlers, and the
// play-scope undo obligations. The parts live beside it — tasks and loops (task.ts), attempts
// (attempts.ts), one call of a step type (invoke.ts), blocks (block.ts) and undo scopes
// (obligations.ts) — and reach one another through the HostRun interface.

import type { Play, Step, TaskStep } from '../loader/ast.js';
import type { HostEntry } from '../inventory/types.js';
import { runBlock } from './block.js';
import { errorPos } from './errors.js';
import type { Position } from '../diagnostics/problems.js';
import type { Outcome, StepPhase } from './events.js';
import { outcomeMessage } from './events.js';
import type { Ended, HostPlayState, HostRun, StepRun } from './host-run.js';
import { discharge } from './obligations.js';
import type { RunContext } from './run-context.js';
import type { OpenObligation } from './run-options.js';
import { registerInScope } from './scope.js';
import { runTask } from './task.js';
import { UndoScope } from './undo.js';

export type { HostPlayState } from './host-run.js';
export { UNFINISHED_RESULT } from './obligations.js';

export class HostRunner implements HostRun {
  private readonly playUndo = new UndoScope();

  constructor(
    readonly run: RunContext,
    readonly play: Play,
    readonly host: HostEntry,
    readonly scope: Record<string, unknown>,
    readonly ps: HostPlayState,
  ) {}

  get active(): boolean {
    return !this.ps.failed && !this.ps.unreachable;
  }

  setRegistered(name: string, value: unknown): void {
    this.run.vars.of(this.host.name).registered[name] = value;
    this.run.opts.journal?.registered?.(this.host.name, name, value);
    registerInScope(this.scope, name, value, this.run.opts.extraVars);
  }

  async runTopLevel(step: Step): Promise<void> {
    await this.runStep(step, 'main', this.playUndo, []);
  }

  async runHandlers(handlers: readonly TaskStep[]): Promise<void> {
    for (const h of handlers) {
      if (!this.ps.notified.has(h.name) || !this.active || this.run.interruption.interrupted) continue;
      this.ps.notified.delete(h.name);
      await this.runStep(h, 'handler', this.playUndo, []);
    }
  }

  /** Takes over an obligation an interrupted run left open (resume). */
  adopt(o: OpenObligation): void {
    const step = findStep([...this.play.steps, ...this.play.handlers], o.stepId);
    if (!step || step.undo.length === 0) return;
    this.playUndo.push({
      id: o.id, stepId: o.stepId, stepName: step.name, host: this.host.name, steps: step.undo, scope: { ...this.scope }, result: o.result,
      discharged: false, ...(o.deadman ? { deadman: [...o.deadman] } : {}), ...(o.vars ? { vars: o.vars } : {}),
    });
  }

  async dischargePlayUndo(): Promise<void> {
    await discharge(this, this.playUndo);
  }

  async runList(steps: readonly Step[], phase: StepPhase, undo: UndoScope, tags: readonly string[], force: boolean): Promise<boolean> {
    for (const step of steps) {
      if (!force && (this.run.interruption.interrupted || !this.active)) return this.active;
      const out = await this.runStep(step, phase, undo, tags);
      if ((out.status === 'failed' || out.status === 'unreachable') && !out.ignored) return false;
    }
    return true;
  }

  runTask(step: TaskStep, phase: StepPhase, undo: UndoScope, scope: Record<string, unknown> = this.scope): Promise<Ended> {
    return runTask(this, step, phase, undo, scope);
  }

  endEvent(step: Step, phase: StepPhase, r: StepRun, ignored: boolean, durationMs: number): void {
    const c = this.run.recap.of(this.host.name);
    if (ignored) c.ignored += 1;
    else c[r.status] += 1;
    this.emitEnd(step, phase, r, ignored, durationMs);
  }

  emitEnd(step: Step, phase: StepPhase, r: StepRun, ignored: boolean, durationMs: number): void {
    const outcome = toOutcome(r, step.pos);
    const msg = outcomeMessage(outcome);
    const parentId = this.run.parents.get(step.id);
    this.run.emit({
      type: 'step-end', play: this.play.index, stepId: step.id, name: step.name, host: this.host.name, phase,
      ...(parentId !== undefined ? { parentId } : {}), status: r.status, outcome, ignored,
      ...(msg !== undefined ? { msg } : {}), ...(r.plan !== undefined ? { plan: r.plan } : {}), durationMs,
    });
  }

  private async runStep(step: Step, phase: StepPhase, undo: UndoScope, tags: readonly string[]): Promise<Ended> {
    if (phase !== 'undo' && !this.run.selection.selected(step, tags)) return { status: 'skipped', ignored: false };
    if (step.kind === 'block') return runBlock(this, step, phase, [...tags, ...step.tags]);
    if (step.type === 'flush_handlers') {
      await this.runHandlers(this.play.handlers);
      return { status: 'ok', ignored: false };
    }
    return this.runTask(step, phase, undo);
  }
}

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

/** A step's run as the outcome its step-end carries. */
function toOutcome(r: StepRun, pos: Position): Outcome {
  const plan = r.plan !== undefined ? { plan: r.plan } : {};
  const message = r.msg !== undefined ? { message: r.msg } : {};
  switch (r.status) {
    case 'failed':
    case 'unreachable':
      return { kind: r.status, error: r.error ?? { kind: 'step', code: 'step-failed', message: r.msg ?? r.status, pos: errorPos(pos) }, ...plan };
    case 'skipped':
      return { kind: 'skipped', reason: r.skip ?? 'condition', ...message };
    case 'unknown':
      return { kind: 'unknown', ...(r.msg !== undefined ? { reason: r.msg } : {}), ...plan };
    default:
      return { kind: r.status, ...message, ...plan };
  }
}
