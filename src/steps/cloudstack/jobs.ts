// CloudStack async jobs as steps use them: submitted once per step, host and parameters across runs (a
// resumed run reattaches to the job the interrupted run journaled instead of submitting it again), and
// waited for through management-server restarts until the deadline — a job that died in the restart
// then fails with the client's "lost in a management-server restart" error.

import { createHash } from 'node:crypto';
import { CloudStackConnectionError, CloudStackJobTimeoutError, CloudStackResponseError } from '../../cloudstack/errors.js';
import { isSecretParam } from '../../cloudstack/redact.js';
import type { CloudStackClient, Params } from '../../cloudstack/types.js';
import { Budget } from '../../util/budget.js';
import { formatDuration } from '../../util/durations.js';
import { StepFailedError, type StepContext } from '../types.js';

/** What job handling needs of a step's context: who submits (the key), the journal, and the clock. */
export type JobContext = Pick<StepContext, 'stepId' | 'hostName' | 'services' | 'sleep' | 'signal'>;

export interface JobWait {
  readonly command: string;
  readonly timeoutMs: number;
  /** Shown with the elapsed time while the job runs. */
  readonly what: string;
  readonly onProgress?: (message: string) => void;
}

export type Submission =
  /** Waited for to the end: the job's result (`resumed`: the interrupted run had submitted it). */
  | { readonly kind: 'job'; readonly jobid: string; readonly result: Record<string, unknown>; readonly resumed: boolean }
  /** Submitted and not waited for (`wait: false`). */
  | { readonly kind: 'submitted'; readonly jobid: string; readonly response: Record<string, unknown> }
  /** The answer had no job id: the command was not asynchronous. */
  | { readonly kind: 'answer'; readonly response: Record<string, unknown> };

/**
 * The one submit-or-reattach: a job the interrupted run journaled under this submission's key is waited
 * for, not submitted again; otherwise the command is sent, a job id in the answer is journaled at once
 * (before any waiting, so a crash right after still leaves it for `resume`) and waited for.
 */
export async function submitOrReattach(ctx: JobContext, client: CloudStackClient, params: Params, w: JobWait & { readonly wait?: boolean }): Promise<Submission> {
  const waiting = w.wait !== false;
  const key = jobKey(ctx, client.endpoint.name, w.command, params);
  const budget = new Budget(ctx, w.timeoutMs);
  const progress = (status: string): void => w.onProgress?.(`${w.what}: ${status} (${formatDuration(budget.elapsedMs)})`);
  const prior = waiting ? ctx.services.priorJob?.(key) : undefined;
  if (prior !== undefined) {
    progress(`reattaching to job ${prior} submitted before the interruption`);
    return { kind: 'job', jobid: prior, result: await poll(ctx, client, prior, w, budget, progress), resumed: true };
  }
  const response = await client.call(w.command, params);
  const jobid = response['jobid'];
  if (typeof jobid !== 'string' || jobid === '' || w.command.toLowerCase() === 'queryasyncjobresult') return { kind: 'answer', response };
  if (!waiting) return { kind: 'submitted', jobid, response };
  ctx.services.record('job', { key, endpoint: client.endpoint.name, command: w.command, jobid });
  progress(`job ${jobid} submitted`);
  return { kind: 'job', jobid, result: await poll(ctx, client, jobid, w, budget, progress), resumed: false };
}

/** Submits an async command and waits for its job; an answer without a job id is an error here. */
export async function runJob(ctx: JobContext, client: CloudStackClient, params: Params, w: JobWait): Promise<{ jobid: string; result: Record<string, unknown> }> {
  const s = await submitOrReattach(ctx, client, params, w);
  if (s.kind !== 'job') {
    throw new CloudStackResponseError(client.endpoint.name, w.command, 200, `no jobid in the response: is ${w.command} asynchronous?`, w.command);
  }
  return { jobid: s.jobid, result: s.result };
}

/** Identifies one submission across runs: step, host, endpoint, command and parameters. */
export function jobKey(ctx: Pick<StepContext, 'stepId' | 'hostName'>, endpoint: string, command: string, params: Params): string {
  // secret values stay out even of the hash (a short password could be guessed back from it); the rest is
  // hashed so that values never reach the journal and masking cannot break the match
  const sorted = Object.keys(params).sort().map((k) => `${k}=${isSecretParam(k) ? '***' : String(params[k])}`).join('&');
  return `${ctx.stepId}@${ctx.hostName}|${endpoint}|${command}|${createHash('sha256').update(sorted).digest('hex').slice(0, 32)}`;
}

/** Waits for a job submitted some other way (e.g. one listed by upgradeRouterTemplate). */
export async function waitJob(ctx: JobContext, client: CloudStackClient, jobid: string, w: JobWait): Promise<Record<string, unknown>> {
  const budget = new Budget(ctx, w.timeoutMs);
  const progress = (status: string): void => w.onProgress?.(`${w.what}: ${status} (${formatDuration(budget.elapsedMs)})`);
  ctx.services.record('job', { endpoint: client.endpoint.name, command: w.command, jobid });
  return poll(ctx, client, jobid, w, budget, progress);
}

/** Polls the job until it ends; a lost connection (a management-server restart) is waited out until the deadline. */
async function poll(ctx: JobContext, client: CloudStackClient, jobid: string, w: JobWait, budget: Budget, progress: (s: string) => void): Promise<Record<string, unknown>> {
  for (;;) {
    try {
      return await client.waitForJob(jobid, {
        command: w.command,
        timeoutMs: Math.max(1, w.timeoutMs - budget.elapsedMs),
        onProgress: (job) => progress(job.jobstatus === 0 ? `job ${jobid} running` : `job ${jobid} finished`),
      });
    } catch (err) {
      if (!(err instanceof CloudStackConnectionError)) throw err;
      if (budget.expired) throw new CloudStackJobTimeoutError(client.endpoint.name, w.command, jobid, budget.elapsedMs);
      progress(`management server not answering (${err.code}); still waiting for job ${jobid}`);
      if (!(await budget.sleep(5000))) throw new StepFailedError(`interrupted while waiting for job ${jobid} (${w.command}); the job may still finish`);
    }
  }
}
