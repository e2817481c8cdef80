// Async jobs: submission returns a job id at once; the job's work runs on lab time and ends in status 1
// or 2. A management-server stop orphans running jobs (their timers are dropped); the next start marks
// them failed with 530 and no result, like AsyncJobManagerImpl.cleanupLeftOverJobs.

import { csDate, type LabTime, type TimerHandle } from '../clock.js';
import { seededUuid } from '../ids.js';
import type { Caller } from '../api/types.js';
import type { JsonObject } from '../api/render/compact.js';
import { compact } from '../api/render/compact.js';
import type { World } from '../world/world.js';
import { isAtLeast } from '../world/versions.js';

export type JobOutcome =
  | { readonly ok: true; readonly result: JsonObject }
  | { readonly ok: false; readonly code: number; readonly text: string };

export interface JobControl {
  /** Waits lab time; never resolves once the job is orphaned by a management-server stop. */
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
  /** Set when a management-server stop interrupted the job. */
  orphaned: boolean;
}

export class JobEngine {
  private readonly jobs = new Map<string, Job>();
  private readonly byInternal = new Map<number, Job>();
  private readonly timers = new Map<string, Set<TimerHandle>>();
  private counter = 0;

  constructor(
    private readonly time: LabTime,
    private readonly world: World,
    private readonly onDone: (job: Job) => void,
  ) {}

  submit(spec: JobSpec): Job {
    const n = ++this.counter;
    const job: Job = {
      id: seededUuid(this.world.seed, `job:${n}`), internalId: n, command: spec.command, cmdClass: spec.cmdClass,
      caller: spec.caller, instanceType: spec.instanceType, instanceId: spec.instanceId, status: 0, resultCode: 0,
      created: this.time.now(), orphaned: false,
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

  /** Management server going down: running jobs stop making progress. */
  orphanAll(): Job[] {
    const out: Job[] = [];
    for (const job of this.pending()) {
      job.orphaned = true;
      for (const h of this.timers.get(job.id) ?? []) this.time.cancel(h);
      this.timers.delete(job.id);
      out.push(job);
    }
    return out;
  }

  /** Management server starting: orphaned jobs become failed, code 530, no result. */
  failOrphans(): Job[] {
    const out: Job[] = [];
    for (const job of this.all()) {
      if (job.orphaned && job.status === 0) {
        job.status = 2;
        job.resultCode = 530;
        job.result = undefined;
        job.completed = this.time.now();
        out.push(job);
        this.onDone(job);
      }
    }
    return out;
  }

  /** queryAsyncJobResult fields, in the 4.20 order or the 4.21+ order (jobstatus last). */
  render(job: Job): JsonObject {
    const v = this.world.msVersion;
    const v421 = isAtLeast(v, '4.21');
    const v419 = isAtLeast(v, '4.19');
    const c = job.caller;
    const head: Array<[string, JsonObject[string] | undefined]> = [
      ['accountid', c.account.id],
      ['account', v419 ? c.account.name : undefined],
      ['domainid', v419 ? c.domain.id : undefined],
      ['domainpath', v419 ? c.domain.path : undefined],
      ['userid', c.userId],
      ['cmd', job.cmdClass],
    ];
    const body: Array<[string, JsonObject[string] | undefined]> = [
      ['jobprocstatus', 0],
      ['jobresultcode', job.resultCode],
      ['jobresulttype', job.result ? 'object' : undefined],
      ['jobresult', job.result],
      ['jobinstancetype', job.instanceType],
      ['jobinstanceid', job.instanceId],
      ['managementserverid', v419 ? this.world.ms.id : undefined],
      ['managementservername', v421 ? this.world.ms.name : undefined],
      ['created', csDate(job.created)],
      ['completed', job.completed !== undefined ? csDate(job.completed) : undefined],
      ['jobid', job.id],
    ];
    if (v421) return compact([...head, ...body, ['jobstatus', job.status]]);
    return compact([...head, ['jobstatus', job.status], ...body]);
  }
}
