// Undo obligations: a compensation attached to a step, registered *before* the step runs and
// discharged when its scope (block or play) ends — on success, failure or interrupt. The journal
// (when present) sees each obligation before the step runs and again when it is discharged.

import type { Step } from '../loader/ast.js';

/**
 * `result` for an undo whose step never finished (killed mid-step): assume it changed something, so a
 * compensation guarded by `when: result.changed` still runs; values it would have reported are absent.
 */
export const UNFINISHED_RESULT: Readonly<Record<string, unknown>> = Object.freeze({ changed: true, unknown: true });

export interface Obligation {
  readonly id: string;
  readonly stepId: string;
  readonly stepName: string;
  readonly host: string;
  readonly steps: readonly Step[];
  /** The scope at registration; the step's own result is added once it is known. */
  readonly scope: Record<string, unknown>;
  result: unknown;
  discharged: boolean;
  /** The loop variable of a looped step (its undo refers to the item): journaled for recover. */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** Dead-man timers armed on hosts for this obligation (disarmed when it is discharged). */
  deadman?: Array<{ readonly host: string; readonly unit: string }>;
}

/** LIFO stack of obligations for one scope on one host. */
export class UndoScope {
  private readonly items: Obligation[] = [];

  push(o: Obligation): void {
    this.items.push(o);
  }

  /** Pending obligations, newest first. */
  drain(): Obligation[] {
    const out = this.items.reverse().filter((o) => !o.discharged);
    this.items.length = 0;
    return out;
  }

  get size(): number {
    return this.items.length;
  }
}

/** Hooks the journal implements; the engine calls them around obligations and steps. */
export interface RunJournalHooks {
  /** Must be durable (fsync) before it resolves: the step runs only afterwards. */
  obligationOpened(o: Obligation): Promise<void>;
  obligationResult(o: Obligation): Promise<void>;
  obligationDischarged(o: Obligation, ok: boolean, msg?: string): Promise<void>;
  /** A dead-man timer is about to be armed on a host (recorded first, so recover can disarm it whenever the runner dies). */
  deadmanArmed?(o: Obligation, host: string, unit: string): void;
  /** Registered results, so `recover` and `resume` can rebuild a host's variables. */
  registered?(host: string, name: string, value: unknown): void;
}
