// One time budget for every polling step: elapsed time follows the time slept through the run's clock
// (an instant clock in tests), a sleep never runs past the deadline, and an interrupt ends the wait.

import { expect } from 'chai';
import { Budget, type Waiter } from '../../src/util/budget.js';

/** A waiter whose sleeps return at once and are recorded, like a test run's instant clock. */
function instant(signal = new AbortController().signal): Waiter & { slept: number[] } {
  const slept: number[] = [];
  return { slept, signal, sleep: async (ms) => void slept.push(ms) };
}

describe('util: Budget', () => {
  it('counts the time slept, so an instant clock still reaches the deadline after limit/interval waits', async () => {
    const w = instant();
    const b = new Budget(w, 10_000);
    let polls = 0;
    while (!b.expired) {
      polls++;
      expect(await b.sleep(3_000)).to.equal(true);
    }
    expect(polls).to.equal(4);
    expect(w.slept).to.deep.equal([3_000, 3_000, 3_000, 1_000]); // the last wait stops at the deadline
    expect(b.elapsedMs).to.equal(10_000);
    expect(b.remainingMs).to.equal(0);
    expect(b.describe()).to.equal('10s of 10s');
  });

  it('does not sleep at all once the deadline has passed', async () => {
    const w = instant();
    const b = new Budget(w, 0);
    expect(b.expired).to.equal(true);
    await b.sleep(5_000);
    expect(w.slept).to.deep.equal([]);
  });

  it('answers false once the signal fired (the run was interrupted)', async () => {
    const ac = new AbortController();
    const b = new Budget(instant(ac.signal), 60_000);
    expect(await b.sleep(1_000)).to.equal(true);
    ac.abort();
    expect(await b.sleep(1_000)).to.equal(false);
  });

  it('an Infinity budget never expires', async () => {
    const b = new Budget(instant(), Infinity);
    await b.sleep(1e9);
    expect(b.expired).to.equal(false);
  });
});
