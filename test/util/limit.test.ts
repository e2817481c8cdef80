// Bounded concurrency, one helper for forks and for a step's own `concurrency`: never more than the
// limit at once, every item runs even when one fails, and an interrupt stops new items from starting.

import { expect } from 'chai';
import { forEachLimit } from '../../src/util/limit.js';

/** A task per item that finishes only when the test releases it, so "at once" is observed, not timed. */
function gate() {
  const waiting: Array<() => void> = [];
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  return {
    started,
    get peak() { return peak; },
    run: (i: number) => new Promise<void>((resolve) => {
      started.push(i);
      running++;
      peak = Math.max(peak, running);
      waiting.push(() => { running--; resolve(); });
    }),
    async releaseAll(): Promise<void> {
      while (waiting.length > 0) {
        waiting.shift()!();
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

describe('util: forEachLimit', () => {
  it('runs at most `limit` items at once, in order', async () => {
    const g = gate();
    const done = forEachLimit([0, 1, 2, 3, 4, 5, 6], 3, (i) => g.run(i));
    await new Promise((r) => setImmediate(r));
    expect(g.started).to.deep.equal([0, 1, 2]);
    await g.releaseAll();
    await done;
    expect(g.started).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    expect(g.peak).to.equal(3);
  });

  it('runs every item when one throws, then throws the first error', async () => {
    const seen: number[] = [];
    const err = await forEachLimit([1, 2, 3, 4], 2, async (i) => {
      seen.push(i);
      if (i === 2 || i === 3) throw new Error(`item ${i}`);
    }).catch((e: Error) => e);
    expect(seen).to.deep.equal([1, 2, 3, 4]);
    expect((err as Error).message).to.equal('item 2');
  });

  it('starts no new item once the signal fired; the running ones finish', async () => {
    const ac = new AbortController();
    const g = gate();
    const done = forEachLimit([0, 1, 2, 3, 4], 2, (i) => g.run(i), { signal: ac.signal });
    await new Promise((r) => setImmediate(r));
    ac.abort();
    await g.releaseAll();
    await done;
    expect(g.started).to.deep.equal([0, 1]);
  });
});
