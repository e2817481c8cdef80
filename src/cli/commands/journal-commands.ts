// `stackplay runs`, `show RUN` and `recover [RUN]` on a terminal: the application layer reads the
// journals and discharges open undo obligations; this file prints what it found and did.

import { recover, type RecoverNotice } from '../../app/recover.js';
import { journaledRun, journaledRuns } from '../../app/runs.js';
import { plainRenderer } from '../../renderers/plain.js';
import type { SecretRegistry } from '../../secrets/masker.js';
import { formatDuration } from '../../util/durations.js';
import type { Io } from '../output.js';
import { formatReport } from './show-report.js';

export function runsCommand(io: Io, dir: string): number {
  const runs = journaledRuns(dir);
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
  io.out(formatReport(journaledRun({ journalDir: dir, ...(id !== undefined ? { runId: id } : {}) }), io.style));
  return 0;
}

export async function recoverCommand(io: Io, dir: string, id: string | undefined, env: { sources: Map<string, string>; secrets: SecretRegistry }): Promise<number> {
  const notice = (n: RecoverNotice): void => {
    if (n.kind === 'start') io.out(`${io.style.yellow('RECOVER')} run ${n.runId}: ${n.open} open undo obligation(s)\n`);
    else if (n.kind === 'undo-missing') io.err(`cannot find the undo of step ${n.stepId} ('${n.step}') in ${n.playbook}: the playbook changed since the run\n`);
    else if (n.kind === 'undo-error') io.err(`undo of '${n.step}' on ${n.host} failed: ${n.message}\n`);
    else io.err(`warning: could not disarm dead-man timer ${n.unit} on ${n.host}: ${n.reason}\n`);
  };
  const r = await recover({ journalDir: dir, ...(id !== undefined ? { runId: id } : {}) }, { ...env, sink: plainRenderer(io.out, io.style), notice });
  if (r.kind === 'dry-run') io.out(`run ${r.runId} was a dry run: it changed nothing, so there is nothing to recover\n`);
  else if (r.kind === 'nothing-open') io.out(`run ${r.runId}: no open undo obligations; nothing to recover\n`);
  return r.exitCode;
}
