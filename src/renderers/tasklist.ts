// The live task list on a terminal (listr2): play → step, with per-host marks, the latest output
// line, per-VM subtasks (failures stay visible, finished ones are counted), durations, and the recap.
// The tree is built up front from the playbook; executor events fill it in as they arrive.

import type { Playbook } from '../loader/ast.js';
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

  const refresh = (v: StepView): void => {
    if (!v.task) return;
    const counts = new Map<StepStatus, number>();
    for (const h of v.hosts.values()) counts.set(h.status, (counts.get(h.status) ?? 0) + 1);
    const summary = [...counts].map(([st, n]) => (v.hosts.size === 1 ? st : `${st} ${n}`)).join(', ');
    const time = v.done && v.durationMs >= 100 ? s.dim(` ${formatDuration(v.durationMs)}`) : '';
    const status = summary ? s.dim(` [${dryRun && summary.startsWith('changed') ? summary.replace('changed', 'would change') : summary}]`) : '';
    v.task.title = `${v.title}${status}${time}`;
    const lines: string[] = [];
    const subs = [...v.subtasks.values()];
    if (subs.length > 0) {
      const failed = subs.filter((x) => x.status === 'failed');
      const running = subs.filter((x) => x.status === 'running');
      const fin = subs.filter((x) => x.status === 'ok' || x.status === 'changed' || x.status === 'skipped').length;
      lines.push(`${fin}/${subs.length} done${failed.length ? s.red(`, ${failed.length} failed`) : ''}${running.length ? `, ${running.length} running` : ''}`);
      for (const f of failed.slice(0, MAX_SUBTASK_LINES)) lines.push(s.red(`✖ ${f.title}${f.message ? `: ${f.message}` : ''}`));
      for (const r of running.slice(0, Math.max(0, MAX_SUBTASK_LINES - failed.length))) lines.push(`… ${r.title}${r.message ? `: ${r.message}` : ''}`);
    }
    for (const [host, h] of v.hosts) if (h.status === 'failed' || h.status === 'unreachable') lines.push(s.red(`${host}: ${h.msg ?? h.status}${h.ignored ? ' (ignored)' : ''}`));
    if (!v.done && v.latest) lines.push(s.dim(v.latest));
    v.task.output = lines.length ? lines.join('\n') : undefined;
  };

  const stepTask = (v: StepView) => ({
    title: v.title,
    rendererOptions: { outputBar: Infinity, persistentOutput: true },
    task: async (_ctx: unknown, task: ListrTaskLike): Promise<void> => {
      v.task = task;
      refresh(v);
      await v.finished;
      refresh(v);
      const statuses = [...v.hosts.values()];
      if (statuses.length === 0) return task.skip(`${v.title} ${s.dim('[not run]')}`);
      if (statuses.every((h) => h.status === 'skipped')) return task.skip(`${v.title} ${s.dim('[skipped]')}`);
      const bad = statuses.filter((h) => (h.status === 'failed' || h.status === 'unreachable') && !h.ignored);
      if (bad.length > 0) throw new Error(task.title ?? v.title);
    },
  });

  const tasks = playbook.plays.map((play) => {
    const pv = playViews.get(play.index)!;
    return {
      title: play.name,
      task: async (_ctx: unknown, task: { newListr: (t: unknown[], o: unknown) => unknown }) => {
        await pv.started;
        return task.newListr([...pv.steps, pv.undo].map(stepTask), { concurrent: false, exitOnError: false });
      },
    };
  });

  const listr = new Listr(tasks as never, {
    concurrent: false,
    exitOnError: false,
    renderer: 'default',
    rendererOptions: { collapseSubtasks: true, collapseErrors: false, showErrorMessage: true },
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
