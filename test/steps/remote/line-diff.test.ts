import { expect } from 'chai';
import { unifiedDiff } from '../../../src/steps/remote/line-diff.js';

/** Applies a unified diff produced by unifiedDiff to `old` (no fuzz: every context line must match). */
function applyDiff(old: string, diff: string): string {
  const a = old === '' ? [] : old.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let pos = 0;
  const lines = diff.split('\n').slice(2);
  for (let i = 0; i < lines.length; i++) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(lines[i]!);
    if (!h) continue;
    const count = h[2] === undefined ? 1 : Number(h[2]);
    const start = count === 0 ? Number(h[1]) : Number(h[1]) - 1;
    while (pos < start) out.push(a[pos++]!);
    for (i++; i < lines.length && !lines[i]!.startsWith('@@'); i++) {
      const l = lines[i]!;
      if (l === '' || l.startsWith('\\')) continue;
      if (l[0] === ' ' || l[0] === '-') {
        expect(a[pos], `context at ${pos}`).to.equal(l.slice(1));
        pos++;
      }
      if (l[0] === ' ' || l[0] === '+') out.push(l.slice(1));
    }
    i--;
  }
  while (pos < a.length) out.push(a[pos++]!);
  return out.length ? out.join('\n') + '\n' : '';
}

function lcs(a: string[], b: string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
    dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
  }
  return dp[a.length]![b.length]!;
}

describe('unified line diff', () => {
  it('prints hunks with three lines of context like diff -u', () => {
    const old = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n';
    const neu = 'a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\n';
    expect(unifiedDiff(old, neu, { oldLabel: 'x', newLabel: 'y' })).to.equal([
      '--- x', '+++ y', '@@ -2,9 +2,10 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h', ' i', ' j', '+k', '',
    ].join('\n'));
  });

  it('splits distant changes into separate hunks and handles empty sides', () => {
    const old = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n') + '\n';
    const neu = old.replace('l1\n', 'L1\n').replace('l18\n', 'L18\n');
    const d = unifiedDiff(old, neu);
    expect(d.match(/^@@/gm)).to.have.length(2);
    expect(unifiedDiff('', 'new\n')).to.equal('--- old\n+++ new\n@@ -0,0 +1 @@\n+new\n');
    expect(unifiedDiff('gone\n', '')).to.equal('--- old\n+++ new\n@@ -1 +0,0 @@\n-gone\n');
    expect(unifiedDiff('same\n', 'same\n')).to.equal('');
  });

  it('marks a missing final newline', () => {
    expect(unifiedDiff('a\nb', 'a\nc')).to.equal('--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n');
    expect(unifiedDiff('a\n', 'a')).to.include('the final newline is removed');
  });

  it('is a minimal edit that reproduces the new text (random inputs)', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const a = Array.from({ length: rnd(15) }, () => 'abcd'[rnd(4)]!);
      const b = Array.from({ length: rnd(15) }, () => 'abcd'[rnd(4)]!);
      const old = a.length ? a.join('\n') + '\n' : '';
      const neu = b.length ? b.join('\n') + '\n' : '';
      const d = unifiedDiff(old, neu, { context: rnd(4) });
      expect(applyDiff(old, d), `round ${round}`).to.equal(neu);
      const edits = d.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l)).length;
      expect(edits, `round ${round}`).to.equal(a.length + b.length - 2 * lcs(a, b));
    }
  });

  it('summarises instead of searching forever when everything differs', () => {
    const old = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n');
    const neu = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n');
    expect(unifiedDiff(old, neu, { maxEdits: 100 })).to.include('too many differences for a line diff: 3000 → 3000 lines');
  });
});
