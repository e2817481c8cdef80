// Async jobs: submission returns a job id at once; the job's work runs on lab time and ends in status 1
// or 2. Each job runs on the management server that accepted it (its msid). A server that stops leaves its
// jobs pending; its next start fails them (AsyncJobManagerImpl.start → cleanupLeftOverJobs(own msid)).

import type { LabTime, TimerHandle } from '../clock.js';
import { seededUuid } from '../ids.js';
import type { Caller } from '../api/types.js';
import type { JsonObject } from '../api/render/compact.js';
import type { World } from '../world/world.js';

export type JobOutcome =
  | { readonly ok: true; readonly result: JsonObject }
  | { readonly ok: false; readonly code: number; readonly text: string };

export interface JobControl {
  /** Waits lab time; never resolves once the job's server stopped. */
  sleep(labMs: number): Promise<void>;
}

export interface JobSpec {
  /** API command name (for logs and faults). */
  readonly command: string;
  /** Java class reported as `cmd`. */
  readonly cmdClass: string;
  readonly caller: Caller;
  readonly instanceType?: string | undefined;
  readonly instanceId?: string | undefined;
  readonly work: (ctl: JobControl) => Promise<JobOutcome>;
}

/** The server that takes a job: its msid, and why it would refuse new jobs (a shutdown under way). */
export interface JobSubmitter {
  readonly msid: number;
  refusal(): Error | undefined;
}

export interface Job {
  readonly id: string;
  readonly internalId: number;
  readonly command: string;
  readonly cmdClass: string;
  readonly caller: Caller;
  readonly instanceType?: string | undefined;
  readonly instanceId?: string | undefined;
  status: 0 | 1 | 2 | 3;
  resultCode: number;
  result?: JsonObject | undefined;
  readonly created: number;
  completed?: number | undefined;
  /** async_job.job_init_msid: the server that accepted the job. */
  readonly initMsid: number;
  /** async_job.job_executing_msid: cleared when the job completes, kept when a restart cancels it. */
  executingMsid: number | undefined;
  /** Set while the job's server is down: its work makes no progress. */
  orphaned: boolean;
}

export class JobEngine {
  private readonly jobs = new Map<string, Job>();
  private readonly byInternal = new Map<number, Job>();
  private readonly timers = new Map<string, Set<TimerHandle>>();
  private counter = 0;
  private submitter: JobSubmitter | undefined;
  /** Who takes jobs submitted outside an API call (background jobs): set by the cluster. */
  fallbackSubmitter: () => JobSubmitter | undefined = () => undefined;

  constructor(
    private readonly time: LabTime,
    private readonly world: World,
    private readonly onDone: (job: Job) => void,
  ) {}

  /** Runs fn with `server` as the one that accepts the jobs fn submits (API calls are synchronous). */
  as<T>(server: JobSubmitter, fn: () => T): T {
    const prev = this.submitter;
    this.submitter = server;
    try {
      return fn();
    } finally {
      this.submitter = prev;
    }
  }

  submit(spec: JobSpec): Job {
    const by = this.submitter ?? this.fallbackSubmitter();
    // AsyncJobManagerImpl.submitAsyncJob → checkShutdown(): a draining server takes no job.
    const refused = by?.refusal();
    if (refused) throw refused;
    const n = ++this.counter;
    const msid = by?.msid ?? this.world.ms.msid;
    const job: Job = {
      id: seededUuid(this.world.seed, `job:${n}`), internalId: n, command: spec.command, cmdClass: spec.cmdClass,
      caller: spec.caller, instanceType: spec.instanceType, instanceId: spec.instanceId, status: 0, resultCode: 0,
      created: this.time.now(), initMsid: msid, executingMsid: msid, orphaned: false,
    };
    this.jobs.set(job.id, job);
    this.byInternal.set(n, job);
    const handles = new Set<TimerHandle>();
    this.timers.set(job.id, handles);
    const ctl: JobControl = {
      sleep: (labMs) =>
        new Promise<void>((resolve) => {
          if (job.orphaned) return;
          const h = this.time.after(labMs, () => {
            handles.delete(h);
            resolve();
          });
          handles.add(h);
        }),
    };
    // Run the work on the next turn so the submission response always precedes any state change.
    const start = this.time.after(0, () => {
      handles.delete(start);
      spec.work(ctl).then(
        (outcome) => this.finish(job, outcome),
        (err: unknown) => this.finish(job, { ok: false, code: 530, text: err instanceof Error ? err.message : String(err) }),
      );
    });
    handles.add(start);
    return job;
  }

  private finish(job: Job, outcome: JobOutcome): void {
    if (job.orphaned || job.status !== 0) return;
    job.completed = this.time.now();
    // completeAsyncJob: the executing msid is cleared, so managementserverid disappears from the job.
    job.executingMsid = undefined;
    if (outcome.ok) {
      job.status = 1;
      job.resultCode = 0;
      job.result = outcome.result;
    } else {
      job.status = 2;
      job.resultCode = outcome.code;
      job.result = { errorcode: outcome.code, errortext: outcome.text };
    }
    this.timers.delete(job.id);
    this.onDone(job);
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  getByInternalId(n: number): Job | undefined {
    return this.byInternal.get(n);
  }

  all(): Job[] {
    return [...this.jobs.values()];
  }

  pending(): Job[] {
    return this.all().filter((j) => j.status === 0);
  }

  /** countPendingNonPseudoJobs: pending jobs executing on these servers (all pending jobs without a list). */
  countPending(msids?: readonly number[]): number {
    return this.pending().filter((j) => !msids || (j.executingMsid !== undefined && msids.includes(j.executingMsid))).length;
  }

  /** A server going down: its running jobs stop making progress but stay pending in the database. */
  orphanOf(msid: number): Job[] {
    const out: Job[] = [];
    for (const job of this.pending()) {
      if (job.executingMsid !== msid) continue;
      job.orphaned = true;
      for (const h of this.timers.get(job.id) ?? []) this.time.cancel(h);
      this.timers.delete(job.id);
      out.push(job);
    }
    return out;
  }

  /**
   * cleanupLeftOverJobs(msid): every pending job of that server becomes FAILED (2) with result code 530 and
   * the text "job cancelled because of management server restart or shutdown", which is not a serialised
   * object, so queryAsyncJobResult shows no jobresult. The executing msid stays set.
   * Source: framework/jobs/.../AsyncJobManagerImpl.java at 4.20.1.0.
   */
  cleanupLeftOverJobs(msid: number): Job[] {
    const out: Job[] = [];
    for (const job of this.pending()) {
      if (job.executingMsid !== msid) continue;
      job.orphaned = true;
      for (const h of this.timers.get(job.id) ?? []) this.time.cancel(h);
      this.timers.delete(job.id);
      job.status = 2;
      job.resultCode = 530;
      job.result = undefined;
      job.completed = this.time.now();
      out.push(job);
      this.onDone(job);
    }
    return out;
  }
}
