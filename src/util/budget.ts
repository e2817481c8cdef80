// Time budgets for polling (wait_for, follow, reconnecting, CloudStack jobs and verifications). Waits go
// through the caller's sleep (the run's clock), so elapsed time is the larger of the wall clock and the
// time slept: with a real clock that is real time, with a test's instant clock it is the simulated time,
// and the number of polls before the deadline is predictable.

import { formatDuration } from './durations.js';

/** What a budget sleeps with: a step context has both (the run's clock and its cancel signal). */
export interface Waiter {
  sleep(ms: number): Promise<void>;
  readonly signal: AbortSignal;
}

export class Budget {
  private readonly started = Date.now();
  private slept = 0;

  /** `limitMs` may be Infinity (no deadline). */
  constructor(
    private readonly waiter: Waiter,
    readonly limitMs: number,
  ) {}

  get elapsedMs(): number {
    return Math.max(Date.now() - this.started, this.slept);
  }

  get expired(): boolean {
    return this.elapsedMs >= this.limitMs;
  }

  get remainingMs(): number {
    return Math.max(0, this.limitMs - this.elapsedMs);
  }

  /** Sleeps `ms`, never past the deadline; false when the wait was interrupted (the signal fired). */
  async sleep(ms: number): Promise<boolean> {
    const d = Math.min(ms, this.remainingMs);
    if (d > 0) await this.waiter.sleep(d);
    this.slept += d;
    return !this.waiter.signal.aborted;
  }

  /** "1m05s of 5m00s" for progress lines. */
  describe(): string {
    return `${formatDuration(this.elapsedMs)} of ${formatDuration(this.limitMs)}`;
  }
}
