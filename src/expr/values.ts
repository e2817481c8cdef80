// Value semantics shared by conditions and template helpers: truthiness, equality, ordering and
// membership. Errors are ValueErrors without positions; callers attach the position they know.

import { ValueError } from './errors.js';
import { Unknown, isUnknown } from './unknown.js';
import { Version, compareVersions, toVersion } from './version.js';

export type PlainMap = Record<string, unknown>;

export function isPlainMap(value: unknown): value is PlainMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value) &&
    !(value instanceof Version) && !(value instanceof Unknown);
}

/** "a string", "a list", … for messages (never the value itself). */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Version) return 'a version';
  if (value instanceof Unknown) return 'an unknown value';
  switch (typeof value) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'a boolean';
    case 'object': return 'a map';
    default: return `a ${typeof value}`;
  }
}

/** false, null, 0, NaN, '', [] and {} are false; everything else (including any Version) is true. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainMap(value)) return Object.keys(value).length > 0;
  return true;
}

/**
 * Deep equality, strict on type: 1 == '1' is false. A Version equals a string that parses to the same
 * version. Unknown anywhere that matters makes the answer Unknown; a definite difference elsewhere
 * still gives false.
 */
export function valuesEqual(a: unknown, b: unknown): boolean | Unknown {
  if (isUnknown(a)) return a;
  if (isUnknown(b)) return b;
  if (a instanceof Version || b instanceof Version) {
    const va = toVersion(a);
    const vb = toVersion(b);
    return va !== undefined && vb !== undefined && compareVersions(va, vb) === 0;
  }
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return allEqual(a.map((item, i) => [item, b[i]] as const));
  }
  if (isPlainMap(a) && isPlainMap(b)) {
    const keysA = Object.keys(a);
    if (keysA.length !== Object.keys(b).length) return false;
    if (!keysA.every((key) => Object.hasOwn(b, key))) return false;
    return allEqual(keysA.map((key) => [a[key], b[key]] as const));
  }
  return false;
}

function allEqual(pairs: ReadonlyArray<readonly [unknown, unknown]>): boolean | Unknown {
  let unknown: Unknown | undefined;
  for (const [x, y] of pairs) {
    const result = valuesEqual(x, y);
    if (result === false) return false;
    if (isUnknown(result)) unknown ??= result;
  }
  return unknown ?? true;
}

export type OrderOperator = '<' | '<=' | '>' | '>=';

/**
 * Ordering for numbers with numbers, strings with strings, and versions with versions or version
 * strings. Anything else is a ValueError: silently comparing 10 with '9' is how conditions lie.
 */
export function compareValues(a: unknown, op: OrderOperator, b: unknown): boolean | Unknown {
  if (isUnknown(a)) return a;
  if (isUnknown(b)) return b;
  let c: number;
  if (a instanceof Version || b instanceof Version) {
    const va = toVersion(a);
    const vb = toVersion(b);
    if (va === undefined || vb === undefined) {
      const other = va === undefined ? a : b;
      throw new ValueError(typeof other === 'string'
        ? `cannot compare a version with a string that is not a version using '${op}'`
        : `cannot compare a version with ${typeName(other)} using '${op}'`);
    }
    c = compareVersions(va, vb);
  } else if (typeof a === 'number' && typeof b === 'number') {
    c = a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  } else if (typeof a === 'string' && typeof b === 'string') {
    c = a < b ? -1 : a > b ? 1 : 0;
  } else {
    const hint = (typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')
      ? ': convert with int() or str()'
      : '';
    throw new ValueError(`cannot compare ${typeName(a)} with ${typeName(b)} using '${op}'${hint}`);
  }
  switch (op) {
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
}

/** `needle in haystack`: list membership (deep equality), substring, or map key. */
export function contains(haystack: unknown, needle: unknown): boolean | Unknown {
  if (isUnknown(haystack)) return haystack;
  if (isUnknown(needle)) return needle;
  if (Array.isArray(haystack)) {
    let unknown: Unknown | undefined;
    for (const item of haystack) {
      const equal = valuesEqual(item, needle);
      if (equal === true) return true;
      if (isUnknown(equal)) unknown ??= equal;
    }
    return unknown ?? false;
  }
  if (typeof haystack === 'string') {
    if (typeof needle !== 'string') throw new ValueError(`cannot look for ${typeName(needle)} in a string`);
    return haystack.includes(needle);
  }
  if (isPlainMap(haystack)) {
    if (typeof needle !== 'string') throw new ValueError(`map keys are strings; cannot look for ${typeName(needle)} among them`);
    return Object.hasOwn(haystack, needle);
  }
  throw new ValueError(`cannot look inside ${typeName(haystack)}: 'in' needs a list, a string or a map`);
}

/** Kleene "or" over truthiness: any truthy item wins, else any Unknown makes it Unknown. */
export function anyTruthy(items: readonly unknown[]): boolean | Unknown {
  let unknown: Unknown | undefined;
  for (const item of items) {
    if (isUnknown(item)) unknown ??= item;
    else if (truthy(item)) return true;
  }
  return unknown ?? false;
}

/** Kleene "and" over truthiness: any falsy item wins, else any Unknown makes it Unknown. */
export function allTruthy(items: readonly unknown[]): boolean | Unknown {
  let unknown: Unknown | undefined;
  for (const item of items) {
    if (isUnknown(item)) unknown ??= item;
    else if (!truthy(item)) return false;
  }
  return unknown ?? true;
}

/** Text form used by str() and by templates: JSON for lists and maps, '' never invented for null. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Version || value instanceof Unknown) return value.toString();
  return JSON.stringify(value) ?? String(value);
}

/** Integer from a number, an integer string or a boolean; ValueError otherwise. */
export function toInteger(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValueError(`${what}: the number is not finite`);
    return Math.trunc(value);
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    if (/^\s*[-+]?\d+\s*$/.test(value)) return parseInt(value, 10);
    throw new ValueError(`${what}: the string is not an integer`);
  }
  throw new ValueError(`${what}: cannot convert ${typeName(value)} to an integer`);
}
