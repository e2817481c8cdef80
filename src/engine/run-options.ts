// What a run is given (the playbook, inventory, services, sink, selection flags, resume state) and what
// it returns. The CLI and the tests build these; the executor reads them and never changes them.

import type { Playbook } from '../loader/ast.js';
import type { Inventory } from '../inventory/types.js';
import type { SecretRegistry } from '../secrets/masker.js';
import type { RunPlan } from '../planner/plan.js';
import type { RunServices, StepType } from '../steps/types.js';
import type { Clock } from './clock.js';
import type { EventSink, HostCounts, RunStatus, TransportEvent } from './events.js';
import type { RunJournalHooks } from './undo.js';

export interface RunOptions {
  readonly runId: string;
  readonly playbook: Playbook;
  readonly inventory: Inventory;
  readonly steps: ReadonlyMap<string, StepType>;
  readonly extraVars: Readonly<Record<string, unknown>>;
  readonly dryRun: boolean;
  /** --step: ask the operator before each write step (never before undo and always steps). */
  readonly confirmWrites?: boolean;
  readonly forks: number;
  readonly limit?: string;
  /** The planner's hosts per play (made here from the playbook, inventory and limit when absent). */
  readonly plan?: RunPlan;
  readonly tags?: readonly string[];
  readonly skipTags?: readonly string[];
  readonly startAt?: string;
  readonly secrets: SecretRegistry;
  readonly services: RunServices;
  readonly sink: EventSink;
  /** Aborted on Ctrl-C/SIGTERM: no new steps start; always/undo still run. */
  readonly interrupt?: AbortSignal;
  readonly clock?: Clock;
  readonly journal?: RunJournalHooks;
  /** Transport events of the run's preparation (host keys checked before it): emitted just after run-start. */
  readonly prelude?: ReadonlyArray<{ readonly host: string; readonly event: TransportEvent }>;
  /** Continuing an interrupted run: what it finished, registered, and left open. */
  readonly resume?: ResumeState;
}

/** An undo obligation an interrupted run left open, as its journal recorded it. */
export interface OpenObligation {
  readonly id: string;
  readonly stepId: string;
  readonly host: string;
  readonly result: unknown;
  readonly vars?: Readonly<Record<string, unknown>>;
  readonly deadman?: ReadonlyArray<{ readonly host: string; readonly unit: string }>;
}

export interface ResumeState {
  /** `stepId@host` of steps that finished (ok, changed or skipped) in the interrupted run. */
  readonly completed: ReadonlySet<string>;
  readonly registered: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Undo obligations the interrupted run left open: adopted, discharged when their play ends. */
  readonly obligations: readonly OpenObligation[];
  /** Prefix for new obligation ids so they never collide with the earlier run's. */
  readonly idPrefix: string;
  /** Async jobs the interrupted run submitted (key → job id): waited for, not submitted again. */
  readonly jobs: ReadonlyMap<string, string>;
}

export interface RunSummary {
  readonly status: RunStatus;
  readonly exitCode: number;
  readonly recap: Record<string, HostCounts>;
  readonly durationMs: number;
}
