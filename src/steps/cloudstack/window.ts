// Rolling work for the CloudStack steps that act on many VMs: at most N units in flight and the next one
// starts as soon as any finishes, so no unit waits for the slowest member of a batch. The units of a chain
// (a redundant pair, BACKUP first) run one after the other; optional caps per zone and per hypervisor host.

export interface WindowLimits {
  /** Units in flight at once. */
  readonly concurrency: number;
  /** Units in flight in one zone at once (undefined: no cap). */
  readonly perZone?: number | undefined;
  /** Units in flight on one hypervisor host at once (undefined: no cap). */
  readonly perHost?: number | undefined;
}

/** Where a unit acts: its zone and the hypervisor hosts of the VMs it takes down or restarts. */
export interface Placement {
  readonly zone: string;
  readonly hosts: readonly string[];
}

export interface WindowHooks<U> {
  place(unit: U): Placement;
  /** Runs one unit; 'stop' leaves the rest of its chain undone (its peer failed). Should not throw. */
  run(unit: U): Promise<'continue' | 'stop'>;
  /** A unit that will not run: the rest of a stopped chain, or everything not started when interrupted. */
  left(unit: U, why: 'chain-stopped' | 'interrupted', cause?: U): void;
}

interface ChainState<U> {
  readonly units: readonly U[];
  next: number;
  running: boolean;
  done: boolean;
}

/**
 * Runs every chain through the window. Chains already under way get the next free slot before chains
 * not started yet (a pair is finished before new pairs begin); a unit whose zone or host is at its cap is
 * passed over for one that fits, so one busy host never idles the window. With nothing in flight every
 * unit fits (caps are at least 1), so the window always drains. Resolves when every unit ran or was left.
 */
export function runWindow<U>(chains: ReadonlyArray<readonly U[]>, limits: WindowLimits, hooks: WindowHooks<U>, signal?: AbortSignal): Promise<void> {
  const states: Array<ChainState<U>> = chains.filter((c) => c.length > 0).map((units) => ({ units, next: 0, running: false, done: false }));
  const cap = Math.max(1, Math.floor(limits.concurrency));
  const zones = new Map<string, number>();
  const hosts = new Map<string, number>();
  let inFlight = 0;

  const fits = (p: Placement): boolean =>
    (limits.perZone === undefined || (zones.get(p.zone) ?? 0) < limits.perZone) &&
    (limits.perHost === undefined || p.hosts.every((h) => (hosts.get(h) ?? 0) < limits.perHost!));
  const take = (p: Placement, d: 1 | -1): void => {
    zones.set(p.zone, (zones.get(p.zone) ?? 0) + d);
    for (const h of new Set(p.hosts)) hosts.set(h, (hosts.get(h) ?? 0) + d);
  };

  return new Promise<void>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      for (const s of states) {
        if (s.done) continue;
        s.done = true;
        for (const u of s.units.slice(s.next)) hooks.left(u, 'interrupted');
      }
      resolve();
    };
    const start = (s: ChainState<U>): void => {
      const unit = s.units[s.next]!;
      const p = hooks.place(unit);
      s.running = true;
      inFlight++;
      take(p, 1);
      void hooks.run(unit).catch(() => 'stop' as const).then((verdict) => {
        take(p, -1);
        inFlight--;
        s.running = false;
        s.next++;
        if (verdict === 'stop' && s.next < s.units.length) {
          for (const rest of s.units.slice(s.next)) hooks.left(rest, 'chain-stopped', unit);
          s.next = s.units.length;
        }
        if (s.next >= s.units.length) s.done = true;
        pump();
      });
    };
    const pump = (): void => {
      if (finished) return;
      if (!signal?.aborted) {
        for (const underWay of [true, false]) {
          for (const s of states) {
            if (inFlight >= cap) break;
            if (s.done || s.running || (s.next > 0) !== underWay) continue;
            if (fits(hooks.place(s.units[s.next]!))) start(s);
          }
        }
      }
      if (inFlight === 0) finish();
    };
    signal?.addEventListener('abort', () => {
      if (inFlight === 0) finish();
    }, { once: true });
    pump();
  });
}

/** The window in words, for plans and progress: "at most 5 at a time, …". */
export function describeWindow(limits: WindowLimits, noun: string): string {
  const parts = [`at most ${Math.max(1, Math.floor(limits.concurrency))} ${noun} at a time, the next starting as soon as one finishes`];
  if (limits.perZone !== undefined) parts.push(`at most ${limits.perZone} per zone`);
  if (limits.perHost !== undefined) parts.push(`at most ${limits.perHost} per host`);
  return parts.join('; ');
}
