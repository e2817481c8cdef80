// Formats loader problems as `file:line:col  CODE  message` with a code frame (a pure function, like
// an ESLint formatter). Used by `validate` and by every command that loads input. A frame never shows
// a secret: lines are masked by what they hold (see frame-lines.ts), registered secret or not.

import type { Problem } from '../diagnostics/problems.js';
import type { Styler } from './style.js';
import { frameLines } from './frame-lines.js';

export function formatProblems(problems: readonly Problem[], sources: ReadonlyMap<string, string>, s: Styler): string {
  const out: string[] = [];
  // each source is split and masked once, however many problems it has (20,000 was quadratic)
  const lines = new Map<string, readonly string[]>();
  for (const p of problems) {
    const where = p.pos ? `${p.pos.file}:${p.pos.line}:${p.pos.col}` : '(input)';
    out.push(`${s.bold(where)}  ${s.red(p.code)}  ${p.message}`);
    if (p.pos) {
      let shown = lines.get(p.pos.file);
      if (shown === undefined) {
        const text = sources.get(p.pos.file);
        if (text !== undefined) lines.set(p.pos.file, (shown = frameLines(text)));
      }
      if (shown !== undefined) out.push(...codeFrame(shown, p.pos.line, p.pos.col, p.pos.length, s));
    }
    if (p.hint) out.push(`    ${s.dim(`hint: ${p.hint}`)}`);
    out.push('');
  }
  out.push(s.red(`${problems.length} problem${problems.length === 1 ? '' : 's'} found; nothing was run.`));
  return out.join('\n');
}

function codeFrame(lines: readonly string[], line: number, col: number, length: number, s: Styler): string[] {
  const out: string[] = [];
  const from = Math.max(1, line - 1);
  const to = Math.min(lines.length, line + 1);
  const width = String(to).length;
  for (let n = from; n <= to; n++) {
    const src = lines[n - 1] ?? '';
    const marker = n === line ? s.red('>') : ' ';
    out.push(`  ${marker} ${s.dim(String(n).padStart(width))} | ${src}`);
    if (n === line) {
      const len = Math.max(1, Math.min(length, src.length - col + 1));
      out.push(`    ${' '.repeat(width)} | ${' '.repeat(Math.max(0, col - 1))}${s.red('^'.repeat(len))}`);
    }
  }
  return out;
}
