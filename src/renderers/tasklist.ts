// The live task list on a terminal (listr2): play → step, with per-host marks, the latest output
// line, per-VM subtasks (failures stay visible, finished ones are counted), durations, and the recap.
// The tree is built up front from the playbook; executor events fill it in as they arrive.

import type { Playbook, Step } from '../loader/ast.js';
import type { RunEvent, StepStatus } from '../engine/events.js';
import { formatDuration } from '../loader/durations.js';
import { formatRecap } from './recap.js';
import type { Styler } from './style.js';

interface ListrTaskLike {
  title: string | undefined;
  output: string | undefined;
  skip(message?: string): void;
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

  constructor(readonly title: string) {}

  finish(): void {
    if (!this.done) {
      this.done = true;
      this.resolveDone();
    }
  }
}

function hasUndo(steps: readonly Step[]): boolean {
  return steps.some((st) => st.undo.length > 0 || (st.kind === 'block' && hasUndo([...st.block, ...st.rescue, ...st.always])));
}

export interface TaskListRenderer {
  readonly sink: (e: RunEvent) => void;
  /** Resolves when the task list has finished drawing. */
  readonly done: Promise<void>;
}

const MAX_SUBTASK_LINES = 8;

export async function taskListRenderer(playbook: Playbook, s: Styler, write: (t: string) => void): Promise<TaskListRenderer> {
  const { Listr } = await import('listr2');
  const views = new Map<string, StepView>();
  const playViews = new Map<number, { steps: StepView[]; undo: StepView; ended: boolean; resolveStart: () => void; started: Promise<void> }>();
  let dryRun = false;
  let recapText = '';

  for (const play of playbook.plays) {
    const steps = play.steps.map((st) => {
      const v = new StepView(st.name);
      views.set(st.id, v);
      return v;
    });
    if (play.handlers.length > 0) {
      const h = new StepView('handlers');
      views.set(`${play.index}.handlers`, h);
      steps.push(h);
    }
    let resolveStart!: () => void;
    const started = new Promise<void>((r) => (resolveStart = r));
    playViews.set(play.index, { steps, undo: new StepView('undo (revert changes)'), ended: false, resolveStart, started });
  }

  const viewFor = (stepId: string, phase: string): StepView | undefined => {
    const parts = stepId.split('.');
    const play = Number(parts[0]);
    if (phase === 'undo') return playViews.get(play)?.undo;
    if (phase === 'handler') return views.get(`${play}.handlers`);
    return views.get(`${parts[0]}.${parts[1]}`);
  };

  const subtaskSummary = (v: StepView): string => {
    const subs = [...v.subtasks.values()];
    if (subs.length === 0) return '';
    const failed = subs.filter((x) => x.status === 'failed').length;
    const running = subs.filter((x) => x.status === 'running').length;
    const fin = subs.filter((x) => x.status === 'ok' || x.status === 'changed' || x.status === 'skipped').length;
    return ` ${fin}/${subs.length} done${failed ? s.red(`, ${failed} failed`) : ''}${running ? `, ${running} running` : ''}`;
  };

  const refresh = (v: StepView): void => {
    if (!v.task) return;
    const counts = new Map<StepStatus, number>();
    for (const h of v.hosts.values()) counts.set(h.status, (counts.get(h.status) ?? 0) + 1);
    let summary = [...counts].map(([st, n]) => (v.hosts.size === 1 ? st : `${st} ${n}`)).join(', ');
    if (dryRun) summary = summary.replace('changed', 'would change');
    const time = v.done && v.durationMs >= 100 ? s.dim(` ${formatDuration(v.durationMs)}`) : '';
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

  const stepTask = (v: StepView) => ({
    title: v.title,
    rendererOptions: { outputBar: true, persistentOutput: false },
    task: async (_ctx: unknown, task: ListrTaskLike): Promise<void> => {
      v.task = task;
      refresh(v);
      await v.finished;
      refresh(v);
      const statuses = [...v.hosts.values()];
      if (statuses.length === 0) return task.skip(`${v.title} ${s.dim('[not run]')}`);
      if (statuses.every((h) => h.status === 'skipped')) return task.skip(`${v.title} ${s.dim('[skipped]')}`);
      const bad = statuses.filter((h) => (h.status === 'failed' || h.status === 'unreachable') && !h.ignored);
      if (bad.length > 0) throw new Error(failureText(v) || v.title);
    },
  });

  const tasks = playbook.plays.map((play) => {
    const pv = playViews.get(play.index)!;
    return {
      title: play.name,
      task: async (_ctx: unknown, task: { newListr: (t: unknown[], o: unknown) => unknown }) => {
        await pv.started;
        const views = hasUndo(play.steps) ? [...pv.steps, pv.undo] : pv.steps;
        return task.newListr(views.map(stepTask), { concurrent: false, exitOnError: false });
      },
    };
  });

  const listr = new Listr(tasks as never, {
    concurrent: false,
    exitOnError: false,
    renderer: 'default',
    rendererOptions: { collapseSubtasks: true, collapseErrors: false, showErrorMessage: true, removeEmptyLines: true },
  });
  const done = listr.run().then(
    () => write(`\n${recapText}\n`),
    () => write(`\n${recapText}\n`),
  );

  let current: StepView | undefined;
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
        if (current && current !== v && e.phase === 'main') {
          current.finish();
          refresh(current);
        }
        if (v.started === 0) v.started = Date.now();
        current = v;
        return;
      }
      case 'step-output':
      case 'step-progress': {
        const v = current;
        if (!v) return;
        v.latest = `${e.host}: ${e.type === 'step-output' ? e.line : e.message}`;
        refresh(v);
        return;
      }
      case 'subtask': {
        const v = current;
        if (!v) return;
        v.subtasks.set(`${e.host}/${e.id}`, { title: e.title, status: e.status, message: e.message });
        refresh(v);
        return;
      }
      case 'step-end': {
        const v = viewFor(e.stepId, e.phase);
        if (!v) return;
        const top = e.stepId.split('.').length === 2 || e.phase === 'undo' || e.phase === 'handler';
        if (top || !v.hosts.has(e.host) || e.status === 'failed') {
          const prev = v.hosts.get(e.host);
          if (!(prev && prev.status === 'failed' && e.status !== 'failed' && !top)) {
            v.hosts.set(e.host, { status: e.status, msg: e.plan ?? e.msg, ignored: e.ignored });
          }
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
        current = undefined;
        return;
      }
      case 'run-end':
        recapText = formatRecap(e.recap, e.status, e.durationMs, dryRun, s);
        for (const pv of playViews.values()) {
          pv.resolveStart();
          for (const v of pv.steps) v.finish();
          pv.undo.finish();
        }
        return;
      case 'warning':
        if (current) {
          current.latest = s.yellow(`warning: ${e.message}`);
          refresh(current);
        }
        return;
      default:
        return;
    }
  };
  return { sink, done };
}
