// The executor: the only loop. Runs plays over their hosts (bounded by forks, batched by serial),
// step by step across hosts; a failed host stops for that play while the others go on. It emits
// typed events to a sink and never writes to the terminal.

import type { Play, Playbook, Step, TaskStep } from '../loader/ast.js';
import type { Inventory } from '../inventory/types.js';
import { selectHosts } from '../inventory/pattern.js';
import type { SecretRegistry } from '../secrets/masker.js';
import type { RunServices, StepDefinition } from '../steps/types.js';
import { emptyCounts, type EventSink, type HostCounts, type RunEvent, type RunStatus } from './events.js';
import { forEachLimit } from '../util/limit.js';
import { buildHostScope, type HostVarsState } from './scope.js';
import { HostRunner, type HostPlayState } from './host-runner.js';
import type { RunJournalHooks } from './undo.js';
import { setMaxListeners } from 'node:events';

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface RunOptions {
  readonly runId: string;
  readonly playbook: Playbook;
  readonly inventory: Inventory;
  readonly steps: ReadonlyMap<string, StepDefinition<never>>;
  readonly extraVars: Readonly<Record<string, unknown>>;
  readonly dryRun: boolean;
  readonly forks: number;
  readonly limit?: string;
  readonly tags?: readonly string[];
  readonly skipTags?: readonly string[];
  readonly startAt?: string;
  readonly secrets: SecretRegistry;
  readonly services: RunServices;
  readonly sink: EventSink;
  /** Aborted on Ctrl-C/SIGTERM: no new steps start; always/undo still run. */
  readonly interrupt?: AbortSignal;
  readonly clock?: Clock;
  readonly journal?: RunJournalHooks;
  /** Continuing an interrupted run: what it finished, registered, and left open. */
  readonly resume?: ResumeState;
}

export interface ResumeState {
  /** `stepId@host` of steps that finished (ok, changed or skipped) in the interrupted run. */
  readonly completed: ReadonlySet<string>;
  readonly registered: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Undo obligations the interrupted run left open: adopted, discharged when their play ends. */
  readonly obligations: ReadonlyArray<{ readonly id: string; readonly stepId: string; readonly host: string; readonly result: unknown; readonly vars?: Readonly<Record<string, unknown>>; readonly deadman?: ReadonlyArray<{ readonly host: string; readonly unit: string }> }>;
  /** Prefix for new obligation ids so they never collide with the earlier run's. */
  readonly idPrefix: string;
  /** Async jobs the interrupted run submitted (key → job id): waited for, not submitted again. */
  readonly jobs: ReadonlyMap<string, string>;
}

export interface RunSummary {
  readonly status: RunStatus;
  readonly exitCode: number;
  readonly recap: Record<string, HostCounts>;
  readonly durationMs: number;
}

export class RunState {
  readonly recap = new Map<string, HostCounts>();
  readonly hostVars = new Map<string, HostVarsState>();
  readonly clock: Clock;
  interrupted = false;
  private startAtReached: boolean;
  private obligationSeq = 0;

  constructor(
    readonly opts: RunOptions,
    private readonly emitRaw: EventSink,
  ) {
    this.clock = opts.clock ?? realClock;
    for (const [host, vars] of opts.resume?.registered ?? []) this.hostVars.set(host, { registered: { ...vars } });
    this.startAtReached = opts.startAt === undefined;
    // every running command on every host listens to the run's interrupt (one each, removed when it
    // ends): more than Node's default warning threshold of 10 is the normal case, not a leak
    if (opts.interrupt) setMaxListeners(0, opts.interrupt);
    opts.interrupt?.addEventListener('abort', () => {
      if (!this.interrupted) {
        this.interrupted = true;
        this.emit({ type: 'phase', phase: 'interrupted', message: 'interrupted: no new steps start; running pending always/undo steps' });
      }
    });
    if (opts.interrupt?.aborted) this.interrupted = true;
  }

  emit(event: RunEvent): void {
    this.emitRaw(this.opts.secrets.size > 0 ? this.opts.secrets.maskDeep(event) : event);
  }

  counts(host: string): HostCounts {
    let c = this.recap.get(host);
    if (!c) {
      c = emptyCounts();
      this.recap.set(host, c);
    }
    return c;
  }

  vars(host: string): HostVarsState {
    let v = this.hostVars.get(host);
    if (!v) {
      v = { registered: {} };
      this.hostVars.set(host, v);
    }
    return v;
  }

  nextObligationId(): string {
    this.obligationSeq += 1;
    return `${this.opts.resume?.idPrefix ?? ''}u${this.obligationSeq}`;
  }

  /** Tag filters and --start-at-step; inherited tags come from enclosing blocks. */
  selected(step: Step, inherited: readonly string[]): boolean {
    if (!this.startAtReached) {
      if (step.name === this.opts.startAt) this.startAtReached = true;
      else if (step.kind === 'task') return false;
    }
    const tags = new Set([...inherited, ...step.tags]);
    const skip = this.opts.skipTags ?? [];
    if (skip.some((t) => tags.has(t))) return false;
    const only = this.opts.tags ?? [];
    if (only.length === 0 || tags.has('always')) return true;
    if (step.kind === 'block') return true; // children decide
    return only.some((t) => tags.has(t) || (t === 'tagged' && tags.size > 0) || (t === 'untagged' && tags.size === 0));
  }
}

export async function runPlaybook(opts: RunOptions): Promise<RunSummary> {
  const state = new RunState(opts, opts.sink);
  const started = state.clock.now();
  state.emit({ type: 'run-start', runId: opts.runId, playbook: opts.playbook.name, file: opts.playbook.file, dryRun: opts.dryRun, time: new Date().toISOString() });
  let aborted = false;
  try {
    for (const play of opts.playbook.plays) {
      if (state.interrupted) break;
      const ok = await runPlay(state, play);
      if (!ok) {
        aborted = true;
        break;
      }
    }
  } finally {
    await opts.services.close().catch(() => undefined);
  }
  const recap: Record<string, HostCounts> = Object.fromEntries(state.recap);
  const anyFailed = Object.values(recap).some((c) => c.failed > 0) || aborted;
  const anyUnreachable = Object.values(recap).some((c) => c.unreachable > 0);
  const status: RunStatus = state.interrupted ? 'interrupted' : anyUnreachable ? 'unreachable' : anyFailed ? 'failed' : 'ok';
  const exitCode = { ok: 0, failed: 1, unreachable: 3, interrupted: 130 }[status];
  const durationMs = state.clock.now() - started;
  state.emit({ type: 'run-end', status, exitCode, recap, durationMs });
  return { status, exitCode, recap, durationMs };
}

/** Returns false when the play aborted the run (max_fail_percentage exceeded, or every host failed). */
async function runPlay(state: RunState, play: Play): Promise<boolean> {
  const opts = state.opts;
  let hosts = selectHosts(opts.inventory, play.hosts);
  if (opts.limit !== undefined) {
    const allowed = new Set(selectHosts(opts.inventory, opts.limit));
    hosts = hosts.filter((h) => allowed.has(h));
  }
  state.emit({ type: 'play-start', play: play.index, name: play.name, hosts });
  for (const h of hosts) state.counts(h);
  const batches = serialBatches(hosts, play.serial);
  let ok = true;
  for (const batch of batches) {
    if (state.interrupted) break;
    ok = await runBatch(state, play, batch);
    if (!ok) break;
  }
  state.emit({ type: 'play-end', play: play.index, name: play.name });
  return ok;
}

function serialBatches(hosts: string[], serial: number | string | undefined): string[][] {
  if (serial === undefined || hosts.length === 0) return [hosts];
  const size = typeof serial === 'number' ? serial : Math.max(1, Math.floor((hosts.length * Number(serial.slice(0, -1))) / 100));
  const out: string[][] = [];
  for (let i = 0; i < hosts.length; i += size) out.push(hosts.slice(i, i + size));
  return out;
}

async function runBatch(state: RunState, play: Play, batch: readonly string[]): Promise<boolean> {
  const opts = state.opts;
  const runners = new Map<string, HostRunner>();
  for (const name of batch) {
    const host = opts.inventory.hosts.get(name)!;
    const hv = state.vars(name);
    const ps: HostPlayState = { failed: false, unreachable: false, notified: new Set() };
    let scope: Record<string, unknown>;
    try {
      scope = buildHostScope({ playbook: opts.playbook, inventory: opts.inventory, extraVars: opts.extraVars, dryRun: opts.dryRun, runId: opts.runId }, play, host, hv);
    } catch (err) {
      state.emit({ type: 'warning', host: name, message: `cannot build variables: ${(err as Error).message}` });
      state.counts(name).failed += 1;
      continue;
    }
    const runner = new HostRunner(state, play, host, scope, ps);
    for (const o of opts.resume?.obligations ?? []) {
      if (o.host === name && Number(o.stepId.split('.')[0]) === play.index) runner.adopt(o);
    }
    runners.set(name, runner);
  }
  let aborted = false;
  try {
    if (play.strategy === 'free') {
      await runFree(state, play, [...runners.values()]);
    } else {
      for (const step of play.steps) {
        if (state.interrupted) break;
        const active = [...runners.values()].filter((r) => r.active);
        if (active.length === 0) break;
        if (step.runOnce) {
          const first = active[0]!;
          await first.runTopLevel(step);
          shareRunOnce(step, first, active.slice(1));
        } else {
          await forEachLimit(active, play.forks ?? opts.forks, (r) => r.runTopLevel(step));
        }
        if (play.maxFailPercentage !== undefined) {
          const failed = [...runners.values()].filter((r) => !r.active).length;
          if ((failed / batch.length) * 100 > play.maxFailPercentage) {
            state.emit({ type: 'warning', message: `play '${play.name}': ${failed} of ${batch.length} hosts failed, more than max_fail_percentage ${play.maxFailPercentage}%; stopping` });
            aborted = true;
            break;
          }
        }
      }
    }
    if (!state.interrupted && !aborted) {
      await forEachLimit([...runners.values()].filter((r) => r.active), play.forks ?? opts.forks, (r) => r.runHandlers(play.handlers));
    }
  } finally {
    // play-scope undo obligations: always discharged, whatever happened above
    await forEachLimit([...runners.values()], play.forks ?? opts.forks, (r) => r.dischargePlayUndo());
  }
  if (aborted) return false;
  if (runners.size > 0 && [...runners.values()].every((r) => !r.active)) return false;
  return true;
}

function shareRunOnce(step: Step, from: HostRunner, to: readonly HostRunner[]): void {
  const reg = step.register;
  if (reg === undefined || step.kind !== 'task') return;
  const value = from.scope[reg];
  for (const r of to) r.setRegistered(reg, value);
}

/** strategy: free — every host runs through the steps at its own pace (no barrier between steps). */
async function runFree(state: RunState, play: Play, runners: readonly HostRunner[]): Promise<void> {
  const once = new Map<string, Promise<HostRunner>>();
  await forEachLimit(runners, play.forks ?? state.opts.forks, async (r) => {
    for (const step of play.steps) {
      if (state.interrupted || !r.active) return;
      if (step.runOnce) {
        let p = once.get(step.id);
        if (!p) {
          p = r.runTopLevel(step).then(() => r);
          once.set(step.id, p);
          await p;
        } else shareRunOnce(step, await p, [r]);
        continue;
      }
      await r.runTopLevel(step);
    }
  });
}

export type { TaskStep };
