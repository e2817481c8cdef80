// A step's argument schema: for each argument, the kind of value, a description for the docs, whether
// it is required or has a default, and whether the engine renders it. The TypeScript type of the
// arguments a step's apply/check receive is inferred from the schema (ArgsOf), never written twice.

import { isUnknown, type Unknown } from '../../expr/unknown.js';
import type { HostUse, Kind } from './kinds.js';

/** optional: may be absent (undefined); required: must be written; defaulted: absent means the default. */
export type Presence = 'optional' | 'required' | 'defaulted';

export class Schema<T, P extends Presence = 'optional'> {
  constructor(
    readonly kind: Kind<T>,
    readonly description: string,
    readonly presence: P,
    readonly fallback: T | undefined,
    /** Not rendered by the engine: templates in it stay text (patterns, conditions the step evaluates itself). */
    readonly isRaw: boolean,
  ) {}

  required(): Schema<T, 'required'> {
    return new Schema(this.kind, this.description, 'required', undefined, this.isRaw);
  }

  /** The value the step receives when the argument is absent (frozen: shared by every run). */
  default(value: T): Schema<T, 'defaulted'> {
    return new Schema(this.kind, this.description, 'defaulted', Object.freeze(value), this.isRaw);
  }

  /** The same argument with the description a particular step gives it. */
  describedAs(description: string): Schema<T, P> {
    return new Schema(this.kind, description, this.presence, this.fallback, this.isRaw);
  }

  raw(): Schema<T, P> {
    return new Schema(this.kind, this.description, this.presence, this.fallback, true);
  }

  /** For an argument that names an inventory host: how the step uses that host. */
  get host(): HostUse | undefined {
    return this.kind.meta.family === 'host' ? this.kind.meta.use : undefined;
  }
}

export type AnySchema = Schema<unknown, Presence>;
export type Shape = Readonly<Record<string, AnySchema>>;

type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Schema<unknown, 'optional'> ? K : never }[keyof S];
type Flat<T> = { [K in keyof T]: T[K] } & {};

export type ValueOf<S> = S extends Schema<infer T, Presence> ? T : never;

/** The arguments a step receives: required and defaulted ones always there, optional ones maybe. */
export type ArgsOf<S extends Shape> = Flat<
  { readonly [K in Exclude<keyof S, OptionalKeys<S>>]: ValueOf<S[K]> } & { readonly [K in OptionalKeys<S>]?: ValueOf<S[K]> }
>;

/** Dry run: an argument rendered from an unknown value is that Unknown. */
export type Maybe<A> = { readonly [K in keyof A]: A[K] | Unknown };

/** A template not rendered yet (load time) or an Unknown (dry run): `validate` checks what is known. */
export const TEMPLATED: unique symbol = Symbol('templated');
export type Undetermined = typeof TEMPLATED | Unknown;
export type Loose<A> = { readonly [K in keyof A]: A[K] | Undetermined };

/** True for a value that is known (not a template still to render, not a dry run's Unknown). */
export function known<T>(value: T | Undetermined): value is T {
  return value !== TEMPLATED && !isUnknown(value);
}

/** The first argument a dry run cannot know (rendered from an unknown value), if any. */
export function firstUnknown(args: object): { readonly name: string; readonly reason: string } | undefined {
  for (const [name, v] of Object.entries(args)) if (isUnknown(v)) return { name, reason: v.reason };
  return undefined;
}

/** Narrows a dry run's arguments to known ones (no argument is an Unknown). */
export function allKnown<A extends object>(args: Maybe<A>): args is A {
  return firstUnknown(args) === undefined;
}
