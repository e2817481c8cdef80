// Async-job polling (docs/cloudstack-facts.md §7): queryAsyncJobResult with a growing interval until jobstatus
// leaves 0; status 1 returns jobresult, 2/3 become CloudStackJobError (recognising jobs lost in a
// management-server restart). Waiting has a deadline, unlike cloudstack-sysvmadm.
import { CloudStackJobError, CloudStackJobTimeoutError, CloudStackResponseError } from './errors.js';
import { toJobStatus, type JsonObject } from './response.js';
import type { AsyncJobStatus, CallMode, CloudStackEvent, PollPolicy } from './types.js';

// A first poll soon after submission catches fast jobs (a few extra cheap polls on slow ones), then backs off
// to every 2 s (as python3-cs polls): a rolling window holds a slot until its job is seen done.
export const DEFAULT_POLL: PollPolicy = { initialMs: 100, maxMs: 2000, factor: 2 };
const DEFAULT_JOB_TIMEOUT_MS = 30 * 60 * 1000;

interface JobDeps {
  readonly endpoint: string;
  readonly query: (jobid: string, mode: CallMode | undefined) => Promise<JsonObject>;
  readonly clock: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly poll: PollPolicy;
  readonly emit: (e: CloudStackEvent) => void;
}

interface JobWait {
  readonly jobid: string;
  /** The API command for messages; falls back to the job's Java class name. */
  readonly command?: string;
  readonly timeoutMs?: number;
  readonly onProgress?: (job: AsyncJobStatus) => void;
  readonly mode?: CallMode;
}

function commandName(wait: JobWait, job: AsyncJobStatus | undefined): string {
  if (wait.command) return wait.command;
  const cls = job?.cmd?.split('.').pop();
  return cls ?? 'async job';
}

export async function waitForJob(deps: JobDeps, wait: JobWait): Promise<JsonObject> {
  const started = deps.clock();
  const timeoutMs = wait.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  let delay = deps.poll.initialMs;
  for (let polls = 1; ; polls++) {
    const response = await deps.query(wait.jobid, wait.mode);
    const job = toJobStatus(response, wait.jobid);
    if (!job) {
      throw new CloudStackResponseError(
        deps.endpoint,
        commandName(wait, undefined),
        200,
        `queryAsyncJobResult for job ${wait.jobid} has no jobstatus`,
        `queryAsyncJobResult jobid=${wait.jobid}`,
      );
    }
    const command = commandName(wait, job);
    deps.emit({ type: 'job-poll', endpoint: deps.endpoint, command, jobid: wait.jobid, jobstatus: job.jobstatus, polls });
    wait.onProgress?.(job);
    if (job.jobstatus === 1 && job.jobresultcode === 0) return job.jobresult ?? {};
    if (job.jobstatus !== 0) {
      const result = job.jobresult;
      const errortext = typeof result?.['errortext'] === 'string' ? result['errortext'] : undefined;
      const errorcode = typeof result?.['errorcode'] === 'number' ? result['errorcode'] : undefined;
      throw new CloudStackJobError(
        deps.endpoint,
        command,
        wait.jobid,
        job.jobstatus,
        job.jobresultcode,
        errortext,
        errorcode,
        result !== undefined,
      );
    }
    const waited = deps.clock() - started;
    if (waited >= timeoutMs) throw new CloudStackJobTimeoutError(deps.endpoint, command, wait.jobid, waited);
    // Never sleep past the deadline by much: the last poll happens at (about) the deadline.
    await deps.sleep(Math.max(0, Math.min(delay, timeoutMs - waited)));
    delay = Math.min(deps.poll.maxMs, Math.round(delay * deps.poll.factor));
  }
}
