// Lists, mappings and objects of arguments: each item is read with its own kind and reported at its own
// path, so `progress[1].pattern` is where a bad regex is shown. A template inside leaves the whole
// value pending; the items that are static are still checked at load time.

import { combineUnknowns, type Unknown } from '../../expr/unknown.js';
import { didYouMean } from '../../diagnostics/suggest.js';
import { INVALID, Pending, readValue, shown, type Kind, type Path, type ReadContext, type ReadResult } from './kinds.js';
import type { ArgsOf, Shape } from './schema.js';

/** Combines item results: refused if one was, pending if one is, else the built value. */
class Collector {
  private invalid = false;
  private templated = false;
  private readonly unknowns: Unknown[] = [];

  take<T>(r: ReadResult<T>, keep: (v: T) => void): void {
    if (r === INVALID) this.invalid = true;
    else if (r instanceof Pending) {
      if (r.unknown) this.unknowns.push(r.unknown);
      else this.templated = true;
    } else keep(r);
  }

  result<T>(value: T): ReadResult<T> {
    if (this.invalid) return INVALID;
    if (this.templated) return Pending.templated;
    if (this.unknowns.length > 0) return Pending.unknown(combineUnknowns(this.unknowns));
    return value;
  }
}

function plural(label: string): string {
  if (label.startsWith('one of ')) return label.slice('one of '.length);
  return label === 'any' || label.endsWith('s') ? label : /(x|sh|ch)$/.test(label) ? `${label}es` : `${label}s`;
}

export function listKind<T>(item: Kind<T>, single: boolean): Kind<readonly T[]> {
  const label = `list of ${plural(item.label)}`;
  return {
    meta: { family: 'list', item, single },
    label: single ? `${label} (or one)` : label,
    show: (v) => `[${v.map((x) => item.show(x)).join(', ')}]`,
    read(value, cx, path) {
      let items: readonly unknown[];
      if (Array.isArray(value)) items = value;
      else if (single && value !== null && value !== undefined && typeof value !== 'object') items = [value];
      else {
        const hint = value !== null && typeof value !== 'object' ? ` (write [${typeof value === 'string' ? JSON.stringify(value) : String(value)}] for a list of one)` : '';
        cx.issue(path, 'wrong-type', `must be a ${label}, not ${shown(value)}${hint}`);
        return INVALID;
      }
      const out: T[] = [];
      const c = new Collector();
      items.forEach((x, i) => c.take(readValue(item, x, cx, single && !Array.isArray(value) ? path : [...path, i]), (v) => out.push(v)));
      return c.result(Object.freeze(out));
    },
  };
}

function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What the keys of a mapping must look like (environment variable names), if anything. */
export interface KeyRule {
  readonly pattern: RegExp;
  /** "an environment variable name": what a key that does not match is not. */
  readonly what: string;
}

/** A mapping with free keys (env, headers, API parameters), every value of one kind. */
export function mapKind<T>(value: Kind<T>, keys?: KeyRule): Kind<Readonly<Record<string, T>>> {
  return {
    meta: { family: 'map', value },
    label: value.meta.family === 'any' ? 'mapping' : `mapping of ${plural(value.label)}`,
    show: (v) => JSON.stringify(v),
    read(input, cx, path) {
      if (!isMapping(input)) {
        cx.issue(path, 'wrong-type', `must be a mapping, not ${shown(input)}`);
        return INVALID;
      }
      const out: Record<string, T> = {};
      const c = new Collector();
      for (const [k, v] of Object.entries(input)) {
        if (keys !== undefined && !keys.pattern.test(k)) {
          cx.issue([...path, k], 'bad-value', `is not ${keys.what}`);
          c.take(INVALID, () => undefined);
          continue;
        }
        c.take(readValue(value, v, cx, [...path, k]), (x) => define(out, k, x));
      }
      return c.result(Object.freeze(out));
    },
  };
}

/** An object with named fields; `shorthand` is the field a lone scalar fills (a pattern for a rule). */
export function objectKind<S extends Shape>(fields: S, shorthand: (keyof S & string) | undefined): Kind<ArgsOf<S>> {
  const names = Object.keys(fields);
  return {
    meta: { family: 'object', fields, shorthand },
    label: 'mapping',
    show: (v) => JSON.stringify(v),
    read(input, cx, path) {
      const given = shorthand !== undefined && !isMapping(input) && !Array.isArray(input) && input !== null ? { [shorthand]: input } : input;
      if (!isMapping(given)) {
        cx.issue(path, 'wrong-type', `must be a mapping with ${names.join(', ')}, not ${shown(input)}`);
        return INVALID;
      }
      const out: Record<string, unknown> = {};
      const c = new Collector();
      for (const [k, v] of Object.entries(given)) {
        // own fields only: 'constructor' or 'toString' are not fields of any object schema
        const field = Object.hasOwn(fields, k) ? fields[k] : undefined;
        if (field === undefined) {
          cx.issue([...path, k], 'unknown-argument', `is not a field (${names.join(', ')})${didYouMean(k, names)}`);
          c.take(INVALID, () => undefined);
          continue;
        }
        c.take(readValue(field.kind, v, cx, [...path, k]), (x) => define(out, k, x));
      }
      for (const [k, field] of Object.entries(fields)) {
        if (Object.hasOwn(given, k)) continue;
        if (field.presence === 'required') {
          cx.issue(path, 'missing-argument', `needs the field '${k}'${field.description ? ` (${field.description})` : ''}`);
          c.take(INVALID, () => undefined);
        } else if (field.presence === 'defaulted') define(out, k, field.fallback);
      }
      return c.result(Object.freeze(out) as ArgsOf<S>);
    },
  };
}

/** Sets an own property even for a key like '__proto__' (plain assignment would set the prototype). */
export function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
