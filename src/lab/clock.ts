// Time source for the lab: every delay and timestamp goes through a LabClock so tests can swap in a
// ManualClock and advance lab time explicitly instead of sleeping. Lab durations are divided by the
// lab's speed before they reach the clock (see LabTime).

/** Opaque timer handle returned by a LabClock. */
export interface TimerHandle {
  readonly id: number;
}

export interface LabClock {
  /** Wall-clock epoch milliseconds; used for timestamps and `expires` checks. */
  now(): number;
  /** Calls fn after ms (clock) milliseconds. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** Real time: Node timers, unref'd so a forgotten lab cannot keep a process alive. */
export class RealClock implements LabClock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private next = 1;

  now(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.next++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, Math.max(0, ms));
    t.unref();
    this.timers.set(id, t);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t) clearTimeout(t);
    this.timers.delete(handle.id);
  }
}

interface ManualTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * Virtual time for deterministic tests: nothing happens until advance() is called. Timers fire in due
 * order; between timers advance() yields to the event loop so promise chains and socket I/O started by
 * a timer can run before the next one fires.
 */
export class ManualClock implements LabClock {
  private current: number;
  private readonly timers = new Map<number, ManualTimer>();
  private next = 1;

  constructor(start: number = Date.UTC(2025, 10, 24, 13, 52, 7)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.next++;
    this.timers.set(id, { id, due: this.current + Math.max(0, ms), fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Number of timers not yet fired. */
  pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by ms, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      let first: ManualTimer | undefined;
      for (const t of this.timers.values()) {
        if (t.due <= target && (!first || t.due < first.due || (t.due === first.due && t.id < first.id))) first = t;
      }
      if (!first) break;
      this.timers.delete(first.id);
      this.current = Math.max(this.current, first.due);
      first.fn();
    }
    this.current = target;
    await settle();
  }
}

/** Lets queued promise callbacks and already-arrived I/O callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Lab time on top of a clock: durations in lab milliseconds, divided by the speed factor. */
export class LabTime {
  private readonly live = new Set<TimerHandle>();
  private closed = false;

  constructor(
    readonly clock: LabClock,
    readonly speed: number,
  ) {}

  /** Lab shutdown: cancels every pending lab timer; later ones never fire (their sleeps never end). */
  close(): void {
    this.closed = true;
    for (const h of this.live) this.clock.clearTimer(h);
    this.live.clear();
  }

  now(): number {
    return this.clock.now();
  }

  /** Clock milliseconds for a lab duration. */
  scale(labMs: number): number {
    return labMs / this.speed;
  }

  after(labMs: number, fn: () => void): TimerHandle {
    if (this.closed) return { id: -1 };
    const h: TimerHandle = this.clock.setTimer(this.scale(labMs), () => {
      this.live.delete(h);
      fn();
    });
    this.live.add(h);
    return h;
  }

  cancel(handle: TimerHandle): void {
    this.live.delete(handle);
    this.clock.clearTimer(handle);
  }

  sleep(labMs: number): Promise<void> {
    return new Promise((resolve) => this.after(labMs, resolve));
  }
}

/** CloudStack's date format, `yyyy-MM-dd'T'HH:mm:ssZ` in UTC, e.g. 2025-11-24T13:52:07+0000. */
const dateMemo = new Map<number, string>();

export function csDate(ms: number): string {
  const sec = Math.floor(ms / 1000);
  let v = dateMemo.get(sec);
  if (v === undefined) {
    v = new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');
    if (dateMemo.size > 10_000) dateMemo.clear();
    dateMemo.set(sec, v);
  }
  return v;
}
