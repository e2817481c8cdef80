// What the parts of one host's run through a play share: its state in the play, and the few operations
// the step, loop, block and undo code call on one another. HostRunner implements it; the parts depend
// on this interface only, so each can be read (and tested) on its own.

import type { Play, Step, TaskStep } from '../loader/ast.js';
import type { HostEntry } from '../inventory/types.js';
import type { RunError, SkipReason, StepPhase, StepStatus } from './events.js';
import type { RunContext } from './run-context.js';
import type { UndoScope } from './undo.js';

export interface HostPlayState {
  failed: boolean;
  unreachable: boolean;
  notified: Set<string>;
}

/** How a step ended, as the list it is in sees it. */
export interface Ended {
  readonly status: StepStatus;
  readonly ignored: boolean;
}

/**
 * One run of a task (an attempt, or all of them): its status, its message (or, failed, its error), why
 * it was skipped, its registered result and its plan.
 */
export interface StepRun {
  readonly status: StepStatus;
  readonly msg?: string | undefined;
  readonly error?: RunError | undefined;
  readonly skip?: SkipReason | undefined;
  readonly result?: unknown;
  readonly plan?: string | undefined;
}

export interface HostRun {
  readonly run: RunContext;
  readonly play: Play;
  readonly host: HostEntry;
  readonly scope: Record<string, unknown>;
  readonly ps: HostPlayState;
  /** Runs steps in order; stops at the first failure that is not ignored (then false). */
  runList(steps: readonly Step[], phase: StepPhase, undo: UndoScope, tags: readonly string[], force: boolean): Promise<boolean>;
  runTask(step: TaskStep, phase: StepPhase, undo: UndoScope, scope?: Record<string, unknown>): Promise<Ended>;
  /** Counts the step in the recap and emits its step-end. */
  endEvent(step: Step, phase: StepPhase, r: StepRun, ignored: boolean, durationMs: number): void;
  /** Emits a step-end the recap does not count (a block's own end: its steps were counted). */
  emitEnd(step: Step, phase: StepPhase, r: StepRun, ignored: boolean, durationMs: number): void;
  setRegistered(name: string, value: unknown): void;
}
