// The constructors step types build their argument schemas from. Each takes the description shown by
// `stackplay steps`; constraints live here (an integer's range, a port's 1-65535, a URL's schemes, a
// regex compiled when read), so a step receives values already checked, converted and typed.

import { listKind, mapKind, objectKind, type KeyRule } from './containers.js';
import {
  anyKind, boolKind, durationKind, enumKind, hostKind, intKind, patternKind, portKind, scalarKind, stringKind, urlKind,
  type HostUse, type Kind, type Refusal,
} from './kinds.js';
import { Schema, type ArgsOf, type Presence, type Shape } from './schema.js';
import type { LinearRegex } from '../../util/linear-regex.js';

function of<T>(kind: Kind<T>, description: string): Schema<T> {
  return new Schema<T>(kind, description, 'optional', undefined, false);
}

export const arg = {
  string: (description = ''): Schema<string> => of(stringKind, description),
  /** An integer, optionally within [min, max]; a rendered "8" is 8. */
  int: (description = '', range: { readonly min?: number; readonly max?: number } = {}): Schema<number> => of(intKind(range.min, range.max), description),
  bool: (description = ''): Schema<boolean> => of(boolKind, description),
  /** Milliseconds; written 30, '30s', '5m', '1h30m'; never past Node's timer limit. */
  duration: (description = ''): Schema<number> => of(durationKind, description),
  port: (description = ''): Schema<number> => of(portKind, description),
  /** One of the values (a misspelling gets a "did you mean"); aliases map other spellings onto them. */
  oneOf: <const V extends string>(values: readonly V[], description = '', o: { readonly aliases?: Readonly<Record<string, V>>; readonly caseless?: boolean } = {}): Schema<V> =>
    of(enumKind(values, o.aliases, o.caseless), description),
  url: (description = '', schemes: readonly string[] = ['http', 'https']): Schema<string> => of(urlKind(schemes), description),
  /** A regex (RE2 syntax: linear time), compiled when the value is read (a static one when the playbook loads). */
  pattern: (description = ''): Schema<LinearRegex> => of(patternKind, description),
  /** The name of an inventory host (checked against the inventory) and how the step uses that host. */
  host: (use: HostUse, description = ''): Schema<string> => of(hostKind(use), description),
  /** A list of `item`; with single, one value alone stands for a list of one. */
  list: <T>(item: Schema<T, Presence>, description = '', o: { readonly single?: boolean } = {}): Schema<readonly T[]> =>
    of(listKind(item.kind, o.single === true), description),
  /** A mapping with free keys, each value of one kind (env, headers, API parameters). */
  map: <T>(value: Schema<T, Presence>, description = '', o: { readonly keys?: KeyRule } = {}): Schema<Readonly<Record<string, T>>> =>
    of(mapKind(value.kind, o.keys), description),
  /** A mapping with named fields; with shorthand, a lone scalar fills that field. */
  object: <S extends Shape>(fields: S, description = '', o: { readonly shorthand?: keyof S & string } = {}): Schema<ArgsOf<S>> =>
    of(objectKind(fields, o.shorthand), description),
  any: (description = ''): Schema<unknown> => of(anyKind, description),
  /** A step's own scalar kind: `parse` answers the value or why it is refused. */
  custom: <T>(label: string, description: string, parse: (value: unknown) => T | Refusal, show?: (v: T) => string): Schema<T> =>
    of(scalarKind<T>({ family: 'custom' }, label, parse, show), description),
};
export { Refusal } from './kinds.js';
