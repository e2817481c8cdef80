// `run` and `dryRun`: load the request, plan it (hosts × steps), check what can refuse it before any
// connection is opened (--start-at-step, undo steps an earlier run left open on the same targets), open
// the journal and the services, check every SSH host key at once, then run the executor with the events
// going to the journal and to the caller's sink. In two steps (prepare, start) for callers that show
// something between them (the task list starts only once the host keys are known to be good).

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runPlaybook, type ResumeState, type RunSummary } from '../engine/executor.js';
import type { RunEvent, TransportEvent } from '../engine/events.js';
import type { Inventory } from '../inventory/types.js';
import { Journal } from '../journal/journal.js';
import type { Playbook } from '../loader/ast.js';
import { selectionProblems } from '../loader/check-selection.js';
import { planRun, type RunPlan } from '../planner/plan.js';
import { runTargets } from '../planner/targets.js';
import { SecretRegistry } from '../secrets/masker.js';
import { isSecretName } from '../secrets/names.js';
import { stepRegistry } from '../steps/registry.js';
import type { RunServices } from '../steps/types.js';
import { UsageError } from './errors.js';
import { loadRequest } from './input.js';
import { checkNoOpenRuns } from './journal-guard.js';
import { openServices } from './services.js';
import type { AppEnvironment, RunHooks, RunRequest } from './types.js';

export interface PreparedRun {
  readonly runId: string;
  readonly playbook: Playbook;
  readonly inventory: Inventory;
  readonly plan: RunPlan;
  readonly secrets: SecretRegistry;
  readonly services: RunServices;
  /** The journal file, when the run is journaled. */
  readonly journalPath: string | undefined;
  /** Runs the playbook; the services and the journal are closed when it ends. */
  start(hooks?: RunHooks): Promise<RunSummary>;
  /** A forced exit (the run cannot finish its undo steps): recorded in the journal, which is closed. */
  abandon(signal: string, open: number): void;
  /** Closes what prepare opened, for a run that will not start; the journal records why (a run refused, not crashed). */
  close(refusal?: string): Promise<void>;
}

/** A journaled run being continued (`resume`). */
interface Continuation {
  readonly runId: string;
  readonly state: ResumeState;
}

export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `${t}-${randomBytes(2).toString('hex')}`;
}

export async function prepareRun(request: RunRequest, env: AppEnvironment = {}, resume?: Continuation): Promise<PreparedRun> {
  const secrets = env.secrets ?? new SecretRegistry();
  const environment = { ...env, secrets };
  const input = loadRequest(request, environment, true);
  const steps = env.steps ?? stepRegistry;
  // --start-at-step, --tags and --skip-tags must name steps and tags the playbook has
  const unmatched = selectionProblems(input.playbook, request);
  if (unmatched.length > 0) throw new UsageError(unmatched.join('\n'));
  const plan = planRun(input.playbook.plays, input.inventory, steps, request.limit);
  const runId = resume?.runId ?? request.runId ?? newRunId();
  const inventoryPath = request.inventory === undefined ? null : typeof request.inventory === 'string' ? resolve(request.inventory) : request.inventory.file;
  // checks that can refuse the run come first, before any connection is opened
  let journal: Journal | undefined;
  if (request.journalDir !== undefined) {
    const targets = runTargets(plan, input.inventory);
    // a dry run changes nothing: it is journaled (its plan) but neither refused nor counted by the guard
    if (!request.force && !request.dryRun) checkNoOpenRuns(request.journalDir, targets, inventoryPath, resume?.runId);
    journal = openJournal(request.journalDir, runId, secrets);
    if (!resume) journal.header({
      runId, playbook: typeof request.playbook === 'string' ? (existsSync(request.playbook) ? resolve(request.playbook) : request.playbook) : request.playbook.file,
      inventory: inventoryPath, extraArgs: maskExtraArgs(request.extraArgs ?? []), cwd: process.cwd(), started: new Date().toISOString(),
      ...(request.force ? { forced: true } : {}), ...(request.dryRun ? { dryRun: true } : {}), targets,
      options: {
        ...(request.limit !== undefined ? { limit: request.limit } : {}), ...(request.tags ? { tags: request.tags } : {}),
        ...(request.skipTags ? { skipTags: request.skipTags } : {}), ...(request.startAtStep !== undefined ? { startAtStep: request.startAtStep } : {}),
        ...(request.forks !== undefined ? { forks: request.forks } : {}),
      },
    });
  }
  const services = openServices(input.inventory, secrets, environment, {
    ...(request.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}),
    // async job ids go to the journal as they are submitted, so a resumed run can wait for them
    record: (kind, data) => {
      if (kind === 'job' && typeof data.key === 'string' && typeof data.jobid === 'string') {
        journal?.write({ t: 'job', key: data.key, jobid: data.jobid, command: String(data.command ?? '') }, true);
      }
    },
    ...(resume ? { priorJobs: resume.state.jobs } : {}),
  });
  const close = async (refusal?: string): Promise<void> => {
    await services.close().catch(() => undefined);
    // refused before anything ran: the journal says so, instead of looking like a crashed run forever
    if (refusal !== undefined) journal?.write({ t: 'refused', msg: refusal }, true);
    journal?.close();
  };
  const why = (err: unknown): string => (err instanceof Error ? err.message : String(err));
  // what the connections say while their host keys are checked joins the run's events after run-start
  const prelude: Array<{ host: string; event: TransportEvent }> = [];
  const stopObserving = services.observe?.((host, event) => prelude.push({ host, event }));
  try {
    // unknown or changed host keys fail here, for every host at once, before anything runs
    await services.preflight?.(plan.ssh);
  } catch (err) {
    // whatever failed (a host key), no connection may keep the process alive
    await close(why(err));
    throw err;
  } finally {
    stopObserving?.();
  }
  const dryRun = request.dryRun ?? false;
  return {
    runId, playbook: input.playbook, inventory: input.inventory, plan, secrets, services, journalPath: journal?.path,
    async start(hooks: RunHooks = {}): Promise<RunSummary> {
      let started = false;
      let refusal: string | undefined;
      const sink = (e: RunEvent): void => {
        if (e.type === 'run-start') started = true;
        journal?.sink(e);
        hooks.sink?.(e);
      };
      try {
        return await runPlaybook({
          runId, playbook: input.playbook, inventory: input.inventory, steps, extraVars: input.extraVars, plan, dryRun,
          forks: request.forks ?? 10, secrets, services, sink, prelude, ...(request.confirmWrites && !dryRun ? { confirmWrites: true } : {}),
          ...(hooks.signal ? { interrupt: hooks.signal } : {}), ...(env.clock ? { clock: env.clock } : {}),
          ...(request.limit !== undefined ? { limit: request.limit } : {}), ...(request.tags ? { tags: request.tags } : {}),
          ...(request.skipTags ? { skipTags: request.skipTags } : {}), ...(request.startAtStep !== undefined ? { startAt: request.startAtStep } : {}),
          // a dry run's obligations are predictions: only real runs journal them (for recover and resume)
          ...(journal && !dryRun ? { journal } : env.journal && !dryRun ? { journal: env.journal } : {}),
          ...(resume ? { resume: resume.state } : {}),
        });
      } catch (err) {
        if (!started) refusal = why(err);
        throw err;
      } finally {
        await close(refusal);
      }
    },
    abandon(signal: string, open: number): void {
      journal?.write({ t: 'forced', signal, open });
      journal?.close();
    },
    close,
  };
}

/** Prepares and starts a run. */
export async function run(request: RunRequest, env: AppEnvironment & RunHooks = {}): Promise<RunSummary & { readonly runId: string; readonly journalPath: string | undefined }> {
  const prepared = await prepareRun(request, env);
  const summary = await prepared.start(env);
  return { ...summary, runId: prepared.runId, journalPath: prepared.journalPath };
}

/** A run that changes nothing: reads run for real, writes are predicted. */
export function dryRun(request: RunRequest, env: AppEnvironment & RunHooks = {}): ReturnType<typeof run> {
  return run({ ...request, dryRun: true }, env);
}

function openJournal(dir: string, runId: string, secrets: SecretRegistry): Journal {
  try {
    return new Journal(dir, runId, secrets);
  } catch (err) {
    throw new UsageError(`cannot write the run journal in ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (use --journal-dir or STACKPLAY_JOURNAL_DIR)`);
  }
}

/** -e values recorded in the journal: values of secret-looking names are masked (the journal never holds a secret). */
export function maskExtraArgs(args: readonly string[]): string[] {
  return args.map((a) => {
    const eq = a.indexOf('=');
    if (a.startsWith('@') || eq <= 0) return a;
    return isSecretName(a.slice(0, eq)) ? `${a.slice(0, eq)}=***` : a;
  });
}
