// A small unified line diff for dry runs of `copy` and `template`: Myers' O(ND) shortest edit script,
// grouped into hunks with context lines like `diff -u`. Very different large files get a summary
// instead of an unbounded search.

export interface DiffOptions {
  readonly context?: number;
  readonly oldLabel?: string;
  readonly newLabel?: string;
  /** Give up on a line diff past this many edits (the summary line is shown instead). */
  readonly maxEdits?: number;
}

type Op = { readonly kind: ' ' | '-' | '+'; readonly text: string; readonly a: number; readonly b: number };

function splitLines(text: string): { lines: string[]; noNewline: boolean } {
  if (text === '') return { lines: [], noNewline: false };
  const lines = text.split('\n');
  const noNewline = !text.endsWith('\n');
  if (!noNewline) lines.pop();
  return { lines, noNewline };
}

/** Myers' greedy algorithm with a trace for backtracking; null when the edit distance exceeds `max`. */
function editScript(a: readonly string[], b: readonly string[], max: number): Op[] | null {
  const n = a.length;
  const m = b.length;
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    v = next;
    if (found >= 0) break;
  }
  if (found < 0) return null;
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const tv = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && tv[offset + k - 1]! < tv[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = tv[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', text: a[x - 1]!, a: x - 1, b: y - 1 });
      x--;
      y--;
    }
    if (down) ops.push({ kind: '+', text: b[y - 1]!, a: x, b: y - 1 });
    else ops.push({ kind: '-', text: a[x - 1]!, a: x - 1, b: y });
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: ' ', text: a[x - 1]!, a: x - 1, b: y - 1 });
    x--;
    y--;
  }
  return ops.reverse();
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
}

/** A unified diff of two texts; empty string when they are equal. */
export function unifiedDiff(oldText: string, newText: string, o: DiffOptions = {}): string {
  if (oldText === newText) return '';
  const context = o.context ?? 3;
  const A = splitLines(oldText);
  const B = splitLines(newText);
  const header = `--- ${o.oldLabel ?? 'old'}\n+++ ${o.newLabel ?? 'new'}\n`;
  const ops = editScript(A.lines, B.lines, o.maxEdits ?? 2000);
  if (ops === null) return `${header}@@ too many differences for a line diff: ${A.lines.length} → ${B.lines.length} lines @@\n`;
  if (!ops.some((op) => op.kind !== ' ')) {
    // Only the final newline differs.
    return `${header}@@ ${A.noNewline ? 'a final newline is added' : 'the final newline is removed'} @@\n`;
  }
  const changes = ops.map((op, i) => (op.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  const hunks: Array<[number, number]> = [];
  for (const i of changes) {
    const lo = Math.max(0, i - context);
    const hi = Math.min(ops.length - 1, i + context);
    const last = hunks[hunks.length - 1];
    if (last && lo <= last[1] + 1) last[1] = hi;
    else hunks.push([lo, hi]);
  }
  let out = header;
  for (const [lo, hi] of hunks) {
    const slice = ops.slice(lo, hi + 1);
    const first = slice[0]!;
    const aCount = slice.filter((op) => op.kind !== '+').length;
    const bCount = slice.filter((op) => op.kind !== '-').length;
    out += `@@ -${range(first.a + 1, aCount)} +${range(first.b + 1, bCount)} @@\n`;
    for (const op of slice) {
      out += `${op.kind}${op.text}\n`;
      const lastOld = op.kind !== '+' && op.a === A.lines.length - 1 && A.noNewline;
      const lastNew = op.kind !== '-' && op.b === B.lines.length - 1 && B.noNewline;
      if ((op.kind === '-' && lastOld) || (op.kind === '+' && lastNew) || (op.kind === ' ' && (lastOld || lastNew))) {
        out += '\\ No newline at end of file\n';
      }
    }
  }
  return out;
}
