// `resume`: continue an interrupted run from its journal — the same playbook, inventory, variables and
// selection — skipping the steps it finished, adopting the undo obligations it left open and waiting
// for the async jobs it submitted instead of submitting them again.

import type { ResumeState, RunSummary } from '../engine/executor.js';
import { findRun, type RunSummaryInfo } from '../journal/read.js';
import { UsageError } from './errors.js';
import { prepareRun, type PreparedRun } from './run.js';
import type { AppEnvironment, RunHooks } from './types.js';

export interface JournalRequest {
  readonly journalDir: string;
  /** A run id or its prefix; default: the last run that was not a dry run. */
  readonly runId?: string;
}

export type PreparedResume =
  | { readonly kind: 'finished'; readonly runId: string }
  | { readonly kind: 'resumable'; readonly prepared: PreparedRun };

export async function prepareResume(request: JournalRequest, env: AppEnvironment = {}): Promise<PreparedResume> {
  const { journalDir: dir, runId: id } = request;
  const r = findRun(dir, id, true);
  if (!r || !r.header) throw new UsageError(id ? `no run '${id}' in ${dir}` : `no runs in ${dir}`);
  if (r.header.dryRun === true) throw new UsageError(`run ${r.runId} was a dry run: start it again (stackplay run ${r.header.playbook} …) rather than resuming it`);
  if (r.status === 'ok') return { kind: 'finished', runId: r.runId };
  const h = r.header;
  const opt = h.options ?? {};
  const prepared = await prepareRun({
    playbook: h.playbook, ...(h.inventory ? { inventory: h.inventory } : {}),
    // masked -e values cannot be given again; @files are read again
    extraArgs: h.extraArgs.filter((a) => !a.includes('***')), journalDir: dir,
    // the resumed run selects the same hosts and steps as the interrupted one
    ...(opt.limit !== undefined ? { limit: opt.limit } : {}), ...(opt.tags ? { tags: [...opt.tags] } : {}),
    ...(opt.skipTags ? { skipTags: [...opt.skipTags] } : {}), ...(opt.forks !== undefined ? { forks: opt.forks } : {}),
  }, env, { runId: r.runId, state: resumeStateOf(r) });
  return { kind: 'resumable', prepared };
}

export async function resume(request: JournalRequest, env: AppEnvironment & RunHooks = {}): Promise<{ readonly kind: 'finished'; readonly runId: string } | ({ readonly kind: 'resumed'; readonly runId: string } & RunSummary)> {
  const p = await prepareResume(request, env);
  if (p.kind === 'finished') return p;
  return { kind: 'resumed', runId: p.prepared.runId, ...(await p.prepared.start(env)) };
}

/** What `resume` needs from an interrupted run's journal. */
function resumeStateOf(r: RunSummaryInfo): ResumeState {
  const completed = new Set<string>();
  let resumes = 0;
  for (const rec of r.records) {
    if (rec.t === 'event' && rec.e.type === 'step-end' && rec.e.phase === 'main' && ['ok', 'changed', 'skipped'].includes(rec.e.status) && !rec.e.ignored) {
      completed.add(`${rec.e.stepId}@${rec.e.host}`);
    }
    if (rec.t === 'event' && rec.e.type === 'run-start') resumes += 1;
  }
  return {
    completed,
    registered: r.registered,
    obligations: r.open.map((o) => ({ id: o.id, stepId: o.stepId, host: o.host, result: o.result, ...(o.vars ? { vars: o.vars } : {}), ...(o.deadman ? { deadman: o.deadman } : {}) })),
    idPrefix: `r${resumes}-`,
    jobs: r.jobs,
  };
}
