// `follow`'s reading of output lines: progress rules (regexes with named groups, phases shown as
// subtasks, counters), failure patterns (a matching line fails the step even when the command exits 0,
// as cloudstack-sysvmadm does) and success patterns (each must match some line). Pure: fed line by line.

import { arg } from '../schema/arg.js';
import type { ValueOf } from '../schema/schema.js';
import type { SubtaskHandle } from '../types.js';
import type { LinearRegex } from '../../util/linear-regex.js';

/** A progress rule; a lone string is its pattern. Patterns are compiled when the playbook is loaded. */
const PROGRESS_RULE = arg.object({
  pattern: arg.pattern('regex a line must match').required(),
  message: arg.string('shown as progress; {name} is replaced by the named group, {line} by the whole line'),
  phase: arg.bool('a match starts a new phase (a subtask titled by the message)'),
  count: arg.string('a match adds one to this counter'),
}, '', { shorthand: 'pattern' });

export const RULE_ARGS = {
  // raw: a pattern's braces are regex syntax, never a template
  progress: arg.list(PROGRESS_RULE, 'rules {pattern, message?, phase?, count?} mapping lines to progress', { single: true }).raw(),
  success: arg.list(arg.pattern(), 'regexes that must each match at least one line', { single: true }).raw(),
  failure: arg.list(arg.pattern(), 'regexes: a matching line fails the step (even on exit code 0)', { single: true }).raw(),
};

export type ProgressRule = ValueOf<typeof PROGRESS_RULE>;

export interface Rules {
  readonly progress: readonly ProgressRule[];
  readonly success: readonly LinearRegex[];
  readonly failure: readonly LinearRegex[];
}

export interface PhaseSummary {
  readonly title: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly failed: number;
}

export interface TrackerSink {
  progress(message: string): void;
  subtask(id: string, title: string): SubtaskHandle;
}

type PhaseEnd = 'ok' | 'failed' | 'interrupted';

interface Phase {
  readonly title: string;
  readonly counts: Record<string, number>;
  failed: number;
  readonly handle: SubtaskHandle;
  /** Counters the phase's title shows already: left out of its status text. */
  readonly inTitle: Set<string>;
}

function fill(template: string, groups: Readonly<Record<string, string | undefined>>, line: string): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name === 'line' ? line : groups[name] ?? whole));
}

function phaseText(p: Phase): string {
  const parts = Object.entries(p.counts).filter(([k]) => !p.inTitle.has(k)).map(([k, v]) => `${k} ${v}`);
  if (p.failed > 0) parts.push(`${p.failed} failed`);
  return parts.join(', ');
}

export class LineTracker {
  readonly failures: string[] = [];
  readonly counts: Record<string, number> = {};
  private readonly phaseList: Phase[] = [];
  private readonly matched: boolean[];

  constructor(
    private readonly rules: Rules,
    private readonly sink: TrackerSink,
  ) {
    this.matched = rules.success.map(() => false);
  }

  private get current(): Phase | undefined {
    return this.phaseList[this.phaseList.length - 1];
  }

  private closePhase(status: PhaseEnd): void {
    const p = this.current;
    if (p) p.handle.update(p.failed > 0 ? 'failed' : status, phaseText(p) || undefined);
  }

  line(text: string): void {
    this.rules.success.forEach((re, i) => {
      if (!this.matched[i] && re.test(text)) this.matched[i] = true;
    });
    if (this.rules.failure.some((re) => re.test(text))) {
      this.failures.push(text);
      this.counts['failures'] = (this.counts['failures'] ?? 0) + 1;
      const p = this.current;
      if (p) {
        p.failed++;
        p.handle.update('running', phaseText(p));
      }
      this.sink.progress(`failure: ${text}`);
    }
    for (const rule of this.rules.progress) {
      const m = rule.pattern.exec(text);
      if (!m) continue;
      const groups = m.groups ?? {};
      const message = rule.message !== undefined ? fill(rule.message, groups, text) : text;
      if (rule.phase === true) {
        this.closePhase('ok');
        const handle = this.sink.subtask(`phase-${this.phaseList.length + 1}`, message);
        this.phaseList.push({ title: message, counts: {}, failed: 0, handle, inTitle: new Set() });
        handle.update('running');
      }
      const p = this.current;
      for (const [name, value] of Object.entries(groups)) {
        if (value === undefined || !/^\d+$/.test(value)) continue;
        this.counts[name] = (this.counts[name] ?? 0) + Number(value);
        if (p) p.counts[name] = Number(value);
        // a phase's own numbers are in its title already ("2 to stop and start: ssvms 2" said it twice)
        if (p && rule.phase === true) p.inTitle.add(name);
      }
      if (rule.count !== undefined) {
        this.counts[rule.count] = (this.counts[rule.count] ?? 0) + 1;
        if (p) p.counts[rule.count] = (p.counts[rule.count] ?? 0) + 1;
      }
      if (p) p.handle.update('running', phaseText(p) || undefined);
      this.sink.progress(p && !rule.phase ? `${p.title}: ${message}` : message);
    }
  }

  /** Ends the open phase: ok, failed (the command failed or timed out) or interrupted (Ctrl-C). */
  finish(end: PhaseEnd): void {
    this.closePhase(end);
  }

  /** Success patterns that matched no line. */
  missingSuccess(): string[] {
    return this.rules.success.filter((_, i) => !this.matched[i]).map((re) => re.source);
  }

  phases(): PhaseSummary[] {
    return this.phaseList.map((p) => ({ title: p.title, counts: { ...p.counts }, failed: p.failed }));
  }
}
