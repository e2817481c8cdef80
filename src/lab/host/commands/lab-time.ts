// Commands that deal with time on a lab host: `sleep` waits lab time (so it runs `speed` times faster),
// `date` prints lab time in UTC. Also the systemd time-span parser shared with systemd-run.

import { csDate } from '../../clock.js';
import type { LabCore } from '../../core.js';
import type { CommandImpl } from '../shell/types.js';

const UNITS: Record<string, number> = {
  us: 0.001, usec: 0.001, ms: 1, msec: 1, s: 1000, sec: 1000, second: 1000, seconds: 1000, m: 60_000, min: 60_000,
  minute: 60_000, minutes: 60_000, h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000, d: 86_400_000,
  day: 86_400_000, days: 86_400_000, w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

/** systemd.time(7) spans: "90", "30s", "5min", "1h 30min", "2h30m". Milliseconds, or undefined. */
export function parseTimeSpan(s: string): number | undefined {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  const compact = t.replace(/\s+/g, ' ');
  re.lastIndex = 0;
  while ((m = re.exec(compact))) {
    const unit = UNITS[m[2]!];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    consumed = re.lastIndex;
    if (compact[re.lastIndex] === ' ') re.lastIndex++;
  }
  return consumed === compact.length && consumed > 0 ? total : undefined;
}

/** Waits lab time; a kill of the waiting process (its signal) ends the wait early and drops the timer. */
export function labSleep(core: LabCore, labMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = (): void => {
      core.time.cancel(h);
      resolve();
    };
    const h = core.time.after(labMs, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function sleepCommand(core: LabCore): CommandImpl {
  return async (argv, io, ctx) => {
    let total = 0;
    for (const a of argv.slice(1)) {
      const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(a);
      if (!m) {
        io.err(`sleep: invalid time interval '${a}'\n`);
        return 1;
      }
      total += Number(m[1]) * ({ '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!] ?? 1000);
    }
    if (argv.length < 2) {
      io.err('sleep: missing operand\n');
      return 1;
    }
    await labSleep(core, total, ctx.signal);
    return 0;
  };
}

export function dateCommand(core: LabCore): CommandImpl {
  return async (argv, io) => {
    const d = new Date(core.time.now());
    const fmt = argv.slice(1).find((a) => a.startsWith('+'));
    if (argv.includes('--iso-8601=seconds') || argv.includes('-Iseconds')) {
      io.out(csDate(d.getTime()).replace(/\+0000$/, '+00:00') + '\n');
      return 0;
    }
    const p = (n: number): string => String(n).padStart(2, '0');
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const f: Record<string, string> = {
      Y: String(d.getUTCFullYear()), m: p(d.getUTCMonth() + 1), d: p(d.getUTCDate()), H: p(d.getUTCHours()), M: p(d.getUTCMinutes()),
      S: p(d.getUTCSeconds()), s: String(Math.floor(d.getTime() / 1000)), Z: 'UTC', z: '+0000', a: days[d.getUTCDay()]!,
      b: months[d.getUTCMonth()]!, '%': '%',
    };
    f.F = `${f.Y}-${f.m}-${f.d}`;
    f.T = `${f.H}:${f.M}:${f.S}`;
    const text = fmt ? fmt.slice(1).replace(/%([a-zA-Z%])/g, (all, k: string) => f[k] ?? all) : `${f.a} ${f.b} ${p(d.getUTCDate())} ${f.T} UTC ${f.Y}`;
    io.out(text + '\n');
    return 0;
  };
}
