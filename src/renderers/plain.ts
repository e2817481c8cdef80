// Plain lines for CI and pipes: one line per step result, output lines indented under their host,
// warnings and the reverting phase called out, then the closing summary (failures, warnings) and the recap.

import { outcomeMessage, type RunEvent } from '../engine/events.js';
import { formatDuration } from '../util/durations.js';
import { formatRecap } from './recap.js';
import { RunRecord } from './run-record.js';
import type { Styler } from './style.js';
import { formatSummary } from './summary.js';
import { transportLine } from './transport-text.js';

export function plainRenderer(write: (text: string) => void, s: Styler, opts: { verbose?: boolean; verbosity?: number } = {}): (e: RunEvent) => void {
  let dryRun = false;
  const mark = {
    ok: s.green('ok     '), changed: s.yellow('changed'), failed: s.red('failed '), skipped: s.dim('skipped'),
    unreachable: s.magenta('unreach'), unknown: s.cyan('unknown'),
  } as const;
  const record = new RunRecord();
  return (e) => {
    record.add(e);
    switch (e.type) {
      case 'run-start':
        dryRun = e.dryRun;
        write(`${s.bold(`${dryRun ? 'DRY RUN' : 'RUN'} ${e.playbook}`)} ${s.dim(`(${e.file}, run ${e.runId})`)}\n`);
        return;
      case 'play-start':
        write(`\n${s.bold(`PLAY ${e.name}`)} ${s.dim(`[${e.hosts.join(', ') || 'no hosts'}]`)}\n`);
        return;
      case 'step-output':
        if (opts.verbose !== false) write(`    ${s.dim(`${e.host} |`)} ${e.line}\n`);
        return;
      case 'transport': {
        // only with -v / -vv: connections and API calls are the transports' detail, not the run's story
        const text = (opts.verbosity ?? 0) >= 1 ? transportLine(e.event, opts.verbosity) : undefined;
        if (text !== undefined) write(`    ${s.dim(`${e.host} ⇄`)} ${text}\n`);
        return;
      }
      case 'step-progress':
        // per-item loop progress is for the live task list; plain output shows the items' own lines
        if (e.progress?.kind === 'item' && (e.progress.status === 'ok' || e.progress.status === 'changed' || e.progress.status === 'skipped')) return;
        write(`    ${s.dim(`${e.host} …`)} ${e.message}\n`);
        return;
      case 'subtask':
        if (e.status !== 'pending' && e.status !== 'running') write(`    ${s.dim(`${e.host} ·`)} ${e.title}: ${e.status}${e.message ? ` — ${e.message}` : ''}\n`);
        return;
      case 'step-end': {
        const o = e.outcome;
        const phase = e.phase === 'main' ? '' : s.dim(`[${e.phase}] `);
        const plan = 'plan' in o ? o.plan : undefined;
        const status = dryRun && plan !== undefined && o.kind === 'changed' ? s.yellow('would  ') : mark[o.kind];
        const ignored = e.ignored ? s.dim(' (ignored)') : '';
        const detail = plan ?? outcomeMessage(o);
        const time = e.durationMs >= 100 ? s.dim(` (${formatDuration(e.durationMs)})`) : '';
        write(`  ${status} ${e.host}  ${phase}${e.name}${ignored}${detail ? `: ${detail}` : ''}${time}\n`);
        return;
      }
      case 'warning':
        write(`  ${s.yellow('warning')} ${e.host ? `${e.host}  ` : ''}${e.message}\n`);
        return;
      case 'phase':
        write(`${s.yellow(`${e.phase.toUpperCase()}`)}: ${e.message}\n`);
        return;
      case 'undo-done':
        if (!e.ok) write(`  ${s.red('UNDO FAILED')} ${e.host}: ${e.msg ?? ''}\n`);
        return;
      case 'run-end': {
        const summary = formatSummary(record, s);
        write(`\n${summary.length > 0 ? `${summary.join('\n')}\n\n` : ''}${formatRecap(e.recap, e.status, e.durationMs, dryRun, s)}\n`);
        return;
      }
      default:
        return;
    }
  };
}
