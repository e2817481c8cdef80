// The executor: the only loop. Runs plays over their hosts (bounded by forks, batched by serial),
// step by step across hosts; a failed host stops for that play and leaves the run while the others go on. It emits
// typed events to a sink and never writes to the terminal.

import type { Play, Step } from '../loader/ast.js';
import type { RunStatus } from './events.js';
import { forEachLimit } from '../util/limit.js';
import { buildHostScope } from './scope.js';
import { HostRunner, type HostPlayState } from './host-runner.js';
import { createRunContext, type RunContext } from './run-context.js';
import type { RunOptions, RunSummary } from './run-options.js';

export { realClock, type Clock } from './clock.js';
export type { ResumeState, RunOptions, RunSummary } from './run-options.js';

export async function runPlaybook(opts: RunOptions): Promise<RunSummary> {
  const run = createRunContext(opts);
  const started = run.clock.now();
  run.emit({ type: 'run-start', runId: opts.runId, playbook: opts.playbook.name, file: opts.playbook.file, dryRun: opts.dryRun, time: new Date().toISOString() });
  for (const t of opts.prelude ?? []) run.emit({ type: 'transport', ...t });
  let aborted = false;
  // the transports' own events (connections, API calls) join the run's stream, masked like the rest
  const stopObserving = opts.services.observe?.((host, event) => run.emit({ type: 'transport', host, event }));
  try {
    for (const play of opts.playbook.plays) {
      if (run.interruption.interrupted) break;
      const ok = await runPlay(run, play);
      if (!ok) {
        aborted = true;
        break;
      }
    }
  } finally {
    stopObserving?.();
    await opts.services.close().catch(() => undefined);
  }
  const recap = run.recap.snapshot();
  const anyFailed = Object.values(recap).some((c) => c.failed > 0) || aborted;
  const anyUnreachable = Object.values(recap).some((c) => c.unreachable > 0);
  const status: RunStatus = run.interruption.interrupted ? 'interrupted' : anyUnreachable ? 'unreachable' : anyFailed ? 'failed' : 'ok';
  const exitCode = { ok: 0, failed: 1, unreachable: 3, interrupted: 130 }[status];
  const durationMs = run.clock.now() - started;
  run.emit({ type: 'run-end', status, exitCode, recap, durationMs });
  return { status, exitCode, recap, durationMs };
}

/** Returns false when the play aborted the run (max_fail_percentage exceeded, or every host failed). */
async function runPlay(run: RunContext, play: Play): Promise<boolean> {
  let hosts = [...(run.plan.plays.get(play.index)?.hosts ?? [])];
  // a host that failed an earlier play has left the run; a play with no host left stops it, as a play
  // whose every host failed does (a later play must not act on a host that is half done)
  const remaining = hosts.filter((h) => !run.leftRun.has(h));
  if (hosts.length > 0 && remaining.length === 0) return false;
  hosts = remaining;
  run.emit({ type: 'play-start', play: play.index, name: play.name, hosts });
  for (const h of hosts) run.recap.of(h);
  const batches = serialBatches(hosts, play.serial);
  let ok = true;
  for (const batch of batches) {
    if (run.interruption.interrupted) break;
    ok = await runBatch(run, play, batch);
    if (!ok) break;
  }
  run.emit({ type: 'play-end', play: play.index, name: play.name });
  return ok;
}

function serialBatches(hosts: string[], serial: number | string | undefined): string[][] {
  if (serial === undefined || hosts.length === 0) return [hosts];
  const size = typeof serial === 'number' ? serial : Math.max(1, Math.floor((hosts.length * Number(serial.slice(0, -1))) / 100));
  const out: string[][] = [];
  for (let i = 0; i < hosts.length; i += size) out.push(hosts.slice(i, i + size));
  return out;
}

async function runBatch(run: RunContext, play: Play, batch: readonly string[]): Promise<boolean> {
  const opts = run.opts;
  const runners = new Map<string, HostRunner>();
  for (const name of batch) {
    const host = opts.inventory.hosts.get(name)!;
    const hv = run.vars.of(name);
    const ps: HostPlayState = { failed: false, unreachable: false, notified: new Set() };
    let scope: Record<string, unknown>;
    try {
      scope = buildHostScope({ playbook: opts.playbook, inventory: opts.inventory, extraVars: opts.extraVars, dryRun: opts.dryRun, runId: opts.runId }, play, host, hv);
    } catch (err) {
      run.emit({ type: 'warning', host: name, message: `cannot build variables: ${(err as Error).message}` });
      run.recap.of(name).failed += 1;
      continue;
    }
    const runner = new HostRunner(run, play, host, scope, ps);
    for (const o of opts.resume?.obligations ?? []) {
      if (o.host === name && Number(o.stepId.split('.')[0]) === play.index) runner.adopt(o);
    }
    runners.set(name, runner);
  }
  let aborted = false;
  try {
    if (play.strategy === 'free') {
      await runFree(run, play, [...runners.values()]);
    } else {
      for (const step of play.steps) {
        if (run.interruption.interrupted) break;
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
            run.emit({ type: 'warning', message: `play '${play.name}': ${failed} of ${batch.length} hosts failed, more than max_fail_percentage ${play.maxFailPercentage}%; stopping` });
            aborted = true;
            break;
          }
        }
      }
    }
    if (!run.interruption.interrupted && !aborted) {
      await forEachLimit([...runners.values()].filter((r) => r.active), play.forks ?? opts.forks, (r) => r.runHandlers(play.handlers));
    }
  } finally {
    // play-scope undo obligations: always discharged, whatever happened above
    await forEachLimit([...runners.values()], play.forks ?? opts.forks, (r) => r.dischargePlayUndo());
  }
  for (const [name, r] of runners) if (!r.active) run.leftRun.add(name);
  for (const name of batch) if (!runners.has(name)) run.leftRun.add(name);
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
async function runFree(run: RunContext, play: Play, runners: readonly HostRunner[]): Promise<void> {
  const once = new Map<string, Promise<HostRunner>>();
  await forEachLimit(runners, play.forks ?? run.opts.forks, async (r) => {
    for (const step of play.steps) {
      if (run.interruption.interrupted || !r.active) return;
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

