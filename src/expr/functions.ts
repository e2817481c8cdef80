// Argument checks and the larger implementations behind the shared function vocabulary
// (vocabulary.ts). defined() and default() need the unevaluated path and live in the evaluator.

import { ValueError } from './errors.js';
import { Unknown, isUnknown } from './unknown.js';
import { isPlainMap, typeName, valuesEqual } from './values.js';
import { Version, parseVersion } from './version.js';

export function needString(fn: string, value: unknown, what = 'a string'): string {
  if (typeof value !== 'string') throw new ValueError(`${fn}() needs ${what}, not ${typeName(value)}`);
  return value;
}

export function needList(fn: string, value: unknown): readonly unknown[] {
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

export function countMatching(list: readonly unknown[], field: string, expected: unknown): number | Unknown {
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
