// What a run did, folded from its events: each step's result per host, failures with the units that
// failed inside them, warnings, `log` output and dry-run plans. The end-of-run screens (task list, plain,
// JSON, `stackplay show`) are all drawn from this one record, so they cannot disagree.

import { outcomeMessage, type Outcome, type RunEvent, type RunStatus, type StepPhase, type StepStatus } from '../engine/events.js';

export interface HostResult {
  readonly status: StepStatus;
  readonly ignored: boolean;
  readonly outcome: Outcome;
  /** The outcome in words, and a dry run's plan. */
  readonly msg?: string | undefined;
  readonly plan?: string | undefined;
}

interface FailedUnit {
  readonly title: string;
  readonly message?: string | undefined;
}

export interface Failure {
  readonly stepId: string;
  readonly name: string;
  readonly host: string;
  readonly phase: StepPhase;
  readonly status: 'failed' | 'unreachable';
  readonly message: string;
  readonly ignored: boolean;
  /** Failed units of a multi-unit step (routers, system VMs), by name. */
  readonly units: readonly FailedUnit[];
}

interface Warning {
  readonly message: string;
  readonly host?: string | undefined;
  readonly stepId?: string | undefined;
  /** How many times the same warning came (the same host and text). */
  count: number;
}

export interface StepRecord {
  readonly stepId: string;
  name: string;
  stepType: string | undefined;
  readonly hosts: Map<string, HostResult>;
  /** Lines of `log` steps per host: what the playbook meant the operator to read. */
  readonly logLines: Array<{ readonly host: string; readonly line: string }>;
  logDropped: number;
}

interface PlayRecord {
  readonly name: string;
  readonly hosts: readonly string[];
  ended: boolean;
}

/** More `log` lines than this per step are counted, not kept (a loop over 1,000 routers). */
const MAX_LOG_LINES = 200;

export class RunRecord {
  dryRun = false;
  runId = '';
  status: RunStatus | undefined;
  readonly plays = new Map<number, PlayRecord>();
  /** Main, rescue, always and handler steps by step id; undo steps by id too (their ids end in .uN). */
  readonly steps = new Map<string, StepRecord>();
  /** Undo steps in the order they ran, per play. */
  readonly undo = new Map<number, string[]>();
  readonly failures: Failure[] = [];
  readonly warnings: Warning[] = [];
  /** The tree of nested steps, from the events: step id → the block (or the step an undo belongs to). */
  private readonly parents = new Map<string, string>();
  private readonly failedUnits = new Map<string, FailedUnit[]>();
  /** Blocks (`id@host`) whose failures were handled: rescued, or the block's errors ignored. */
  private readonly handled = new Map<string, 'rescued' | 'ignored'>();

  add(e: RunEvent): void {
    switch (e.type) {
      case 'run-start':
        this.dryRun = e.dryRun;
        this.runId = e.runId;
        return;
      case 'play-start':
        this.plays.set(e.play, { name: e.name, hosts: e.hosts, ended: false });
        return;
      case 'play-end': {
        const p = this.plays.get(e.play);
        if (p) p.ended = true;
        return;
      }
      case 'step-start': {
        if (e.parentId !== undefined) this.parents.set(e.stepId, e.parentId);
        const s = this.step(e.stepId, e.name);
        s.stepType = e.stepType;
        if (e.phase === 'undo') {
          const list = this.undo.get(e.play) ?? [];
          if (!list.includes(e.stepId)) list.push(e.stepId);
          this.undo.set(e.play, list);
        }
        return;
      }
      case 'step-output': {
        const s = this.steps.get(e.stepId);
        if (s?.stepType !== 'log') return;
        if (s.logLines.length < MAX_LOG_LINES) s.logLines.push({ host: e.host, line: e.line });
        else s.logDropped += 1;
        return;
      }
      case 'subtask':
        if (e.status === 'failed') {
          const key = `${e.stepId}@${e.host}`;
          this.failedUnits.set(key, [...(this.failedUnits.get(key) ?? []), { title: e.title, ...(e.message !== undefined ? { message: e.message } : {}) }]);
        }
        return;
      case 'step-end': {
        if (e.parentId !== undefined) this.parents.set(e.stepId, e.parentId);
        const s = this.step(e.stepId, e.name);
        const msg = outcomeMessage(e.outcome);
        const plan = 'plan' in e.outcome ? e.outcome.plan : undefined;
        s.hosts.set(e.host, { status: e.status, ignored: e.ignored, outcome: e.outcome, msg, plan });
        const within = this.failures.filter((f) => f.host === e.host && this.isInside(f.stepId, e.stepId));
        const inner = within.length > 0;
        // a block that ended well with failures inside, not already handled by a block within it, rescued them
        if (within.some((f) => this.handledAs(f) === undefined) && (e.status === 'ok' || e.ignored)) {
          this.handled.set(`${e.stepId}@${e.host}`, e.status === 'ok' ? 'rescued' : 'ignored');
        }
        if (e.status === 'failed' || e.status === 'unreachable') {
          // a block's own failure only repeats the failure of a step inside it
          if (!inner) {
            this.failures.push({
              stepId: e.stepId, name: e.name, host: e.host, phase: e.phase, status: e.status, message: msg ?? e.status, ignored: e.ignored,
              units: this.failedUnits.get(`${e.stepId}@${e.host}`) ?? [],
            });
          }
        }
        return;
      }
      case 'warning': {
        const same = this.warnings.find((w) => w.message === e.message && w.host === e.host);
        if (same) same.count += 1;
        else this.warnings.push({ message: e.message, host: e.host, stepId: e.stepId, count: 1 });
        return;
      }
      case 'run-end':
        this.status = e.status;
        return;
      default:
        return;
    }
  }

  /** How a failure was dealt with: its own ignore_errors, or a block around it that rescued or ignored it. */
  handledAs(f: Failure): 'rescued' | 'ignored' | undefined {
    if (f.ignored) return 'ignored';
    for (let id = this.parents.get(f.stepId); id !== undefined; id = this.parents.get(id)) {
      const h = this.handled.get(`${id}@${f.host}`);
      if (h) return h;
    }
    return undefined;
  }

  /** True if step `id` is nested (at any depth) in step `ancestor`. */
  isInside(id: string, ancestor: string): boolean {
    for (let p = this.parents.get(id); p !== undefined; p = this.parents.get(p)) if (p === ancestor) return true;
    return false;
  }

  /** A block that rescued (or ignored) failures inside it on some host. */
  handledBlock(stepId: string): 'rescued' | 'ignored' | undefined {
    for (const [key, how] of this.handled) if (key.slice(0, key.lastIndexOf('@')) === stepId) return how;
    return undefined;
  }

  /** Failures that count against the run: neither ignored nor rescued. */
  hardFailures(): Failure[] {
    return this.failures.filter((f) => this.handledAs(f) === undefined);
  }

  private step(stepId: string, name: string): StepRecord {
    let s = this.steps.get(stepId);
    if (!s) {
      s = { stepId, name, stepType: undefined, hosts: new Map(), logLines: [], logDropped: 0 };
      this.steps.set(stepId, s);
    }
    return s;
  }
}

/** The record of a whole event list (a journal read back). */
export function recordOf(events: Iterable<RunEvent>): RunRecord {
  const r = new RunRecord();
  for (const e of events) r.add(e);
  return r;
}
