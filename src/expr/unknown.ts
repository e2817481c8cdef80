// Unknown: a value a dry run cannot predict (the result of a skipped write step, a value derived from
// one). Conditions and templates propagate it instead of guessing, so the plan can say "unknown"
// rather than silently taking a branch. Its string form is a marker that survives string building.

/** Start of the marker that `String(unknown)` produces; `replaceUnknownMarks` turns it into text. */
export const UNKNOWN_MARK = '\uE000unknown:';
const MARK_END = '\uE001';
// Case-insensitive because an upper-casing helper may have touched the marker; the reason is hex so
// that case folding and JSON escaping cannot damage it.
const MARK_PATTERN = /\uE000unknown:([0-9a-f]*)\uE001/gi;
const MARK_TEST = /\uE000unknown:[0-9a-f]*\uE001/i;

export class Unknown {
  readonly reason: string;

  constructor(reason: string) {
    this.reason = reason;
    Object.freeze(this);
  }

  /** A marker carrying the reason; detected after string rendering. */
  toString(): string {
    return UNKNOWN_MARK + Buffer.from(this.reason, 'utf8').toString('hex') + MARK_END;
  }

  toJSON(): string {
    return this.toString();
  }
}

export function isUnknown(value: unknown): value is Unknown {
  return value instanceof Unknown;
}

/** True if the string contains at least one Unknown marker. */
export function hasUnknownMark(text: string): boolean {
  return text.includes('\uE000') && MARK_TEST.test(text);
}

/** The Unknowns whose markers appear in `text`, in order, without duplicate reasons. */
export function unknownsInString(text: string): Unknown[] {
  if (!text.includes('\uE000')) return [];
  const seen = new Set<string>();
  const found: Unknown[] = [];
  for (const match of text.matchAll(MARK_PATTERN)) {
    const reason = Buffer.from(match[1] ?? '', 'hex').toString('utf8');
    if (!seen.has(reason)) {
      seen.add(reason);
      found.push(new Unknown(reason));
    }
  }
  return found;
}

/** Replaces every Unknown marker with `replacement` (for display). */
export function replaceUnknownMarks(text: string, replacement = '<unknown>'): string {
  if (!text.includes('\uE000')) return text;
  return text.replace(MARK_PATTERN, () => replacement);
}

/** One Unknown standing for several: reasons joined, duplicates dropped. */
export function combineUnknowns(unknowns: readonly Unknown[]): Unknown {
  const first = unknowns[0];
  if (unknowns.length === 1 && first) return first;
  const reasons = [...new Set(unknowns.map((u) => u.reason))];
  return new Unknown(reasons.length > 0 ? reasons.join('; ') : 'unknown value');
}

/** The first Unknown nested anywhere in a list/map value (or the value itself), if any. */
export function findUnknownDeep(value: unknown, depth = 0): Unknown | undefined {
  if (value instanceof Unknown) return value;
  if (depth > 100 || value === null || typeof value !== 'object') {
    if (typeof value === 'string' && hasUnknownMark(value)) return combineUnknowns(unknownsInString(value));
    return undefined;
  }
  const items = Array.isArray(value) ? value : Object.values(value);
  for (const item of items) {
    const found = findUnknownDeep(item, depth + 1);
    if (found) return found;
  }
  return undefined;
}
