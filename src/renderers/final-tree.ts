// The task list's last screen: every play and step of the playbook with what happened to it, drawn from
// the run's record when the live list ends. A block with a failure inside is marked failed, a play or
// step that never ran is marked so (never green), `log` messages and dry-run plans stay on screen.

import type { Play, Playbook, Step } from '../loader/ast.js';
import type { HostResult, RunRecord, StepRecord } from './run-record.js';
import type { Styler } from './style.js';

/** Hosts (or failed units) listed under one step before the rest are counted. */
const MAX_LISTED = 8;
/** Lines of one `log` step's output, or of one plan, kept on the final screen. */
const MAX_LINES = 20;

type Mark = 'ok' | 'changed' | 'would' | 'failed' | 'handled' | 'skipped' | 'unknown' | 'not-run' | 'interrupted';

export function formatFinalTree(playbook: Playbook, r: RunRecord, s: Styler): string[] {
  const marks: Record<Mark, string> = {
    ok: s.green('✔'), changed: s.yellow('✔'), would: s.yellow('~'), failed: s.red('✖'), handled: s.yellow('!'), skipped: s.dim('↓'),
    unknown: s.cyan('?'), 'not-run': s.dim('◌'), interrupted: s.yellow('■'),
  };
  const out: string[] = [];
  const line = (depth: number, mark: Mark, text: string): void => {
    out.push(`${'  '.repeat(depth)}${marks[mark]} ${mark === 'not-run' || mark === 'skipped' ? s.dim(text) : text}`);
  };
  const detail = (depth: number, text: string): void => {
    out.push(`${'  '.repeat(depth)}${s.dim('›')} ${text}`);
  };

  /** The mark of a step from its hosts; a block also takes the marks of the steps inside it. */
  const markOf = (rec: StepRecord | undefined, inner: Mark[]): Mark => {
    const results = rec ? [...rec.hosts.values()] : [];
    if (results.length === 0 && inner.every((m) => m === 'not-run')) return r.status === 'interrupted' ? 'interrupted' : 'not-run';
    if (results.some((h) => (h.status === 'failed' || h.status === 'unreachable') && !h.ignored)) return 'failed';
    // a block that ended well (rescued) or whose errors are ignored, with failures inside: handled
    const innerBad = inner.includes('failed') || inner.includes('handled');
    if (results.some((h) => h.ignored) || (innerBad && results.length > 0)) return 'handled';
    // a block that never ended (an interrupt, a kill) around a failed step
    if (inner.includes('failed')) return 'failed';
    // a block left in the middle by an interrupt
    if (inner.includes('interrupted')) return 'interrupted';
    if (results.some((h) => h.status === 'unknown')) return 'unknown';
    if (results.length > 0 && results.every((h) => h.status === 'skipped')) return 'skipped';
    if (results.some((h) => h.status === 'changed')) return r.dryRun && results.some((h) => h.plan !== undefined) ? 'would' : 'changed';
    return 'ok';
  };

  const counts = (rec: StepRecord): string => {
    const hosts = [...rec.hosts.values()];
    // "[skipped]" says it all
    if (hosts.every((h) => h.status === 'skipped')) return '';
    if (hosts.length === 1 && hosts[0]!.status === 'changed') return s.dim(r.dryRun ? ' [would change]' : ' [changed]');
    if (hosts.length <= 1) return '';
    const n = new Map<string, number>();
    for (const h of hosts) {
      const k = h.ignored ? 'ignored' : r.dryRun && h.status === 'changed' ? 'would change' : h.status;
      n.set(k, (n.get(k) ?? 0) + 1);
    }
    return s.dim(` [${[...n].map(([k, c]) => `${k} ${c}`).join(', ')}]`);
  };

  /** One host's message short enough to sit on the step's own line. */
  const inline = (rec: StepRecord): string => {
    const hosts = [...rec.hosts.values()];
    if (hosts.length !== 1 || rec.logLines.length > 1) return '';
    const h = hosts[0]!;
    const text = h.status === 'failed' || h.status === 'unreachable' ? `${h.msg ?? h.status}${h.ignored ? ' (ignored)' : ''}` : h.plan ?? h.msg;
    if (text === undefined || text === '' || text.includes('\n')) return '';
    return `: ${h.status === 'failed' || h.status === 'unreachable' ? s.red(text) : text}`;
  };

  /** Lines under a step: failed hosts and units, `log` output, plans and messages that do not fit its line. */
  const details = (rec: StepRecord, depth: number): void => {
    const hosts = [...rec.hosts];
    const single = hosts.length === 1;
    const onLine = inline(rec) !== '';
    const bad = hosts.filter(([, h]) => h.status === 'failed' || h.status === 'unreachable');
    if (!onLine) {
      for (const [host, h] of bad.slice(0, MAX_LISTED)) block(depth, s.red(`${single ? '' : `${host}: `}${h.msg ?? h.status}${h.ignored ? ' (ignored)' : ''}`));
      if (bad.length > MAX_LISTED) detail(depth, s.dim(`… and ${bad.length - MAX_LISTED} more host(s) failed`));
    }
    const units = r.failures.filter((f) => f.stepId === rec.stepId).flatMap((f) => f.units);
    for (const u of units.slice(0, MAX_LISTED)) detail(depth, s.red(`✖ ${u.title}${u.message ? `: ${u.message}` : ''}`));
    if (units.length > MAX_LISTED) detail(depth, s.dim(`… and ${units.length - MAX_LISTED} more failed (every one in the summary below)`));
    if (rec.logLines.length > 1) {
      const oneHost = new Set(rec.logLines.map((x) => x.host)).size === 1;
      const logs = rec.logLines.map((l) => (oneHost ? l.line : `${l.host}: ${l.line}`));
      for (const text of logs.slice(0, MAX_LINES)) detail(depth, text);
      const more = logs.length - Math.min(logs.length, MAX_LINES) + rec.logDropped;
      if (more > 0) detail(depth, s.dim(`… ${more} more line(s)`));
      return;
    }
    if (onLine) return;
    for (const [host, h] of hosts.slice(0, MAX_LISTED)) {
      if (h.status === 'failed' || h.status === 'unreachable') continue;
      const text = h.plan ?? (h.status === 'unknown' || single || rec.stepType === 'log' ? h.msg : undefined);
      if (text !== undefined && text !== '') block(depth, `${single ? '' : `${host}: `}${text}`);
    }
  };

  /** A possibly multi-line text under a step, cut after MAX_LINES lines. */
  const block = (depth: number, text: string): void => {
    const lines = text.split('\n');
    detail(depth, lines[0]!);
    for (const l of lines.slice(1, MAX_LINES)) out.push(`${'  '.repeat(depth)}  ${l}`);
    if (lines.length > MAX_LINES) out.push(`${'  '.repeat(depth)}  ${s.dim(`… ${lines.length - MAX_LINES} more line(s): stackplay show ${r.runId}`)}`);
  };

  /** Draws a step (and what is inside a block) and returns its mark. */
  const drawStep = (st: Step, depth: number, phaseLabel = ''): Mark => {
    const rec = r.steps.get(st.id);
    const at = out.length;
    let mark: Mark;
    if (st.kind === 'block') {
      const sections: Array<[string, readonly Step[]]> = [['', st.block], ['rescue', st.rescue], ['always', st.always]];
      const innerOut: string[] = [];
      const inner: Mark[] = [];
      const saved = out.splice(at);
      for (const [label, steps] of sections) for (const child of steps) inner.push(drawStep(child, depth + 1, label));
      innerOut.push(...out.splice(at));
      out.push(...saved);
      mark = markOf(rec, inner);
      const how = r.handledBlock(st.id);
      line(depth, mark, `${phaseLabel ? s.dim(`[${phaseLabel}] `) : ''}${st.name}${rec ? counts(rec) : ''}${how ? s.dim(` [${how}]`) : ''}${suffix(mark)}`);
      // a block skipped or never reached as a whole is one line
      if (mark !== 'not-run' && mark !== 'skipped' && mark !== 'interrupted') out.push(...innerOut);
      return mark;
    }
    mark = markOf(rec, []);
    line(depth, mark, `${phaseLabel ? s.dim(`[${phaseLabel}] `) : ''}${st.name}${rec ? `${counts(rec)}${inline(rec)}` : ''}${suffix(mark)}`);
    if (rec) details(rec, depth + 1);
    return mark;
  };

  const suffix = (m: Mark): string =>
    m === 'not-run' ? s.dim(' [not run]') : m === 'skipped' ? s.dim(' [skipped]') : m === 'interrupted' ? s.dim(' [not run: interrupted]') : '';

  const drawPlay = (play: Play): void => {
    const p = r.plays.get(play.index);
    if (!p) {
      line(0, r.status === 'interrupted' ? 'interrupted' : 'not-run', `${play.name}${suffix(r.status === 'interrupted' ? 'interrupted' : 'not-run')}`);
      return;
    }
    const at = out.length;
    const inner = play.steps.map((st) => drawStep(st, 1));
    const handlers = play.handlers.filter((h) => r.steps.get(h.id)?.hosts.size);
    if (handlers.length > 0) {
      out.push(`  ${s.dim('handlers')}`);
      for (const h of handlers) inner.push(drawStep(h, 2));
    }
    const undo = r.undo.get(play.index) ?? [];
    if (undo.length > 0) {
      out.push(`  ${s.dim(r.dryRun ? 'undo (would revert changes)' : 'undo (reverting changes)')}`);
      for (const id of undo) {
        const rec = r.steps.get(id)!;
        const mark = markOf(rec, []);
        inner.push(mark);
        line(2, mark, `${rec.name}${counts(rec)}${inline(rec)}`);
        details(rec, 3);
      }
    }
    const body = out.splice(at);
    // failures a rescue or ignore_errors dealt with are marked at their step, not on the play
    const mark: Mark = inner.includes('failed') ? 'failed' : !p.ended || inner.includes('interrupted') ? 'interrupted' : 'ok';
    line(0, mark, `${play.name}${s.dim(` [${p.hosts.join(', ') || 'no hosts'}]`)}`);
    out.push(...body);
  };

  for (const play of playbook.plays) drawPlay(play);
  return out;
}
