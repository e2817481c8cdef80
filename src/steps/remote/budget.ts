// Time budgets for polling steps (wait_for, follow). Waits go through ctx.sleep (the run's clock), so
// elapsed time is the larger of the wall clock and the time slept: with a real clock that is real
// time, with a test's instant clock it is the simulated time, and the number of polls is predictable.

import type { StepContext } from '../types.js';

export class Budget {
  private slept = 0;
  private readonly start = Date.now();

  constructor(
    private readonly ctx: StepContext,
    readonly limitMs: number,
  ) {}

  elapsedMs(): number {
    return Math.max(Date.now() - this.start, this.slept);
  }

  expired(): boolean {
    return this.elapsedMs() >= this.limitMs;
  }

  remainingMs(): number {
    return Math.max(0, this.limitMs - this.elapsedMs());
  }

  /** Sleeps `ms` (never past the limit); false when the run was interrupted. */
  async sleep(ms: number): Promise<boolean> {
    const d = Math.min(ms, Math.max(this.remainingMs(), 0));
    if (d > 0) await this.ctx.sleep(d);
    this.slept += d;
    return !this.ctx.signal.aborted;
  }
}
