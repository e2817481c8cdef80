// The live task list's model: one view per step of the playbook (blocks hold their steps), filled in by
// the executor's events and drawn as listr2 task titles. Only the live list uses it; the last screen is
// drawn from the run's record (final-tree.ts).

import type { Playbook, Step } from '../loader/ast.js';
import type { RunEvent, StepStatus, TransportEvent } from '../engine/events.js';
import { formatDuration } from '../util/durations.js';
import type { Styler } from './style.js';

export interface ListrTaskLike {
  title: string | undefined;
  output: string | undefined;
  skip(message?: string): void;
  newListr(tasks: unknown[], options: unknown): unknown;
}

type SubStatus = Extract<RunEvent, { type: 'subtask' }>['status'];

export class StepView {
  readonly hosts = new Map<string, { status: StepStatus; msg?: string | undefined; ignored: boolean }>();
  readonly subtasks = new Map<string, { title: string; status: SubStatus; message?: string | undefined }>();
  latest = '';
  started = 0;
  durationMs = 0;
  task: ListrTaskLike | null = null;
  done = false;
  private resolveDone!: () => void;
  readonly finished = new Promise<void>((r) => (this.resolveDone = r));
  private resolveStarted!: () => void;
  /** Resolves when this step (or a step nested in it) starts on some host. */
  readonly startedP = new Promise<void>((r) => (this.resolveStarted = r));

  /** The block this step is in (views form the playbook's tree). */
  parent: StepView | undefined;
  /**
   * A step in a rescue or always section (at any depth), or the handlers: they still run after an
   * interrupt, so their views are not finished when one comes.
   */
  runsAfterInterrupt = false;

  constructor(
    readonly id: string,
    readonly title: string,
    readonly children: StepView[] = [],
  ) {
    for (const c of children) c.parent = this;
  }

  /** True once this step, or a step inside it, has started on some host. */
  begun = false;

  markStarted(): void {
    this.begun = true;
    this.resolveStarted();
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    for (const c of this.children) c.finish();
    this.resolveDone();
  }

  /** True if `other` is this view or nested inside it. */
  contains(other: StepView): boolean {
    for (let v: StepView | undefined = other; v; v = v.parent) if (v === this) return true;
    return false;
  }
}

interface PlayView {
  readonly steps: StepView[];
  readonly undo: StepView;
  readonly resolveStart: () => void;
  readonly started: Promise<void>;
}

/** Views for every step of every play, by step id, and per play. */
export function buildViews(playbook: Playbook): { views: Map<string, StepView>; plays: Map<number, PlayView> } {
  const views = new Map<string, StepView>();
  const plays = new Map<number, PlayView>();
  const build = (st: Step, afterInterrupt: boolean): StepView => {
    const children = st.kind === 'block'
      ? [...st.block.map((c) => build(c, afterInterrupt)), ...[...st.rescue, ...st.always].map((c) => build(c, true))]
      : [];
    const v = new StepView(st.id, st.name, children);
    v.runsAfterInterrupt = afterInterrupt;
    views.set(st.id, v);
    return v;
  };
  for (const play of playbook.plays) {
    const steps = play.steps.map((st) => build(st, false));
    if (play.handlers.length > 0) {
      const h = new StepView(`${play.index}.handlers`, 'handlers');
      h.runsAfterInterrupt = true;
      views.set(h.id, h);
      steps.push(h);
    }
    let resolveStart!: () => void;
    const started = new Promise<void>((r) => (resolveStart = r));
    plays.set(play.index, { steps, undo: new StepView(`${play.index}.undo`, 'undo (revert changes)'), resolveStart, started });
  }
  return { views, plays };
}

export function hasUndo(steps: readonly Step[]): boolean {
  return steps.some((st) => st.undo.length > 0 || (st.kind === 'block' && hasUndo([...st.block, ...st.rescue, ...st.always])));
}

/**
 * listr2 wraps every line at the terminal's width minus the nesting: a terminal that reports no width
 * (a pty nobody sized, as under script(1) or some CI runners) made that width zero or negative, and
 * every title came out one character per line, at great cost. Such a terminal gets $COLUMNS, else 80.
 */
export function saneColumns(stream: { columns?: number }, env: NodeJS.ProcessEnv = process.env): void {
  if (typeof stream.columns === 'number' && stream.columns >= MIN_COLUMNS) return;
  const fromEnv = Number(env['COLUMNS']);
  stream.columns = Number.isInteger(fromEnv) && fromEnv >= MIN_COLUMNS ? fromEnv : 80;
}
const MIN_COLUMNS = 20;
export const HEARTBEAT_MS = 1000;
const MAX_SUBTASK_LINES = 8;

function subtaskSummary(v: StepView, s: Styler): string {
  if (v.subtasks.size === 0) return '';
  let failed = 0;
  let running = 0;
  let fin = 0;
  for (const x of v.subtasks.values()) {
    if (x.status === 'failed') failed++;
    else if (x.status === 'running') running++;
    else if (x.status === 'ok' || x.status === 'changed' || x.status === 'skipped') fin++;
  }
  return ` ${fin}/${v.subtasks.size} done${failed ? s.red(`, ${failed} failed`) : ''}${running ? `, ${running} running` : ''}`;
}

/** The live title of a step: per-host marks, unit counts, and its time (moving while it runs). */
export function liveTitle(v: StepView, s: Styler, dryRun: boolean): string {
  const counts = new Map<StepStatus, number>();
  for (const h of v.hosts.values()) counts.set(h.status, (counts.get(h.status) ?? 0) + 1);
  let summary = [...counts].map(([st, n]) => (v.hosts.size === 1 ? st : `${st} ${n}`)).join(', ');
  if (dryRun) summary = summary.replace('changed', 'would change');
  const elapsed = v.done ? v.durationMs : v.started > 0 ? Date.now() - v.started : 0;
  const time = (v.done && elapsed >= 100) || (!v.done && elapsed >= HEARTBEAT_MS) ? s.dim(` ${formatDuration(elapsed)}`) : '';
  return `${v.title}${summary ? s.dim(` [${summary}]`) : ''}${subtaskSummary(v, s)}${time}`;
}

/** A failed step's error text in the live list: failed hosts and failed units (first few). */
export function failureText(v: StepView): string {
  const lines: string[] = [];
  for (const [host, h] of v.hosts) if ((h.status === 'failed' || h.status === 'unreachable') && !h.ignored) lines.push(`${host}: ${h.msg ?? h.status}`);
  const failedSubs = [...v.subtasks.values()].filter((x) => x.status === 'failed');
  for (const f of failedSubs.slice(0, MAX_SUBTASK_LINES)) lines.push(`${f.title}${f.message ? `: ${f.message}` : ''}`);
  if (failedSubs.length > MAX_SUBTASK_LINES) lines.push(`… and ${failedSubs.length - MAX_SUBTASK_LINES} more`);
  return lines.join('\n');
}

/**
 * What a running step's line says about its host's connections: connecting (slow connects and
 * reconnects after a reboot are visible), failures, keys recorded, API retries and new logins. API calls
 * and job polls are left to the step's own progress.
 */
