// The template helper set: names, arities and behaviour. The same table drives the static checks
// (unknown helper, wrong argument count, block-only helpers) and the runtime registration.

import {
  ValueError, allTruthy, anyTruthy, compareValues, findUnknownDeep, isPlainMap, isUnknown, lengthOf, toInteger,
  truthy, typeName, valuesEqual, versionOf, versionOperator, versionSatisfies, type Unknown, type VersionOperator,
} from '../expr/index.js';
import { duration, join, json, quote, replaceAll, scalarText, split } from './helpers-text.js';

export interface HelperSpec {
  readonly min: number;
  readonly max: number;
  /** Block helpers are only valid as {{#name}}…{{/name}}; the others only inline. */
  readonly block?: boolean;
  /** The helper decides itself what an Unknown argument means (and, or, default…). */
  readonly seesUnknown?: boolean;
  readonly fn?: (args: readonly unknown[]) => unknown;
}

function negate(value: boolean | Unknown): boolean | Unknown {
  return isUnknown(value) ? value : !value;
}

function order(op: '<' | '<=' | '>' | '>='): HelperSpec {
  return { min: 2, max: 2, fn: ([a, b]) => compareValues(a, op, b) };
}

function versionTest(op: VersionOperator): HelperSpec {
  return { min: 2, max: 2, fn: ([a, b]) => versionSatisfies(versionOf(a, 'version'), op, versionOf(b, 'version')) };
}

function integer(helper: string, value: unknown): number {
  if (typeof value === 'number' && !Number.isInteger(value)) throw new ValueError(`${helper} needs integers, not a fractional number`);
  if (typeof value !== 'number' && typeof value !== 'string') throw new ValueError(`${helper} needs integers, not ${typeName(value)}`);
  return toInteger(value, helper);
}

function ends(helper: 'first' | 'last', value: unknown): unknown {
  if (!Array.isArray(value) && typeof value !== 'string') throw new ValueError(`${helper} needs a list or a string, not ${typeName(value)}`);
  if (value.length === 0) throw new ValueError(`${helper}: the ${Array.isArray(value) ? 'list' : 'string'} is empty`);
  return value[helper === 'first' ? 0 : value.length - 1];
}

/** Strict field access with a key computed at render time. */
function lookup(object: unknown, key: unknown): unknown {
  if (Array.isArray(object)) {
    const index = typeof key === 'string' && /^\d+$/.test(key) ? Number(key) : key;
    if (typeof index !== 'number' || !Number.isInteger(index)) throw new ValueError(`lookup: a list position must be an integer, not ${typeName(key)}`);
    const item: unknown = object[index < 0 ? object.length + index : index];
    if (item === undefined) throw new ValueError(`lookup: position ${index} is out of range for a list of ${object.length} items`);
    return item;
  }
  if (isPlainMap(object)) {
    if (typeof key !== 'string') throw new ValueError(`lookup: a map key must be a string, not ${typeName(key)}`);
    const value = Object.hasOwn(object, key) ? object[key] : undefined;
    if (value === undefined) throw new ValueError(`lookup: the map has no field '${key}'`);
    return value;
  }
  throw new ValueError(`lookup needs a list or a map, not ${typeName(object)}`);
}

export const HELPERS: Readonly<Record<string, HelperSpec>> = {
  // Blocks: implemented in runtime.ts around Handlebars' own, so Unknown never picks a branch.
  if: { min: 1, max: 1, block: true },
  unless: { min: 1, max: 1, block: true },
  each: { min: 1, max: 1, block: true },
  with: { min: 1, max: 1, block: true },

  // Presence. The first argument of default and the argument of defined may be missing.
  default: {
    min: 2, max: 2, seesUnknown: true,
    fn: ([value, fallback]) => (isUnknown(value) ? value : value === undefined || value === null || value === '' ? fallback : value),
  },
  defined: { min: 1, max: 1, seesUnknown: true, fn: ([resolved]) => resolved },

  // Comparison and logic (same semantics as conditions).
  eq: { min: 2, max: 2, fn: ([a, b]) => valuesEqual(a, b) },
  ne: { min: 2, max: 2, fn: ([a, b]) => negate(valuesEqual(a, b)) },
  lt: order('<'),
  le: order('<='),
  gt: order('>'),
  ge: order('>='),
  and: { min: 2, max: Infinity, seesUnknown: true, fn: (args) => allTruthy(args) },
  or: { min: 2, max: Infinity, seesUnknown: true, fn: (args) => anyTruthy(args) },
  not: { min: 1, max: 1, fn: ([a]) => !truthy(a) },

  // Versions.
  version_compare: {
    min: 3, max: 3,
    fn: ([a, op, b]) => {
      const operator = typeof op === 'string' ? versionOperator(op) : undefined;
      if (!operator) throw new ValueError("version_compare: the operator must be one of == != < <= > >= (or eq ne lt le gt ge)");
      return versionSatisfies(versionOf(a, 'version_compare'), operator, versionOf(b, 'version_compare'));
    },
  },
  vgte: versionTest('>='),
  vgt: versionTest('>'),
  vlt: versionTest('<'),
  vlte: versionTest('<='),

  // Text.
  quote: { min: 1, max: 1, fn: ([s]) => quote(s) },
  upper: { min: 1, max: 1, fn: ([s]) => scalarText('upper', s).toUpperCase() },
  lower: { min: 1, max: 1, fn: ([s]) => scalarText('lower', s).toLowerCase() },
  trim: { min: 1, max: 1, fn: ([s]) => scalarText('trim', s).trim() },
  replace: { min: 3, max: 3, fn: ([s, from, to]) => replaceAll(s, from, to) },
  split: { min: 2, max: 2, fn: ([s, sep]) => split(s, sep) },
  join: { min: 2, max: 2, fn: ([list, sep]) => join(list, sep) },
  json: { min: 1, max: 2, fn: ([value, indent]) => json(value, indent) },
  duration: { min: 1, max: 1, fn: ([seconds]) => duration(seconds) },

  // Lists, maps and numbers.
  len: { min: 1, max: 1, fn: ([x]) => lengthOf(x) },
  first: { min: 1, max: 1, fn: ([x]) => ends('first', x) },
  last: { min: 1, max: 1, fn: ([x]) => ends('last', x) },
  lookup: { min: 2, max: 2, fn: ([object, key]) => lookup(object, key) },
  int: { min: 1, max: 1, fn: ([x]) => toInteger(x, 'int') },
  add: { min: 2, max: 2, fn: ([a, b]) => integer('add', a) + integer('add', b) },
  sub: { min: 2, max: 2, fn: ([a, b]) => integer('sub', a) - integer('sub', b) },
};

export function helperSpec(name: string): HelperSpec | undefined {
  return Object.hasOwn(HELPERS, name) ? HELPERS[name] : undefined;
}

/** Any Unknown among the arguments, including one hidden in a string or nested in a list or map. */
export function unknownArgument(args: readonly unknown[]): Unknown | undefined {
  for (const arg of args) {
    if (isUnknown(arg)) return arg;
    if (typeof arg === 'string') {
      const found = findUnknownDeep(arg);
      if (found) return found;
    }
  }
  return undefined;
}
