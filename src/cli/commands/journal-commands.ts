// `stackplay runs`, `show RUN` and `recover [RUN]`: inspect journals and discharge the open undo
// obligations of a run that was killed (SIGKILL, power loss) before it could revert.

import { resolve } from 'node:path';
import type { Play, Playbook, TaskStep } from '../../loader/ast.js';
import { findStep, UNFINISHED_RESULT } from '../../engine/host-runner.js';
import { formatDuration } from '../../util/durations.js';
import { existsSync } from 'node:fs';
import { findRun, isSettled, listRuns, type RunSummaryInfo } from '../../journal/read.js';
import { Journal, legacyJournalDir } from '../../journal/journal.js';
import { formatReport } from './show-report.js';
import { SecretRegistry } from '../../secrets/masker.js';
import { loadInput } from '../../app/load-input.js';
import { UsageError, type Io } from '../output.js';

export function runsCommand(io: Io, dir: string): number {
  const runs = listRuns(dir, true);
  if (runs.length === 0) {
    io.out(`no runs in ${dir}\n`);
    return 0;
  }
  const s = io.style;
  io.out(`${s.bold('RUN'.padEnd(26))}  ${'STATUS'.padEnd(20)}  ${'STARTED'.padEnd(20)}  ${'DURATION'.padEnd(9)}  OPEN UNDO  PLAYBOOK\n`);
  for (const r of runs) {
    const dry = r.header?.dryRun === true;
    // a dry run opens nothing: its obligations were only predicted
    const open = dry ? '-' : r.open.length > 0 ? s.red(String(r.open.length)) : '0';
    const status = dry ? `dry run: ${r.status}` : r.status;
    io.out(`${r.runId.padEnd(26)}  ${status.padEnd(20)}  ${(r.header?.started ?? '').slice(0, 19).padEnd(20)}  ${(r.durationMs === null ? '-' : formatDuration(r.durationMs)).padEnd(9)}  ${open.padEnd(9)}  ${r.header?.playbook ?? ''}\n`);
  }
  return 0;
}

export function showCommand(io: Io, dir: string, id: string | undefined): number {
  const r = findRun(dir, id);
  if (!r) throw new UsageError(id ? `no run '${id}' in ${dir}` : `no runs in ${dir}`);
  io.out(formatReport(r, io.style));
  return 0;
}

/**
 * Refuses a new run while an earlier run that touched any of the same targets (hosts, management
 * servers) left undo obligations open — from any directory, with any copy of the inventory. Journals
 * from before targets were recorded are matched by their inventory file.
 */
export function checkNoOpenRuns(dir: string, targets: readonly string[], inventoryPath: string | null, except?: string): void {
  const inv = inventoryPath === null ? null : resolve(inventoryPath);
  const mine = new Set(targets);
  const dirs = [dir, ...(existsSync(legacyJournalDir()) && resolve(legacyJournalDir()) !== resolve(dir) ? [legacyJournalDir()] : [])];
  for (const d of dirs) {
    for (const r of listRuns(d, true, (path) => !isSettled(path))) {
      if (r.open.length === 0 || r.runId === except || r.header?.dryRun === true) continue;
      const theirs = r.header?.targets;
      const shared = theirs ? theirs.filter((t) => mine.has(t)) : (r.header?.inventory ?? null) === inv ? ['the same inventory file'] : [];
      if (shared.length === 0) continue;
      const where = d === dir ? '' : ` --journal-dir ${d}`;
      throw new UsageError(
        `run ${r.runId} left ${r.open.length} undo step(s) open on what this run touches (${shared.slice(0, 3).join(', ')}${shared.length > 3 ? ', …' : ''}): ` +
          `${r.open.map((o) => `${o.host}: ${o.undo.join('; ')}`).join(', ')}.\n` +
          `Run 'stackplay recover ${r.runId}${where}' first, or pass --force to start anyway (recorded in the journal).`,
      );
    }
  }
}

export async function recoverCommand(io: Io, dir: string, id: string | undefined, sources: Map<string, string>): Promise<number> {
  const r = findRun(dir, id, true);
  if (!r) throw new UsageError(id ? `no run '${id}' in ${dir}` : `no runs in ${dir}`);
  if (r.header?.dryRun === true) {
    io.out(`run ${r.runId} was a dry run: it changed nothing, so there is nothing to recover\n`);
    return 0;
  }
  if (r.open.length === 0) {
    io.out(`run ${r.runId}: no open undo obligations; nothing to recover\n`);
    return 0;
  }
  if (!r.header) throw new UsageError(`run ${r.runId}: the journal has no header; cannot recover`);
  const secrets = new SecretRegistry();
  const input = loadInput(
    { playbookRef: r.header.playbook, ...(r.header.inventory ? { inventoryPath: r.header.inventory } : {}), extra: r.header.extraArgs.filter((a) => !a.includes('***')), forRun: true, secrets },
    sources,
  );
  const journal = new Journal(dir, r.runId, secrets);
  const { runPlaybook } = await import('../../engine/executor.js');
  const { stepRegistry } = await import('../../steps/registry.js');
  const { DefaultRunServices } = await import('../../runtime/services.js');
  const { cloudstackFactory } = await import('../../runtime/cloudstack-factory.js');
  const { plainRenderer } = await import('../../renderers/plain.js');
  let code = 0;
  io.out(`${io.style.yellow('RECOVER')} run ${r.runId}: ${r.open.length} open undo obligation(s)\n`);
  // newest obligation first, as the run itself would have done
  for (const o of [...r.open].reverse()) {
    const playIndex = Number(o.stepId.split('.')[0]);
    const origPlay = input.playbook.plays.find((p) => p.index === playIndex);
    const step = origPlay ? findStep([...origPlay.steps, ...origPlay.handlers], o.stepId) : undefined;
    if (!origPlay || !step || step.undo.length === 0) {
      io.err(`cannot find the undo of step ${o.stepId} ('${o.step}') in ${r.header.playbook}: the playbook changed since the run\n`);
      code = 1;
      continue;
    }
    const undo = step.undo.filter((u): u is TaskStep => u.kind === 'task');
    const play: Play = { ...origPlay, name: `recover: ${o.step}`, hosts: o.host, steps: undo, handlers: [], serial: undefined, maxFailPercentage: undefined };
    const playbook: Playbook = { ...input.playbook, plays: [play] };
    const extraVars = { ...(r.registered.get(o.host) ?? {}), ...(o.vars ?? {}), result: o.result ?? UNFINISHED_RESULT, ...input.extraVars };
    const services = new DefaultRunServices({ inventory: input.inventory, secrets, cloudstackFactory });
    let ok = false;
    let why = '';
    try {
      const summary = await runPlaybook({
        runId: `${r.runId}-recover`, playbook, inventory: input.inventory, steps: stepRegistry, extraVars, dryRun: false, forks: 1,
        // a pool of its own: runPlaybook closes the services it is given, and `services` must still disarm below
        secrets, services: new DefaultRunServices({ inventory: input.inventory, secrets, cloudstackFactory }), sink: plainRenderer(io.out, io.style),
      });
      ok = summary.exitCode === 0;
      why = `recover exited ${summary.exitCode}`;
      // the compensation happened: its dead-man timer must not run it a second time later
      for (const d of ok ? (o.deadman ?? []) : []) {
        const stop = await services.disarmDeadman(d.host, d.unit).catch((err: Error) => ({ ok: false as const, reason: err.message }));
        if (!stop.ok) io.err(`warning: could not disarm dead-man timer ${d.unit} on ${d.host}: ${stop.reason}\n`);
      }
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
      io.err(`undo of '${o.step}' on ${o.host} failed: ${secrets.mask(why)}\n`);
    } finally {
      await services.close().catch(() => undefined);
    }
    journal.write({ t: 'discharged', id: o.id, ok, by: 'recover', ...(ok ? {} : { msg: why }) }, true);
    if (!ok) code = 1;
  }
  journal.close();
  return code;
}

/** What `resume` needs from an interrupted run's journal. */
export function resumeStateOf(r: RunSummaryInfo): import('../../engine/executor.js').ResumeState {
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
