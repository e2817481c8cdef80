// Durations in the DSL: a number means seconds; strings like "500ms", "30s", "5m", "1h30m".

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Node timers hold at most 2^31-1 ms (about 24.8 days); a longer timer fires at once. */
const MAX_DURATION_MS = 2 ** 31 - 1;

type DurationRead = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly tooLong: boolean; readonly message: string };

/** A duration in ms, or why the value is not one (not written like one, or past the timer limit). */
export function readDuration(value: unknown): DurationRead {
  const ms = parseMs(value);
  if (ms === undefined) return { ok: false, tooLong: false, message: "must be a duration like 5, '30s', '5m' or '1h30m'" };
  if (ms > MAX_DURATION_MS) return { ok: false, tooLong: true, message: 'must be at most about 24.8 days (2^31-1 ms, the longest timer Node.js can set)' };
  return { ok: true, ms };
}

function parseMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * 1000;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A duration as a playbook would write it: 300000 → '5m', 5400000 → '1h30m', 1500 → '1500ms'. */
export function writeDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (rest >= size && (rest % size === 0 || unit !== 's')) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}
