// Bounds the session channels open on one connection (sshd refuses more than MaxSessions, 10 by
// default, and an exec or the sftp subsystem each hold one). Waiters are served first come, first served.

export type Release = () => void;

export class ChannelLimiter {
  private active = 0;
  private readonly waiters: Array<(release: Release) => void> = [];
  private releaseWatchers: Array<() => void> = [];

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxChannelsPerHost must be a positive integer, got ${max}`);
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** Resolves with a release function once a slot is free. Releasing twice is harmless. */
  acquire(): Promise<Release> {
    return new Promise((resolve) => {
      if (this.active < this.max) {
        this.active++;
        resolve(this.releaser());
      } else {
        this.waiters.push(resolve);
      }
    });
  }

  /** Resolves the next time any slot is released (used to retry after the server refused a channel). */
  nextRelease(): Promise<void> {
    return new Promise((resolve) => this.releaseWatchers.push(resolve));
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next(this.releaser()); // hand the slot over: `active` stays the same
      else this.active--;
      const watchers = this.releaseWatchers;
      this.releaseWatchers = [];
      for (const w of watchers) w();
    };
  }
}
