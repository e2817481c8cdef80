// What callers of the application layer give it: requests (what to run, as the command line says it)
// and an environment (how the run reaches the world; every part has the real default). The CLI and the
// tests build these; nothing here knows about argv, stdout or signals.

import type { Clock } from '../engine/clock.js';
import type { RunJournalHooks } from '../engine/undo.js';
import type { EventSink } from '../engine/events.js';
import type { Inventory } from '../inventory/types.js';
import type { CloudStackFactory } from '../runtime/services.js';
import type { SecretRegistry } from '../secrets/masker.js';
import type { RunServices, StepType } from '../steps/types.js';

/** A file's name and its text, for playbooks and inventories that do not come from a file. */
export interface Source {
  readonly file: string;
  readonly text: string;
}

export interface InputRequest {
  /** A playbook file, the name of a bundled playbook (`cloudstack/systemvm-restart`), or its text. */
  readonly playbook: string | Source;
  /** An inventory file or its text; without one, only the implicit `localhost`. */
  readonly inventory?: string | Source;
  /** `-e` items: `key=value` (a YAML value) or `@file.yml`. */
  readonly extraArgs?: readonly string[];
  /** Variables as values, above those of `extraArgs`. */
  readonly extraVars?: Readonly<Record<string, unknown>>;
}

export interface RunRequest extends InputRequest {
  readonly dryRun?: boolean;
  /** --step: ask before each write step (needs `ask` in the environment: a terminal). */
  readonly confirmWrites?: boolean;
  /** Hosts a step runs on at once (default 10). */
  readonly forks?: number;
  readonly limit?: string;
  readonly tags?: readonly string[];
  readonly skipTags?: readonly string[];
  readonly startAtStep?: string;
  readonly acceptNewHostKeys?: boolean;
  /** Where the run's journal goes; without one the run is not journaled (nothing to resume or recover). */
  readonly journalDir?: string;
  /** Start even if an earlier run left undo steps open on what this one touches (recorded in the journal). */
  readonly force?: boolean;
  readonly runId?: string;
}

export interface AppEnvironment {
  /** The step types a playbook may use (default: every registered one). */
  readonly steps?: ReadonlyMap<string, StepType>;
  /** Every secret the run meets is registered here and masked in every output. */
  readonly secrets?: SecretRegistry;
  /** Filled with the text of every file read (file → text), for code frames of problems. */
  readonly sources?: Map<string, string>;
  readonly clock?: Clock;
  /** SSH settings files (tests point them at a temp dir so the real ~/.ssh is never touched). */
  readonly ssh?: { readonly configPath?: string | null; readonly userKnownHosts?: string; readonly homeDir?: string };
  /** How CloudStack clients are made (default: from the inventory's `cloudstack:` settings). */
  readonly cloudstack?: CloudStackFactory;
  /** Replaces the wired services altogether (a test answering dead-man timers itself). */
  readonly services?: (inventory: Inventory, secrets: SecretRegistry) => RunServices;
  /** A record of undo obligations of the caller's own, for a run without a journal directory. */
  readonly journal?: RunJournalHooks;
  /** Answers a `confirm` step: the operator's terminal (the CLI gives one only when it has a terminal). */
  readonly ask?: (question: string, signal: AbortSignal) => Promise<string | null>;
}

/** Where a run's events go and what stops it. */
export interface RunHooks {
  /** Every event of the run, masked (the journal, when there is one, gets them too). */
  readonly sink?: EventSink;
  /** Aborted: no new step starts; undo and always steps still run. */
  readonly signal?: AbortSignal;
}
