// Text-shaping functions of the shared vocabulary (conditions and templates alike): shell quoting,
// joining, splitting, JSON and durations, plus how a value appears in rendered text. Each takes
// already-evaluated arguments; Unknown arguments never reach them (see vocabulary.ts).

import { ValueError } from './errors.js';
import { isPlainMap, typeName } from './values.js';
import { Version } from './version.js';
import { shellQuote } from '../util/shell-quote.js';

export function needString(helper: string, value: unknown, what = 'a string'): string {
  if (typeof value !== 'string') throw new ValueError(`${helper} needs ${what}, not ${typeName(value)}`);
  return value;
}

/** Text of a scalar for string helpers: numbers and booleans are fine, structures are not. */
export function scalarText(helper: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value instanceof Version) return String(value);
  throw new ValueError(`${helper} needs a string, not ${typeName(value)}`);
}

/** How a value appears in rendered text: lists and maps as JSON, null as ''. */
export function outputText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value) || isPlainMap(value)) return JSON.stringify(value) ?? '';
  return String(value);
}

/** `quote`: always one single-quoted shell word (the shared rule in util/shell-quote.ts). */
export function quote(value: unknown): string {
  const text = scalarText('quote', value);
  try {
    return shellQuote(text, 'always');
  } catch (err) {
    throw new ValueError(`quote: ${(err as Error).message}`);
  }
}

export function join(list: unknown, separator: unknown): string {
  if (!Array.isArray(list)) throw new ValueError(`join needs a list, not ${typeName(list)}`);
  const sep = scalarText('join', separator);
  return list.map((item) => outputText(item)).join(sep);
}

export function split(text: unknown, separator: unknown): string[] {
  const sep = needString('split', separator, 'a string separator');
  return needString('split', text).split(sep);
}

export function replaceAll(text: unknown, from: unknown, to: unknown): string {
  const search = needString('replace', from, 'a string to search for');
  if (search === '') throw new ValueError('replace: the string to search for is empty');
  return needString('replace', text).replaceAll(search, scalarText('replace', to));
}

export function json(value: unknown, indent: unknown): string {
  if (indent !== undefined && (typeof indent !== 'number' || !Number.isInteger(indent) || indent < 0 || indent > 10)) {
    throw new ValueError('json: the indent must be an integer from 0 to 10');
  }
  return JSON.stringify(value, null, indent) ?? 'null';
}

/** 3725 → '1h 2m 5s'; under a minute keeps one decimal (1.5 → '1.5s'). */
export function duration(value: unknown): string {
  const seconds = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new ValueError(`duration needs a non-negative number of seconds, not ${typeName(value)}`);
  }
  if (seconds < 60) return `${Math.round(seconds * 10) / 10}s`;
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    if (rest >= size || parts.length > 0) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  parts.push(`${rest}s`);
  return parts.join(' ');
}
