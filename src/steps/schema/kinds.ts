// The kinds of value a step argument can hold, and how a written (or rendered) value becomes one: the
// loader reads static values when the playbook is loaded, the engine reads templated ones after
// rendering, through the same code — so a value is accepted or refused alike, only the position differs.

import { combineUnknowns, hasUnknownMark, isUnknown, unknownsInString, type Unknown } from '../../expr/unknown.js';
import { didYouMean } from '../../diagnostics/suggest.js';
import { readDuration, writeDuration } from '../../util/durations.js';
import { compileLinear, type LinearRegex } from '../../util/linear-regex.js';

/** Where in an argument a value sits: ['progress', 0, 'pattern'] is progress[0].pattern. */
export type Path = ReadonlyArray<string | number>;

export type IssueCode = 'wrong-type' | 'bad-value' | 'unknown-argument' | 'missing-argument' | 'unknown-host';

export interface ReadContext {
  /** Load time: a string holding '{{' is a template, read once it has been rendered. */
  readonly templates: boolean;
  /** The inventory's host names, when known: host arguments must name one of them. */
  readonly hosts: ReadonlySet<string> | undefined;
  issue(path: Path, code: IssueCode, message: string): void;
}

/** A value not known yet: a template (at load time), or a dry run's Unknown once rendered. */
export class Pending {
  private constructor(readonly unknown: Unknown | undefined) {}
  static readonly templated = new Pending(undefined);
  static unknown(u: Unknown): Pending {
    return new Pending(u);
  }
}

/** The value was refused; the reason went to the context as an issue. */
export const INVALID: unique symbol = Symbol('invalid');
export type ReadResult<T> = T | Pending | typeof INVALID;

/** What kind of value a kind reads, with what the docs and tests need to know about it. */
export type KindMeta =
  | { readonly family: 'string' | 'bool' | 'duration' | 'port' | 'url' | 'pattern' | 'any' | 'custom' }
  | { readonly family: 'int'; readonly min: number | undefined; readonly max: number | undefined }
  | { readonly family: 'enum'; readonly values: readonly string[] }
  /** How the step uses the host it names: over SSH (via, from) or through its CloudStack settings (host). */
  | { readonly family: 'host'; readonly use: HostUse }
  | { readonly family: 'list'; readonly item: Kind<unknown>; readonly single: boolean }
  | { readonly family: 'map'; readonly value: Kind<unknown> }
  | { readonly family: 'object'; readonly fields: Readonly<Record<string, { readonly kind: Kind<unknown> }>>; readonly shorthand: string | undefined };

export interface Kind<T> {
  readonly meta: KindMeta;
  /** How docs and messages name it: 'duration', 'list of integers', 'one of a|b'. */
  readonly label: string;
  read(value: unknown, cx: ReadContext, path: Path): ReadResult<T>;
  /** A value as a playbook would write it (defaults in the docs). */
  show(value: T): string;
}

export type HostUse = 'ssh' | 'cloudstack';

/** Lists, maps and objects read their items themselves (templates and unknowns item by item). */
function isContainer(kind: Kind<unknown>): boolean {
  const f = kind.meta.family;
  return f === 'list' || f === 'map' || f === 'object';
}

/** Reads `value` as `kind`: templates and Unknowns become pending, everything else goes to the kind. */
export function readValue<T>(kind: Kind<T>, value: unknown, cx: ReadContext, path: Path): ReadResult<T> {
  // `any`: every value is the value, a dry run's Unknown included; only a template is pending
  if (kind.meta.family === 'any') return cx.templates && hasTemplate(value) ? Pending.templated : kind.read(value, cx, path);
  if (isUnknown(value)) return Pending.unknown(value);
  if (typeof value === 'string') {
    // a template may render to anything, a list or a mapping too: it is read once rendered
    if (cx.templates && value.includes('{{')) return Pending.templated;
    // a rendered string with an Unknown inside is still a string (shown as <unknown> in plans)
    if (!isContainer(kind) && kind.meta.family !== 'string' && hasUnknownMark(value)) return Pending.unknown(combineUnknowns(unknownsInString(value)));
  }
  return kind.read(value, cx, path);
}

function hasTemplate(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  return (Array.isArray(value) ? value : Object.values(value)).some((v) => hasTemplate(v, depth + 1));
}

/** A value as messages show it: short, quoted when a string; structures by their shape only. */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 37)}...` : value}'`.replace(/\n/g, '\\n');
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Why a value was refused (a scalar kind's parse answers this instead of a value). */
export class Refusal {
  constructor(
    readonly message: string,
    readonly code: IssueCode = 'wrong-type',
  ) {}
}

const refuse = (message: string, code?: IssueCode): Refusal => new Refusal(message, code);

/** A kind from a label and a function that answers the value or a Refusal. */
export function scalarKind<T>(meta: KindMeta, label: string, parse: (value: unknown) => T | Refusal, show: (v: T) => string = String): Kind<T> {
  return {
    meta,
    label,
    show,
    read(value, cx, path) {
      const r = parse(value);
      if (r instanceof Refusal) {
        cx.issue(path, r.code, r.message);
        return INVALID;
      }
      return r;
    },
  };
}

export const stringKind: Kind<string> = scalarKind<string>({ family: 'string' }, 'string', (v) => {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v))) return String(v);
  // YAML reads 4.20 as the number 4.2: the text the user meant is gone, so say how to keep it
  if (typeof v === 'number') return refuse(`must be a string, not the number ${v} (quote it to keep it as written)`);
  return refuse(`must be a string, not ${shown(v)}`);
}, (v) => JSON.stringify(v));

export function intKind(min?: number, max?: number): Kind<number> {
  const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of at least ${min}` : max !== undefined ? ` of at most ${max}` : '';
  return scalarKind<number>({ family: 'int', min, max }, `integer${min !== undefined || max !== undefined ? ` (${min ?? ''}..${max ?? ''})` : ''}`, (v) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n)) return refuse(`must be an integer${range}, not ${shown(v)}`);
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) return refuse(`must be an integer${range}, not ${n}`, 'bad-value');
    return n;
  });
}

export const portKind: Kind<number> = scalarKind<number>({ family: 'port' }, 'port', (v) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n)) return refuse(`must be a TCP port number (1 to 65535), not ${shown(v)}`);
  if (n < 1 || n > 65535) return refuse(`must be a TCP port number (1 to 65535), not ${n}`, 'bad-value');
  return n;
});

export const boolKind: Kind<boolean> = scalarKind<boolean>({ family: 'bool' }, 'boolean', (v) => {
  if (typeof v === 'boolean') return v;
  // a rendered template gives text: "true"/"false" are what a boolean renders to
  if (typeof v === 'string' && /^\s*(true|false)\s*$/i.test(v)) return v.trim().toLowerCase() === 'true';
  return refuse(`must be true or false, not ${shown(v)}`);
});

/** Durations in milliseconds; written as seconds (a number) or '500ms', '30s', '5m', '1h30m'. */
export const durationKind: Kind<number> = scalarKind<number>({ family: 'duration' }, 'duration', (v) => {
  const d = readDuration(v);
  if (d.ok) return d.ms;
  return d.tooLong ? refuse(`${d.message}, not ${shown(v)}`, 'bad-value') : refuse(`must be a duration like 5, '30s', '5m' or '1h30m', not ${shown(v)}`);
}, (ms) => `'${writeDuration(ms)}'`);

export function enumKind<V extends string>(values: readonly V[], aliases: Readonly<Record<string, V>> = {}, caseless = false): Kind<V> {
  const fold = (s: string): string => (caseless ? s.toLowerCase() : s);
  const table = new Map<string, V>([...values.map((v) => [fold(v), v] as const), ...Object.entries(aliases).map(([a, v]) => [fold(a), v] as const)]);
  return scalarKind<V>({ family: 'enum', values }, `one of ${values.join('|')}`, (v) => {
    // booleans and numbers are written bare in YAML (async: true): their text is the choice
    const text = typeof v === 'string' ? v : typeof v === 'boolean' || typeof v === 'number' ? String(v) : undefined;
    const hit = text === undefined ? undefined : table.get(fold(text));
    if (hit !== undefined) return hit;
    if (text === undefined) return refuse(`must be one of ${values.join(', ')}, not ${shown(v)}`);
    return refuse(`must be one of ${values.join(', ')}, not '${text}'${didYouMean(text, [...values, ...Object.keys(aliases)])}`, 'bad-value');
  }, (v) => v);
}

export function urlKind(schemes: readonly string[]): Kind<string> {
  const names = schemes.map((s) => `${s}://`).join(' or ');
  return scalarKind<string>({ family: 'url' }, `${schemes.join('/')} URL`, (v) => {
    if (typeof v !== 'string') return refuse(`must be an ${names} URL, not ${shown(v)}`);
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return refuse(`must be an ${names} URL, not ${shown(v)}`, 'bad-value');
    }
    if (!schemes.includes(u.protocol.replace(/:$/, ''))) return refuse(`must be an ${names} URL, not a ${u.protocol}// one`, 'bad-value');
    return v;
  }, (v) => v);
}

/** A regex (RE2 syntax, linear time), compiled when it is read: a static pattern at load time. */
export const patternKind: Kind<LinearRegex> = scalarKind<LinearRegex>({ family: 'pattern' }, 'regex', (v) => {
  if (typeof v !== 'string') return refuse(`must be a regex (a string), not ${shown(v)}`);
  const re = compileLinear(v);
  return typeof re === 'string' ? refuse(`is refused: ${re}`, 'bad-value') : re;
}, (re) => `'${re.source}'`);

export function hostKind(use: HostUse): Kind<string> {
  return {
    meta: { family: 'host', use },
    label: 'inventory host',
    show: (v) => v,
    read(value, cx, path) {
      const name = stringKind.read(value, cx, path);
      if (typeof name !== 'string') return name;
      if (cx.hosts !== undefined && !cx.hosts.has(name)) {
        cx.issue(path, 'unknown-host', `names '${name}', which is not in the inventory${didYouMean(name, cx.hosts)}`);
        return INVALID;
      }
      return name;
    },
  };
}

export const anyKind: Kind<unknown> = { meta: { family: 'any' }, label: 'any', read: (v) => v, show: (v) => JSON.stringify(v) ?? String(v) };

/** ['progress', 0, 'pattern'] → "progress[0].pattern", as messages and positions name a place in an argument. */
export function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
