// The live task list on a terminal (listr2): play → step (blocks show their steps nested), with
// per-host marks, the latest output line, per-VM subtask counts, durations, and notices (signals, what
// is being reverted) under the list. Signals stay stackplay's: listr2's own SIGINT handler (which exits
// 127 at once, skipping every undo) is never installed. When the run ends the live list is replaced by
// the last screen: the whole tree as it ended, the summary of failures and warnings, and the recap.

import type { Playbook } from '../loader/ast.js';
import { outcomeMessage, type RunEvent } from '../engine/events.js';
import { formatFinalTree } from './final-tree.js';
import { formatRecap } from './recap.js';
import { RunRecord } from './run-record.js';
import type { Styler } from './style.js';
import { formatSummary } from './summary.js';
import { coalescedRenderer, type LiveList } from './tasklist-drawing.js';
import { transportLine } from './transport-text.js';
import { buildViews, failureText, hasUndo, HEARTBEAT_MS, liveTitle, saneColumns, type ListrTaskLike, type StepView } from './tasklist-views.js';

export { saneColumns } from './tasklist-views.js';

interface TaskListRenderer {
  readonly sink: (e: RunEvent) => void;
  /** Resolves when the last screen has been written. */
  readonly done: Promise<void>;
  /** A line shown under the live list (a signal came, what is still being reverted); kept on the last screen. */
  notice(text: string): void;
  /** A forced exit: the live list stops at once and the last screen shows the run as far as it got. */
  abandon(): void;
}

/** Options for every list, nested ones included: listr2 would otherwise add a SIGINT handler per list. */
const LIST_OPTIONS = { concurrent: false, exitOnError: false, registerSignalListeners: false } as const;

export async function taskListRenderer(playbook: Playbook, s: Styler, write: (t: string) => void, verbosity = 0): Promise<TaskListRenderer> {
  const { Listr, DefaultRenderer } = await import('listr2');
  saneColumns(process.stdout);
  const notices: string[] = [];
  let live: LiveList | undefined;
  const CoalescedRenderer = coalescedRenderer(DefaultRenderer, notices, s, (l) => (live = l));
  const { views, plays: playViews } = buildViews(playbook);
  const record = new RunRecord();
  let dryRun = false;
  let recapText = '';

  /** The view a step is drawn in: its own, or for undo and handler steps their play's group. */
  const viewFor = (e: { readonly stepId: string; readonly play: number; readonly phase: string; readonly parentId?: string }): StepView | undefined => {
    if (e.phase === 'undo') return playViews.get(e.play)?.undo;
    if (e.phase === 'handler') return views.get(`${e.play}.handlers`);
    return views.get(e.stepId) ?? (e.parentId !== undefined ? views.get(e.parentId) : undefined);
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
    const title = liveTitle(v, s, dryRun);
    if (v.task.title !== title) v.task.title = title;
    const latest = v.done ? '' : v.latest;
    if (latest && v.task.output !== latest) v.task.output = latest;
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
        return task.newListr(v.children.map(stepTask), LIST_OPTIONS);
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
        return task.newListr(list.map(stepTask), LIST_OPTIONS);
      },
    };
  });

  const listr = new Listr(tasks as never, {
    ...LIST_OPTIONS,
    renderer: CoalescedRenderer,
    // the live list is cleared at the end: the last screen below replaces it
    rendererOptions: { collapseSubtasks: true, collapseErrors: false, showErrorMessage: true, removeEmptyLines: true, lazy: true, clearOutput: true },
  });
  let runEnded!: () => void;
  const ended = new Promise<void>((r) => (runEnded = r));
  const lastScreen = (): string => {
    const summary = formatSummary(record, s);
    return [
      '', ...formatFinalTree(playbook, record, s), '',
      ...(notices.length > 0 ? [...notices.map((n) => s.yellow(n)), ''] : []),
      ...(summary.length > 0 ? [...summary, ''] : []),
      ...(recapText ? [recapText, ''] : []),
    ].join('\n');
  };
  // the last screen needs both: the live list ended, and the run's end (which comes after cleanup)
  const done = Promise.all([listr.run().catch(() => undefined), ended]).then(() => write(lastScreen()));

  // views started and not yet finished, innermost last
  let open: StepView[] = [];
  // without a spinner, a long step (sysvmadm on 1,000 routers) would look frozen: its time moves instead
  const heartbeat = setInterval(() => {
    for (const v of open) if (!v.done) refresh(v);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let current: StepView | undefined;
  // the view each started step is drawn in (undo and handler steps are drawn in their play's group)
  const runningIn = new Map<string, StepView>();
  // the view of the step each host runs now: its connections' news are drawn there
  const runningOn = new Map<string, StepView>();
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
  const finishAll = (): void => {
    for (const pv of playViews.values()) {
      pv.resolveStart();
      for (const v of pv.steps) v.finish();
      pv.undo.finish();
    }
  };

  const sink = (e: RunEvent): void => {
    record.add(e);
    switch (e.type) {
      case 'run-start':
        dryRun = e.dryRun;
        return;
      case 'play-start':
        playViews.get(e.play)?.resolveStart();
        return;
      case 'phase':
        // no new step starts after an interrupt: the list must not wait for them before it shows the revert
        // (rescue and always steps still run, and handlers' and undo's views stay)
        // (a block whose steps began is left alone: finishing it would finish the step running in it)
        if (e.phase === 'interrupted') for (const v of views.values()) if (!v.begun && !v.runsAfterInterrupt) v.finish();
        return;
      case 'step-start': {
        const v = viewFor(e);
        if (!v) return;
        // an undo step runs after the steps of its scope: they are over, and the list moves on to the undo
        if (e.phase !== 'handler') finishOutside(v);
        if (v.started === 0) v.started = Date.now();
        // this view and every block around it have started
        for (let p: StepView | undefined = v; p; p = p.parent) p.markStarted();
        if (!open.includes(v)) open.push(v);
        current = v;
        runningIn.set(e.stepId, v);
        runningOn.set(e.host, v);
        if (e.phase === 'undo' || e.phase === 'handler') {
          v.latest = `${e.host}: ${e.name}`;
          refresh(v);
        }
        return;
      }
      case 'step-output':
      case 'step-progress': {
        const v = runningIn.get(e.stepId) ?? views.get(e.stepId) ?? current;
        if (!v) return;
        v.latest = `${e.host}: ${e.type === 'step-output' ? e.line : e.message}`;
        refresh(v);
        return;
      }
      case 'transport': {
        const v = runningOn.get(e.host);
        const text = transportLine(e.event, verbosity);
        if (!v || text === undefined) return;
        v.latest = `${e.host}: ${text}`;
        refresh(v);
        return;
      }
      case 'subtask': {
        const v = runningIn.get(e.stepId) ?? views.get(e.stepId) ?? current;
        if (!v) return;
        v.subtasks.set(`${e.host}/${e.id}`, { title: e.title, status: e.status, message: e.message });
        refresh(v);
        return;
      }
      case 'step-end': {
        const v = viewFor(e);
        if (!v) return;
        const own = v.id === e.stepId || e.phase === 'undo' || e.phase === 'handler';
        const prev = v.hosts.get(e.host);
        // a view's marks come from its own step-end; steps nested deeper only add failures
        if (own || !prev || (e.status === 'failed' && !e.ignored)) {
          const msg = ('plan' in e.outcome ? e.outcome.plan : undefined) ?? outcomeMessage(e.outcome);
          if (!(prev?.status === 'failed' && !own && e.status !== 'failed')) v.hosts.set(e.host, { status: e.outcome.kind, msg, ignored: e.ignored });
        }
        v.durationMs = Date.now() - v.started;
        if (runningOn.get(e.host) === v) runningOn.delete(e.host);
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
        finishAll();
        return;
      case 'warning': {
        const v = (e.stepId ? runningIn.get(e.stepId) ?? views.get(e.stepId) : undefined) ?? current;
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

  const notice = (text: string): void => {
    notices.push(text);
    live?.update();
  };
  const abandon = (): void => {
    clearInterval(heartbeat);
    if (timer) clearTimeout(timer);
    live?.end();
    record.status ??= 'interrupted';
    write(lastScreen());
  };
  return { sink, done, notice, abandon };
}
