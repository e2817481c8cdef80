// `recover`: discharge the undo obligations a run left open when it was killed (SIGKILL, power loss, a
// forced exit): newest first, each undo run on its host with the step's variables and last result, its
// dead-man timer disarmed once the compensation happened, and each discharge written to the journal.

import { runPlaybook } from '../engine/executor.js';
import { findStep, UNFINISHED_RESULT } from '../engine/host-runner.js';
import type { EventSink } from '../engine/events.js';
import { Journal } from '../journal/journal.js';
import { findRun } from '../journal/read.js';
import type { Play, Playbook, TaskStep } from '../loader/ast.js';
import { SecretRegistry } from '../secrets/masker.js';
import { stepRegistry } from '../steps/registry.js';
import { UsageError } from './errors.js';
import { loadRequest } from './input.js';
import type { JournalRequest } from './resume.js';
import { openServices } from './services.js';
import type { AppEnvironment } from './types.js';

/** What recover has to say besides the events of the undo steps it runs. */
export type RecoverNotice =
  | { readonly kind: 'start'; readonly runId: string; readonly open: number }
  | { readonly kind: 'undo-missing'; readonly stepId: string; readonly step: string; readonly playbook: string }
  | { readonly kind: 'undo-error'; readonly step: string; readonly host: string; readonly message: string }
  | { readonly kind: 'disarm-failed'; readonly unit: string; readonly host: string; readonly reason: string };

export interface RecoverResult {
  /** `dry-run`: the run changed nothing; `nothing-open`: no obligation was left open. */
  readonly kind: 'dry-run' | 'nothing-open' | 'recovered';
  readonly runId: string;
  readonly discharged: ReadonlyArray<{ readonly id: string; readonly step: string; readonly host: string; readonly ok: boolean }>;
  /** 0 when every open obligation was discharged, else 1. */
  readonly exitCode: number;
}

export interface RecoverHooks {
  /** The events of the undo steps (one small run per obligation). */
  readonly sink?: EventSink;
  readonly notice?: (n: RecoverNotice) => void;
}

export async function recover(request: JournalRequest, env: AppEnvironment & RecoverHooks = {}): Promise<RecoverResult> {
  const { journalDir: dir, runId: id } = request;
  const r = findRun(dir, id, true);
  if (!r) throw new UsageError(id ? `no run '${id}' in ${dir}` : `no runs in ${dir}`);
  if (r.header?.dryRun === true) return { kind: 'dry-run', runId: r.runId, discharged: [], exitCode: 0 };
  if (r.open.length === 0) return { kind: 'nothing-open', runId: r.runId, discharged: [], exitCode: 0 };
  if (!r.header) throw new UsageError(`run ${r.runId}: the journal has no header; cannot recover`);
  const secrets = env.secrets ?? new SecretRegistry();
  const environment = { ...env, secrets };
  const header = r.header;
  const input = loadRequest({
    playbook: header.playbook, ...(header.inventory ? { inventory: header.inventory } : {}), extraArgs: header.extraArgs.filter((a) => !a.includes('***')),
  }, environment, true);
  const journal = new Journal(dir, r.runId, secrets);
  const notice = env.notice ?? (() => undefined);
  const discharged: Array<{ id: string; step: string; host: string; ok: boolean }> = [];
  notice({ kind: 'start', runId: r.runId, open: r.open.length });
  // newest obligation first, as the run itself would have done
  for (const o of [...r.open].reverse()) {
    const playIndex = Number(o.stepId.split('.')[0]);
    const origPlay = input.playbook.plays.find((p) => p.index === playIndex);
    const step = origPlay ? findStep([...origPlay.steps, ...origPlay.handlers], o.stepId) : undefined;
    if (!origPlay || !step || step.undo.length === 0) {
      notice({ kind: 'undo-missing', stepId: o.stepId, step: o.step, playbook: header.playbook });
      discharged.push({ id: o.id, step: o.step, host: o.host, ok: false });
      continue;
    }
    const undo = step.undo.filter((u): u is TaskStep => u.kind === 'task');
    const play: Play = { ...origPlay, name: `recover: ${o.step}`, hosts: o.host, steps: undo, handlers: [], serial: undefined, maxFailPercentage: undefined };
    const playbook: Playbook = { ...input.playbook, plays: [play] };
    const extraVars = { ...(r.registered.get(o.host) ?? {}), ...(o.vars ?? {}), result: o.result ?? UNFINISHED_RESULT, ...input.extraVars };
    // services of their own for the timers: the run closes the services it is given
    const services = openServices(input.inventory, secrets, environment);
    let ok = false;
    let why = '';
    try {
      const summary = await runPlaybook({
        runId: `${r.runId}-recover`, playbook, inventory: input.inventory, steps: env.steps ?? stepRegistry, extraVars, dryRun: false, forks: 1,
        secrets, services: openServices(input.inventory, secrets, environment), sink: env.sink ?? (() => undefined), ...(env.clock ? { clock: env.clock } : {}),
      });
      ok = summary.exitCode === 0;
      why = `recover exited ${summary.exitCode}`;
      // the compensation happened: its dead-man timer must not run it a second time later
      for (const d of ok ? (o.deadman ?? []) : []) {
        const stop = await services.disarmDeadman(d.host, d.unit).catch((err: Error) => ({ ok: false as const, reason: err.message }));
        if (!stop.ok) notice({ kind: 'disarm-failed', unit: d.unit, host: d.host, reason: stop.reason });
      }
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
      notice({ kind: 'undo-error', step: o.step, host: o.host, message: secrets.mask(why) });
    } finally {
      await services.close().catch(() => undefined);
    }
    journal.write({ t: 'discharged', id: o.id, ok, by: 'recover', ...(ok ? {} : { msg: why }) }, true);
    discharged.push({ id: o.id, step: o.step, host: o.host, ok });
  }
  journal.close();
  return { kind: 'recovered', runId: r.runId, discharged, exitCode: discharged.every((d) => d.ok) ? 0 : 1 };
}
