// The one function vocabulary of stackplay: every function here is called the same way in a condition
// (`join(names, ', ')`) and in a template (`{{join names ', '}}`), with the same arguments, result and
// errors. The condition language (signatures.ts, functions.ts) and the template helpers (template/
// helpers.ts) are both built from this table; each adds only its own forms (defined/default, blocks,
// the comparison helpers that are operators in conditions).

import { ValueError } from './errors.js';
import { lengthOf, needList, needString, versionOf, countMatching } from './functions.js';
import { duration, join, json, quote, replaceAll, scalarText, split } from './text.js';
import { allTruthy, anyTruthy, isPlainMap, toInteger, toText, typeName } from './values.js';
import { findUnknownDeep } from './unknown.js';

export interface VocabularyFunction {
  readonly min: number;
  readonly max: number;
  /** Its call as a condition writes it, with what it gives (the templates' form follows from it). */
  readonly summary: string;
  /** The kind of value it always gives, when that does not depend on its arguments. */
  readonly gives?: 'string' | 'number' | 'boolean' | 'list' | 'version';
  /** Takes evaluated arguments; throws ValueError for a value it cannot use. */
  readonly fn: (args: readonly unknown[]) => unknown;
}

function integer(name: string, value: unknown): number {
  if (typeof value === 'number' && !Number.isInteger(value)) throw new ValueError(`${name} needs integers, not a fractional number`);
  if (typeof value !== 'number' && typeof value !== 'string') throw new ValueError(`${name} needs integers, not ${typeName(value)}`);
  return toInteger(value, name);
}

function ends(name: 'first' | 'last', value: unknown): unknown {
  if (!Array.isArray(value) && typeof value !== 'string') throw new ValueError(`${name} needs a list or a string, not ${typeName(value)}`);
  if (value.length === 0) throw new ValueError(`${name}: the ${Array.isArray(value) ? 'list' : 'string'} is empty`);
  return value[name === 'first' ? 0 : value.length - 1];
}

/** Strict field access with a key computed when it runs. */
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

const one = (summary: string, fn: (x: unknown) => unknown, gives?: VocabularyFunction['gives']): VocabularyFunction =>
  gives === undefined ? { min: 1, max: 1, summary, fn: ([x]) => fn(x) } : { min: 1, max: 1, summary, gives, fn: ([x]) => fn(x) };

export const VOCABULARY: Readonly<Record<string, VocabularyFunction>> = {
  // text
  len: one('len(x): length of a string, list or map', (x) => lengthOf(x), 'number'),
  lower: one('lower(s): lower case', (s) => scalarText('lower', s).toLowerCase(), 'string'),
  upper: one('upper(s): upper case', (s) => scalarText('upper', s).toUpperCase(), 'string'),
  trim: one('trim(s): without leading/trailing whitespace', (s) => scalarText('trim', s).trim(), 'string'),
  startswith: { gives: 'boolean', min: 2, max: 2, summary: 'startswith(s, prefix)', fn: ([s, p]) => needString('startswith', s).startsWith(needString('startswith', p, 'a string prefix')) },
  endswith: { gives: 'boolean', min: 2, max: 2, summary: 'endswith(s, suffix)', fn: ([s, p]) => needString('endswith', s).endsWith(needString('endswith', p, 'a string suffix')) },
  replace: { gives: 'string', min: 3, max: 3, summary: 'replace(s, from, to): every occurrence of the text from replaced', fn: ([s, from, to]) => replaceAll(s, from, to) },
  split: { gives: 'list', min: 2, max: 2, summary: 'split(s, sep): the parts of s as a list', fn: ([s, sep]) => split(s, sep) },
  join: { gives: 'string', min: 2, max: 2, summary: 'join(list, sep): the items joined with sep', fn: ([list, sep]) => join(list, sep) },
  quote: one('quote(s): s as one POSIX shell word', (s) => quote(s), 'string'),
  json: { gives: 'string', min: 1, max: 2, summary: 'json(value, indent?): JSON text', fn: ([value, indent]) => json(value, indent) },
  duration: one("duration(seconds): '1h 2m 5s'", (s) => duration(s), 'string'),
  // conversions
  int: one('int(x): integer from a number, integer string or boolean', (x) => toInteger(x, 'int()'), 'number'),
  str: one('str(x): text form of a value', (x) => findUnknownDeep(x) ?? toText(x), 'string'),
  version: one('version(s): a comparable version', (x) => versionOf(x), 'version'),
  add: { gives: 'number', min: 2, max: 2, summary: 'add(a, b): integer sum', fn: ([a, b]) => integer('add', a) + integer('add', b) },
  sub: { gives: 'number', min: 2, max: 2, summary: 'sub(a, b): integer difference', fn: ([a, b]) => integer('sub', a) - integer('sub', b) },
  // lists and maps
  first: one('first(x): first item of a list (or character of a string)', (x) => ends('first', x)),
  last: one('last(x): last item of a list (or character of a string)', (x) => ends('last', x)),
  lookup: { min: 2, max: 2, summary: 'lookup(x, key): x[key] with a computed key', fn: ([object, key]) => lookup(object, key) },
  keys: one('keys(map): the keys of a map', (map) => {
    if (!isPlainMap(map)) throw new ValueError(`keys() needs a map, not ${typeName(map)}`);
    return Object.keys(map);
  }, 'list'),
  count: {
    gives: 'number',
    min: 3, max: 3, summary: "count(list, 'field', value): items whose field equals value",
    fn: ([list, field, value]) => countMatching(needList('count', list), needString('count', field, 'a field name as its second argument'), value),
  },
  any: one('any(list): true if some item is truthy', (list) => anyTruthy(needList('any', list)), 'boolean'),
  all: one('all(list): true if every item is truthy', (list) => allTruthy(needList('all', list)), 'boolean'),
};

/** The implementations by name, as the condition evaluator calls them. */
export const FUNCTIONS: Readonly<Record<string, VocabularyFunction['fn']>> = Object.fromEntries(
  Object.entries(VOCABULARY).map(([name, f]) => [name, f.fn]),
);
