// The typed playbook AST produced by the loader. Every node keeps its position so runtime errors
// (a template that fails, a condition on an undefined variable) point at the playbook's own line.

import type { Position } from '../diagnostics/problems.js';

export interface Condition {
  readonly source: string;
  readonly pos: Position;
}

export interface StepCommon {
  /** Stable id within the playbook, e.g. "1.3.block.2" (play 1, step 3, block item 2). */
  readonly id: string;
  readonly name: string;
  readonly pos: Position;
  readonly when: Condition | undefined;
  readonly register: string | undefined;
  readonly loop: unknown;
  readonly loopVar: string;
  readonly until: Condition | undefined;
  readonly retries: number | undefined;
  readonly delayMs: number | undefined;
  readonly ignoreErrors: boolean;
  readonly failedWhen: Condition | undefined;
  readonly changedWhen: Condition | undefined;
  readonly notify: readonly string[];
  readonly tags: readonly string[];
  readonly timeoutMs: number | undefined;
  readonly runOnce: boolean;
  /** `dry_run: run`: the author says this step only reads, so a dry run runs it for real. */
  readonly dryRun?: 'run';
  readonly undo: readonly Step[];
  /** Dead-man switch of an undo step: a timer armed on a host that performs it if the runner vanishes. */
  readonly deadman: Deadman | undefined;
}

export interface Deadman {
  readonly afterMs: number;
  /** Shell command (template) run on the host when the timer fires; absent: the undo step's type writes it. */
  readonly command: string | undefined;
  /** Host that arms the timer; default: the step's host. */
  readonly host: string | undefined;
  /** Several hosts, each with a timer of its own: a list, or a template that renders to one. */
  readonly hosts: string | readonly string[] | undefined;
}

export interface TaskStep extends StepCommon {
  readonly kind: 'task';
  readonly type: string;
  /** Arguments as written; the engine renders and reads the templated ones with the step's schema. */
  readonly args: Readonly<Record<string, unknown>>;
  /** Arguments already read with the schema at load time (static values, defaults): used as they are. */
  readonly ready: ReadonlyMap<string, unknown>;
  /** Positions of argument values, and of templates inside them ("progress[0].pattern"), for runtime errors. */
  readonly argPos: ReadonlyMap<string, Position>;
  readonly file: string;
}

export interface BlockStep extends StepCommon {
  readonly kind: 'block';
  readonly block: readonly Step[];
  readonly rescue: readonly Step[];
  readonly always: readonly Step[];
}

export type Step = TaskStep | BlockStep;

export interface Play {
  readonly index: number;
  readonly name: string;
  readonly hosts: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly forks: number | undefined;
  readonly serial: number | string | undefined;
  readonly maxFailPercentage: number | undefined;
  /** linear: each step runs on every host before the next starts; free: each host runs at its own pace. */
  readonly strategy: 'linear' | 'free';
  readonly steps: readonly Step[];
  readonly handlers: readonly TaskStep[];
  readonly pos: Position;
}

export interface Playbook {
  readonly file: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly plays: readonly Play[];
}
