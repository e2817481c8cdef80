// The closing summary printed above the recap in every mode: each failure with its host and message,
// the failed units of a multi-unit step by name, then each warning raised during the run. JSON output
// gets the same content as one `run-summary` object.

import type { Failure, RunRecord } from './run-record.js';
import type { Styler } from './style.js';

/** A step message that repeats its units' failures is cut here: the units follow it one per line. */
const MAX_MESSAGE_WITH_UNITS = 200;

export function formatSummary(r: RunRecord, s: Styler): string[] {
  const lines: string[] = [];
  if (r.failures.length > 0) {
    const hard = r.hardFailures().length;
    const handled = r.failures.length - hard;
    lines.push(hard > 0
      ? s.bold(s.red(`FAILED (${hard} failure${hard === 1 ? '' : 's'}${handled > 0 ? `, ${handled} more handled by rescue or ignore_errors` : ''})`))
      : s.bold(s.yellow(`FAILURES HANDLED (${handled}, by rescue or ignore_errors)`)));
    for (const f of r.failures) {
      const how = r.handledAs(f);
      const mark = how ? s.yellow(`! ${how}`) : s.red(f.status === 'unreachable' ? '✖ unreachable' : '✖');
      const [first, ...rest] = messageLines(f);
      lines.push(`  ${mark} ${s.bold(f.host)}  ${phaseLabel(f)}${f.name}: ${first}`);
      for (const l of rest) lines.push(`      ${l}`);
      for (const u of f.units) lines.push(`      ${s.red('✖')} ${u.title}${u.message ? `: ${u.message}` : ''}`);
    }
  }
  if (r.warnings.length > 0) {
    lines.push(s.bold(s.yellow(`WARNINGS (${r.warnings.length})`)));
    for (const w of r.warnings) lines.push(`  ${s.yellow('!')} ${w.host ? `${s.bold(w.host)}  ` : ''}${w.message}${w.count > 1 ? s.dim(` (×${w.count})`) : ''}`);
  }
  return lines;
}

function phaseLabel(f: Failure): string {
  return f.phase === 'main' ? '' : `[${f.phase}] `;
}

/** Lines of a step message kept under its failure (a readiness or proof list), the rest counted. */
const MAX_MESSAGE_LINES = 20;

/**
 * A failure's message: its first line on the failure's own line, the lines after it (a list the step
 * wrote one item a line) below it; cut, and on one line, when the failed units follow anyway.
 */
function messageLines(f: Failure): string[] {
  if (f.units.length > 0) {
    const m = f.message.replace(/\s*\n\s*/g, ' ');
    return [m.length > MAX_MESSAGE_WITH_UNITS ? `${m.slice(0, MAX_MESSAGE_WITH_UNITS - 1)}…` : m];
  }
  const all = f.message.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (all.length === 0) return [''];
  const kept = all.slice(0, MAX_MESSAGE_LINES);
  return all.length > kept.length ? [...kept, `… ${all.length - kept.length} more line(s)`] : kept;
}

/** `--output json`: the summary as one object, written just before `run-end`. */
interface RunSummaryEvent {
  readonly type: 'run-summary';
  readonly failures: ReadonlyArray<{
    readonly host: string; readonly step: string; readonly stepId: string; readonly phase: string; readonly status: string;
    readonly message: string; readonly handled: 'rescued' | 'ignored' | null; readonly units: ReadonlyArray<{ readonly name: string; readonly message: string | null }>;
  }>;
  readonly warnings: ReadonlyArray<{ readonly host: string | null; readonly stepId: string | null; readonly message: string; readonly count: number }>;
}

export function summaryEvent(r: RunRecord): RunSummaryEvent {
  return {
    type: 'run-summary',
    failures: r.failures.map((f) => ({
      host: f.host, step: f.name, stepId: f.stepId, phase: f.phase, status: f.status, message: f.message, handled: r.handledAs(f) ?? null,
      units: f.units.map((u) => ({ name: u.title, message: u.message ?? null })),
    })),
    warnings: r.warnings.map((w) => ({ host: w.host ?? null, stepId: w.stepId ?? null, message: w.message, count: w.count })),
  };
}
