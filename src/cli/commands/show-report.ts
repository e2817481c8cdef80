// `stackplay show RUN`: a journaled run told again as the plain renderer told it live — each step's
// result (a dry run's plan included), `log` messages, warnings, the summary and the recap — with the
// undo obligations it armed and discharged, and those it left open.

import { formatDuration } from '../../util/durations.js';
import type { RunSummaryInfo } from '../../journal/read.js';
import { plainRenderer } from '../../renderers/plain.js';
import { RunRecord } from '../../renderers/run-record.js';
import type { Styler } from '../../renderers/style.js';
import { formatSummary } from '../../renderers/summary.js';

export function formatReport(r: RunSummaryInfo, s: Styler): string {
  const dry = r.header?.dryRun === true;
  const out = [
    `${s.bold(`run ${r.runId}`)}: ${dry ? 'dry run, ' : ''}${r.status}${r.durationMs !== null ? ` in ${formatDuration(r.durationMs)}` : ''}`,
    `playbook: ${r.header?.playbook ?? '?'}  inventory: ${r.header?.inventory ?? '(none)'}  started: ${r.header?.started ?? '?'}`,
    '',
  ];
  let text = '';
  const render = plainRenderer((t) => (text += t), s);
  const record = new RunRecord();
  let ended = false;
  const flush = (): void => {
    if (text) out.push(...text.replace(/\n$/, '').split('\n'));
    text = '';
  };
  for (const rec of r.records) {
    if (rec.t === 'event') {
      record.add(rec.e);
      render(rec.e);
      if (rec.e.type === 'run-end') ended = true;
      continue;
    }
    flush();
    if (rec.t === 'obligation') out.push(`  ${s.yellow('undo armed')}  ${rec.host}  ${rec.step} → ${rec.undo.join('; ')}`);
    else if (rec.t === 'discharged') out.push(`  ${rec.ok ? s.green('undo done') : s.red('undo FAILED')}   ${rec.by ? `(by ${rec.by}) ` : ''}${rec.msg ?? ''}`);
    else if (rec.t === 'forced') out.push(`  ${s.red(`forced exit (${rec.signal})`)} with ${rec.open} undo obligation(s) open`);
  }
  flush();
  // a run that was killed never wrote its end: the summary of what it did so far
  if (!ended) {
    const summary = formatSummary(record, s);
    if (summary.length > 0) out.push('', ...summary);
  }
  if (r.open.length > 0 && !dry) {
    out.push('', s.red(`${r.open.length} open undo obligation(s):`));
    for (const o of r.open) out.push(`  ${o.host}: ${o.step} → ${o.undo.join('; ')}`);
    out.push(`Run 'stackplay recover ${r.runId}' to discharge them.`);
  }
  return `${out.join('\n')}\n`;
}
