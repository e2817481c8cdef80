// Implementations of the whitelisted condition functions that take plain, already evaluated
// arguments. defined() and default() need the unevaluated path and live in the evaluator.

import { ValueError } from './errors.js';
import { Unknown, findUnknownDeep, isUnknown } from './unknown.js';
import { allTruthy, anyTruthy, isPlainMap, toInteger, toText, typeName, valuesEqual } from './values.js';
import { Version, parseVersion } from './version.js';

type Implementation = (args: readonly unknown[]) => unknown;

function needString(fn: string, value: unknown, what = 'a string'): string {
  if (typeof value !== 'string') throw new ValueError(`${fn}() needs ${what}, not ${typeName(value)}`);
  return value;
}

function needList(fn: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw new ValueError(`${fn}() needs a list, not ${typeName(value)}`);
  return value;
}

export function lengthOf(value: unknown, fn = 'len'): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (isPlainMap(value)) return Object.keys(value).length;
  throw new ValueError(`${fn}() needs a string, a list or a map, not ${typeName(value)}`);
}

export function versionOf(value: unknown, fn = 'version'): Version {
  if (value instanceof Version) return value;
  if (typeof value === 'number') {
    throw new ValueError(`${fn}() needs a string: a YAML number such as 4.10 has already lost its trailing zero, so quote it`);
  }
  const text = needString(fn, value);
  const version = parseVersion(text);
  if (!version) throw new ValueError(`${fn}(): the string is not a version such as 4.17.2`);
  return version;
}

function countMatching(list: readonly unknown[], field: string, expected: unknown): number | Unknown {
  let count = 0;
  let unknown: Unknown | undefined;
  for (const item of list) {
    if (isUnknown(item)) {
      unknown ??= item;
      continue;
    }
    if (!isPlainMap(item) || !Object.hasOwn(item, field)) continue;
    const equal = valuesEqual(item[field], expected);
    if (equal === true) count++;
    else if (isUnknown(equal)) unknown ??= equal;
  }
  return unknown ?? count;
}

export const FUNCTIONS: Readonly<Record<string, Implementation>> = {
  len: ([x]) => lengthOf(x),
  lower: ([s]) => needString('lower', s).toLowerCase(),
  upper: ([s]) => needString('upper', s).toUpperCase(),
  trim: ([s]) => needString('trim', s).trim(),
  int: ([x]) => toInteger(x, 'int()'),
  str: ([x]) => findUnknownDeep(x) ?? toText(x),
  version: ([x]) => versionOf(x),
  startswith: ([s, p]) => needString('startswith', s).startsWith(needString('startswith', p, 'a string prefix')),
  endswith: ([s, p]) => needString('endswith', s).endsWith(needString('endswith', p, 'a string suffix')),
  any: ([list]) => anyTruthy(needList('any', list)),
  all: ([list]) => allTruthy(needList('all', list)),
  keys: ([map]) => {
    if (!isPlainMap(map)) throw new ValueError(`keys() needs a map, not ${typeName(map)}`);
    return Object.keys(map);
  },
  count: ([list, field, value]) => countMatching(needList('count', list), needString('count', field, "a field name as its second argument"), value),
};
