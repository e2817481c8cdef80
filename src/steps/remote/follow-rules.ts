// `follow`'s reading of output lines: progress rules (regexes with named groups, phases shown as
// subtasks, counters), failure patterns (a matching line fails the step even when the command exits 0,
// as cloudstack-sysvmadm does) and success patterns (each must match some line). Pure: fed line by line.

import { StepFailedError, type SubtaskHandle } from '../types.js';

export interface ProgressRuleArg {
  readonly pattern: string;
  /** Shown as progress; `{name}` is replaced by the named group (or `{line}` by the whole line). */
  readonly message?: string;
  /** A match starts a new phase (a subtask titled by the message). */
  readonly phase?: boolean;
  /** A match adds one to this counter. */
  readonly count?: string;
}

interface Rule {
  readonly re: RegExp;
  readonly message: string | undefined;
  readonly phase: boolean;
  readonly count: string | undefined;
}

export interface Rules {
  readonly progress: readonly Rule[];
  readonly success: readonly RegExp[];
  readonly failure: readonly RegExp[];
}

export interface PhaseSummary {
  readonly title: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly failed: number;
}

function compile(pattern: unknown, what: string): RegExp {
  if (typeof pattern !== 'string') throw new StepFailedError(`${what}: a pattern must be a string`);
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new StepFailedError(`${what}: invalid regex /${pattern}/: ${(err as Error).message}`);
  }
}

function list(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** Compiles the step's rules; a bad regex is reported with where it is. */
export function compileRules(progress: unknown, success: unknown, failure: unknown): Rules {
  const rules = list(progress).map((r, i): Rule => {
    const o: Partial<ProgressRuleArg> = typeof r === 'string' ? { pattern: r } : (r as Partial<ProgressRuleArg>) ?? {};
    if (o === null || typeof o !== 'object') throw new StepFailedError(`progress[${i}]: expected {pattern, message?, phase?, count?}`);
    return {
      re: compile(o.pattern, `progress[${i}]`),
      message: typeof o.message === 'string' ? o.message : undefined,
      phase: o.phase === true,
      count: typeof o.count === 'string' ? o.count : undefined,
    };
  });
  return {
    progress: rules,
    success: list(success).map((p, i) => compile(p, `success[${i}]`)),
    failure: list(failure).map((p, i) => compile(p, `failure[${i}]`)),
  };
}

/** Static check for the loader: report each bad regex under its argument. */
export function ruleProblems(progress: unknown, success: unknown, failure: unknown): Array<{ arg: string; message: string }> {
  const out: Array<{ arg: string; message: string }> = [];
  const tryOne = (arg: string, p: unknown): void => {
    if (typeof p !== 'string' || p.includes('{{')) return;
    try {
      new RegExp(p);
    } catch (err) {
      out.push({ arg, message: `invalid regex /${p}/: ${(err as Error).message}` });
    }
  };
  for (const r of list(progress)) tryOne('progress', typeof r === 'string' ? r : (r as { pattern?: unknown } | null)?.pattern);
  for (const p of list(success)) tryOne('success', p);
  for (const p of list(failure)) tryOne('failure', p);
  return out;
}

export interface TrackerSink {
  progress(message: string): void;
  subtask(id: string, title: string): SubtaskHandle;
}

interface Phase {
  readonly title: string;
  readonly counts: Record<string, number>;
  failed: number;
  readonly handle: SubtaskHandle;
}

function fill(template: string, groups: Readonly<Record<string, string | undefined>>, line: string): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name === 'line' ? line : groups[name] ?? whole));
}

function phaseText(p: Phase): string {
  const parts = Object.entries(p.counts).map(([k, v]) => `${k} ${v}`);
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

  private closePhase(status: 'ok' | 'failed'): void {
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
      const m = rule.re.exec(text);
      if (!m) continue;
      const groups = m.groups ?? {};
      const message = rule.message !== undefined ? fill(rule.message, groups, text) : text;
      if (rule.phase) {
        this.closePhase('ok');
        const handle = this.sink.subtask(`phase-${this.phaseList.length + 1}`, message);
        this.phaseList.push({ title: message, counts: {}, failed: 0, handle });
        handle.update('running');
      }
      const p = this.current;
      for (const [name, value] of Object.entries(groups)) {
        if (value === undefined || !/^\d+$/.test(value)) continue;
        this.counts[name] = (this.counts[name] ?? 0) + Number(value);
        if (p) p.counts[name] = Number(value);
      }
      if (rule.count !== undefined) {
        this.counts[rule.count] = (this.counts[rule.count] ?? 0) + 1;
        if (p) p.counts[rule.count] = (p.counts[rule.count] ?? 0) + 1;
      }
      if (p) p.handle.update('running', phaseText(p) || undefined);
      this.sink.progress(p && !rule.phase ? `${p.title}: ${message}` : message);
    }
  }

  /** Ends the open phase: ok, or failed when the command failed or was stopped. */
  finish(ok: boolean): void {
    this.closePhase(ok ? 'ok' : 'failed');
  }

  /** Success patterns that matched no line. */
  missingSuccess(): string[] {
    return this.rules.success.filter((_, i) => !this.matched[i]).map((re) => re.source);
  }

  phases(): PhaseSummary[] {
    return this.phaseList.map((p) => ({ title: p.title, counts: { ...p.counts }, failed: p.failed }));
  }
}
