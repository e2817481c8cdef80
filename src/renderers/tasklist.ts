// The live task list on a terminal (listr2): play → step (blocks show their steps nested), with
// per-host marks, the latest output line, per-VM subtask counts, durations; finished plays collapse,
// failures stay visible. The tree is built up front from the playbook; executor events fill it in.

import type { Playbook, Step } from '../loader/ast.js';
import type { RunEvent, StepStatus } from '../engine/events.js';
import { formatDuration } from '../util/durations.js';
import { formatRecap } from './recap.js';
import type { Styler } from './style.js';

interface ListrTaskLike {
  title: string | undefined;
  output: string | undefined;
  skip(message?: string): void;
  newListr(tasks: unknown[], options: unknown): unknown;
}

type SubStatus = Extract<RunEvent, { type: 'subtask' }>['status'];

class StepView {
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

  markStarted(): void {
    this.resolveStarted();
  }

  constructor(
    readonly id: string,
    readonly title: string,
    readonly children: StepView[] = [],
  ) {}

  finish(): void {
    if (this.done) return;
    this.done = true;
    for (const c of this.children) c.finish();
    this.resolveDone();
  }

  /** True if `other` is this view or nested inside it. */
  contains(other: StepView): boolean {
    return other === this || other.id.startsWith(`${this.id}.`);
  }
}

export interface TaskListRenderer {
  readonly sink: (e: RunEvent) => void;
  /** Resolves when the task list has finished drawing. */
  readonly done: Promise<void>;
}

const MAX_SUBTASK_LINES = 8;

function hasUndo(steps: readonly Step[]): boolean {
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
const FRAME_MS = 100;
const HEARTBEAT_MS = 1000;

export async function taskListRenderer(playbook: Playbook, s: Styler, write: (t: string) => void): Promise<TaskListRenderer> {
  const { Listr, DefaultRenderer } = await import('listr2');
  saneColumns(process.stdout);
  /**
   * listr2 redraws the whole list (wrapping every line, twice) on every title or output change, and on
   * a 100 ms spinner besides: at 1,000 routers that was seconds of CPU. Here the spinner is off (lazy;
   * running steps show their elapsed time instead, once a second) and changes arriving together make
   * one frame, at most every FRAME_MS.
   */
  class CoalescedRenderer extends DefaultRenderer {
    private frame: NodeJS.Timeout | undefined;
    private ended = false;
    override update(): void {
      if (this.ended || this.frame) return;
      this.frame = setTimeout(() => {
        this.frame = undefined;
        if (!this.ended) super.update();
      }, FRAME_MS);
    }
    override end(): void {
      this.ended = true;
      if (this.frame) clearTimeout(this.frame);
      super.end();
    }
  }
  const views = new Map<string, StepView>();
  const playViews = new Map<number, { steps: StepView[]; undo: StepView; resolveStart: () => void; started: Promise<void> }>();
  let dryRun = false;
  let recapText = '';

  const build = (st: Step): StepView => {
    const children = st.kind === 'block' ? [...st.block, ...st.rescue, ...st.always].map(build) : [];
    const v = new StepView(st.id, st.name, children);
    views.set(st.id, v);
    return v;
  };
  for (const play of playbook.plays) {
    const steps = play.steps.map(build);
    if (play.handlers.length > 0) {
      const h = new StepView(`${play.index}.handlers`, 'handlers');
      views.set(h.id, h);
      steps.push(h);
    }
    let resolveStart!: () => void;
    const started = new Promise<void>((r) => (resolveStart = r));
    playViews.set(play.index, { steps, undo: new StepView(`${play.index}.undo`, 'undo (revert changes)'), resolveStart, started });
  }

  const viewFor = (stepId: string, phase: string): StepView | undefined => {
    const play = Number(stepId.split('.')[0]);
    if (phase === 'undo') return playViews.get(play)?.undo;
    if (phase === 'handler') return views.get(`${play}.handlers`);
    let id = stepId;
    for (;;) {
      const v = views.get(id);
      if (v) return v;
      const cut = id.lastIndexOf('.');
      if (cut < 0) return undefined;
      id = id.slice(0, cut);
    }
  };

  const subtaskSummary = (v: StepView): string => {
    if (v.subtasks.size === 0) return '';
    let failed = 0;
    let running = 0;
    let fin = 0;
    for (const x of v.subtasks.values()) {
      if (x.status === 'failed') failed++;
      else if (x.status === 'running') running++;
      else if (x.status === 'ok' || x.status === 'changed' || x.status === 'skipped') fin++;
    }
    const subs = v.subtasks;
    return ` ${fin}/${subs.size} done${failed ? s.red(`, ${failed} failed`) : ''}${running ? `, ${running} running` : ''}`;
  };

  // Events can come by the thousand (a subtask per router); redraw each view at most every 100 ms.
  const pending = new Set<StepView>();
  let timer: NodeJS.Timeout | undefined;
  const refresh = (v: StepView): void => {
    if (v.done) return draw(v);
    pending.add(v);
    timer ??= setTimeout(() => {
      timer = undefined;
      for (const p of pending) draw(p);
      pending.clear();
    }, 100);
  };

  const draw = (v: StepView): void => {
    if (!v.task) return;
    const counts = new Map<StepStatus, number>();
    for (const h of v.hosts.values()) counts.set(h.status, (counts.get(h.status) ?? 0) + 1);
    let summary = [...counts].map(([st, n]) => (v.hosts.size === 1 ? st : `${st} ${n}`)).join(', ');
    if (dryRun) summary = summary.replace('changed', 'would change');
    // finished: how long it took; running for a while: how long so far (the heartbeat keeps it moving)
    const elapsed = v.done ? v.durationMs : v.started > 0 ? Date.now() - v.started : 0;
    const time = (v.done && elapsed >= 100) || (!v.done && elapsed >= HEARTBEAT_MS) ? s.dim(` ${formatDuration(elapsed)}`) : '';
    const title = `${v.title}${summary ? s.dim(` [${summary}]`) : ''}${subtaskSummary(v)}${time}`;
    if (v.task.title !== title) v.task.title = title;
    const latest = v.done ? '' : v.latest;
    if (latest && v.task.output !== latest) v.task.output = latest;
  };

  /** Failures stay visible after the step ends: failed hosts and failed subtasks (first few). */
  const failureText = (v: StepView): string => {
    const lines: string[] = [];
    for (const [host, h] of v.hosts) if ((h.status === 'failed' || h.status === 'unreachable') && !h.ignored) lines.push(`${host}: ${h.msg ?? h.status}`);
    const failedSubs = [...v.subtasks.values()].filter((x) => x.status === 'failed');
    for (const f of failedSubs.slice(0, MAX_SUBTASK_LINES)) lines.push(`${f.title}${f.message ? `: ${f.message}` : ''}`);
    if (failedSubs.length > MAX_SUBTASK_LINES) lines.push(`… and ${failedSubs.length - MAX_SUBTASK_LINES} more`);
    return lines.join('\n');
  };

  const stepTask = (v: StepView): unknown => ({
    title: v.title,
    rendererOptions: { outputBar: true, persistentOutput: false },
    task: async (_ctx: unknown, task: ListrTaskLike): Promise<unknown> => {
      v.task = task;
      refresh(v);
      if (v.children.length > 0) {
        // a block: its steps are nested tasks; the block's own marks come from its step-end
        await Promise.race([v.finished, v.startedP]);
        if (v.hosts.size === 0 && v.children.every((c) => c.hosts.size === 0) && v.done) return task.skip(`${v.title} ${s.dim('[not run]')}`);
        return task.newListr(v.children.map(stepTask), { concurrent: false, exitOnError: false });
      }
      await v.finished;
      refresh(v);
      const statuses = [...v.hosts.values()];
      if (statuses.length === 0) return task.skip(`${v.title} ${s.dim('[not run]')}`);
      if (statuses.every((h) => h.status === 'skipped')) return task.skip(`${v.title} ${s.dim('[skipped]')}`);
      const bad = statuses.filter((h) => (h.status === 'failed' || h.status === 'unreachable') && !h.ignored);
      if (bad.length > 0) throw new Error(failureText(v) || v.title);
      return undefined;
    },
  });

  const tasks = playbook.plays.map((play) => {
    const pv = playViews.get(play.index)!;
    return {
      title: play.name,
      task: async (_ctx: unknown, task: ListrTaskLike) => {
        await pv.started;
        const list = hasUndo(play.steps) ? [...pv.steps, pv.undo] : pv.steps;
        return task.newListr(list.map(stepTask), { concurrent: false, exitOnError: false });
      },
    };
  });

  const listr = new Listr(tasks as never, {
    concurrent: false,
    exitOnError: false,
    renderer: CoalescedRenderer,
    rendererOptions: { collapseSubtasks: true, collapseErrors: false, showErrorMessage: true, removeEmptyLines: true, lazy: true },
  });
  let runEnded!: () => void;
  const ended = new Promise<void>((r) => (runEnded = r));
  // the recap needs both: the list drawn to the end, and the run's end (which comes after cleanup)
  const done = Promise.all([listr.run().catch(() => undefined), ended]).then(() => write(`\n${recapText}\n`));

  // views started and not yet finished, innermost last
  let open: StepView[] = [];
  // without a spinner, a long step (sysvmadm on 1,000 routers) would look frozen: its time moves instead
  const heartbeat = setInterval(() => {
    for (const v of open) if (!v.done) refresh(v);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let current: StepView | undefined;
  const finishOutside = (v: StepView): void => {
    const keep: StepView[] = [];
    for (const o of open) {
      if (o.contains(v)) keep.push(o);
      else {
        o.finish();
        refresh(o);
      }
    }
    open = keep;
  };

  const sink = (e: RunEvent): void => {
    switch (e.type) {
      case 'run-start':
        dryRun = e.dryRun;
        return;
      case 'play-start':
        playViews.get(e.play)?.resolveStart();
        return;
      case 'step-start': {
        const v = viewFor(e.stepId, e.phase);
        if (!v) return;
        if (e.phase === 'main' || e.phase === 'rescue' || e.phase === 'always') finishOutside(v);
        if (v.started === 0) v.started = Date.now();
        for (let id = v.id; ; ) {
          // this view and every block around it have started
          views.get(id)?.markStarted();
          const cut = id.lastIndexOf('.');
          if (cut < 0) break;
          id = id.slice(0, cut);
        }
        if (!open.includes(v)) open.push(v);
        current = v;
        return;
      }
      case 'step-output':
      case 'step-progress': {
        const v = viewFor(e.stepId, 'main') ?? current;
        if (!v) return;
        v.latest = `${e.host}: ${e.type === 'step-output' ? e.line : e.message}`;
        refresh(v);
        return;
      }
      case 'subtask': {
        const v = viewFor(e.stepId, 'main') ?? current;
        if (!v) return;
        v.subtasks.set(`${e.host}/${e.id}`, { title: e.title, status: e.status, message: e.message });
        refresh(v);
        return;
      }
      case 'step-end': {
        const v = viewFor(e.stepId, e.phase);
        if (!v) return;
        const own = v.id === e.stepId || e.phase === 'undo' || e.phase === 'handler';
        const prev = v.hosts.get(e.host);
        // a view's marks come from its own step-end; steps nested deeper only add failures
        if (own || !prev || (e.status === 'failed' && !e.ignored)) {
          if (!(prev?.status === 'failed' && !own && e.status !== 'failed')) v.hosts.set(e.host, { status: e.status, msg: e.plan ?? e.msg, ignored: e.ignored });
        }
        v.durationMs = Date.now() - v.started;
        refresh(v);
        return;
      }
      case 'play-end': {
        const pv = playViews.get(e.play);
        if (!pv) return;
        for (const v of pv.steps) v.finish();
        pv.undo.finish();
        open = [];
        current = undefined;
        return;
      }
      case 'run-end':
        recapText = formatRecap(e.recap, e.status, e.durationMs, dryRun, s);
        clearInterval(heartbeat);
        if (timer) clearTimeout(timer);
        for (const p of pending) draw(p);
        pending.clear();
        runEnded();
        for (const pv of playViews.values()) {
          pv.resolveStart();
          for (const v of pv.steps) v.finish();
          pv.undo.finish();
        }
        return;
      case 'warning': {
        const v = (e.stepId ? viewFor(e.stepId, 'main') : undefined) ?? current;
        if (v) {
          v.latest = s.yellow(`warning: ${e.message}`);
          refresh(v);
        }
        return;
      }
      default:
        return;
    }
  };
  return { sink, done };
}
