// Version values for conditions and templates ("is the cloud at 4.17 or later?"). One implementation
// serves both `version(x) >= '4.17'` in expressions and `version_compare` in templates.

/** A parsed version: dotted numeric parts plus an optional pre-release suffix. */
export class Version {
  constructor(
    readonly text: string,
    readonly parts: readonly number[],
    /** '' for a release; e.g. 'SNAPSHOT' or 'rc1' for a pre-release, which sorts before the release. */
    readonly suffix: string,
  ) {
    Object.freeze(this);
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}

const VERSION_PATTERN = /^[vV]?(\d+(?:\.\d+)*)(.*)$/s;

/** Parses '4.17', 'v4.20.1.0', '4.18.0.0-SNAPSHOT'; undefined if the text does not start with digits. */
export function parseVersion(text: string): Version | undefined {
  // Conditions compare the same few version strings for every host: parse each once.
  if (parsed.has(text)) return parsed.get(text);
  const version = parseUncached(text);
  if (parsed.size >= 1000) parsed.clear();
  parsed.set(text, version);
  return version;
}

const parsed = new Map<string, Version | undefined>();

function parseUncached(text: string): Version | undefined {
  const trimmed = text.trim();
  const match = VERSION_PATTERN.exec(trimmed);
  if (!match) return undefined;
  const parts = (match[1] ?? '').split('.').map((part) => Number(part));
  // The separator before a suffix ('-', '.', '_', '+', '~') carries no ordering meaning.
  const suffix = (match[2] ?? '').replace(/^[-._+~]/, '');
  return new Version(trimmed, parts, suffix);
}

/** Version as-is, or a string parsed as one; undefined for anything else or an unparsable string. */
export function toVersion(value: unknown): Version | undefined {
  if (value instanceof Version) return value;
  if (typeof value === 'string') return parseVersion(value);
  return undefined;
}

/** Negative, zero or positive, like a sort comparator. Missing numeric parts count as 0. */
export function compareVersions(a: Version, b: Version): number {
  const length = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < length; i++) {
    const x = a.parts[i] ?? 0;
    const y = b.parts[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (a.suffix === b.suffix) return 0;
  if (a.suffix === '') return 1;
  if (b.suffix === '') return -1;
  return compareNatural(a.suffix, b.suffix);
}

/** Compares two suffixes chunk by chunk, digits numerically ('rc2' < 'rc10'), letters case-insensitively. */
function compareNatural(a: string, b: string): number {
  const chunksA = a.toLowerCase().match(/\d+|\D+/g) ?? [];
  const chunksB = b.toLowerCase().match(/\d+|\D+/g) ?? [];
  const length = Math.max(chunksA.length, chunksB.length);
  for (let i = 0; i < length; i++) {
    const x = chunksA[i];
    const y = chunksB[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const bothNumeric = /^\d/.test(x) && /^\d/.test(y);
    if (bothNumeric) {
      const diff = Number(x) - Number(y);
      if (diff !== 0) return diff < 0 ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export type VersionOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

const OPERATOR_ALIASES: Readonly<Record<string, VersionOperator>> = {
  '==': '==', '=': '==', eq: '==',
  '!=': '!=', ne: '!=',
  '<': '<', lt: '<',
  '<=': '<=', le: '<=', lte: '<=',
  '>': '>', gt: '>',
  '>=': '>=', ge: '>=', gte: '>=',
};

/** Accepts '>=' and the word forms ('ge', 'gte'); undefined for anything else. */
export function versionOperator(text: string): VersionOperator | undefined {
  return Object.hasOwn(OPERATOR_ALIASES, text) ? OPERATOR_ALIASES[text] : undefined;
}

export function versionSatisfies(a: Version, op: VersionOperator, b: Version): boolean {
  const c = compareVersions(a, b);
  switch (op) {
    case '==': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
}
