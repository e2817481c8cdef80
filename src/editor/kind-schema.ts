// JSON Schema for one step argument, from the kind its step type declares (src/steps/schema): the same
// constraints the loader checks (an integer's range, a port's 1-65535, an enum's values, a list's
// items, an object's fields). Any string holding '{{' is a template, read only once it is rendered,
// so every kind also accepts one.

import type { Kind } from '../steps/schema/kinds.js';

export type JsonSchema = { readonly [key: string]: unknown };

/** A string with a template in it: its value is checked when the step runs. */
export const TEMPLATE: JsonSchema = { type: 'string', pattern: '\\{\\{' };

/** Seconds as a number, or text such as '500ms', '30s', '1h30m' (as util/durations.ts reads it). */
export const DURATION: JsonSchema = {
  anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?|(\\d+(\\.\\d+)?(ms|s|m|h|d))+)\\s*$' }, TEMPLATE],
};

function orTemplate(schema: JsonSchema): JsonSchema {
  return { anyOf: [schema, TEMPLATE] };
}

function described(schema: JsonSchema, description: string): JsonSchema {
  return description === '' ? schema : { ...schema, description };
}

/** The schema of a value of `kind` (description added by the caller where it has one). */
export function kindSchema(kind: Kind<unknown>): JsonSchema {
  const meta = kind.meta;
  switch (meta.family) {
    case 'string':
      // booleans and integers are read as their text (a rendered value is text too)
      return { type: ['string', 'boolean', 'integer'] };
    case 'url':
    case 'pattern':
    case 'host':
      return { type: 'string' };
    case 'bool':
      return { anyOf: [{ type: 'boolean' }, { type: 'string', pattern: '^\\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\\s*$' }, TEMPLATE] };
    case 'int': {
      const range = { ...(meta.min !== undefined ? { minimum: meta.min } : {}), ...(meta.max !== undefined ? { maximum: meta.max } : {}) };
      return { anyOf: [{ type: 'integer', ...range }, { type: 'string', pattern: '^\\s*-?\\d+\\s*$' }, TEMPLATE] };
    }
    case 'port':
      return { anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', pattern: '^\\s*\\d+\\s*$' }, TEMPLATE] };
    case 'duration':
      return DURATION;
    case 'enum':
      // the loader also takes aliases, other cases where it says so, and YAML's bare true/false/numbers
      return { anyOf: [{ enum: [...meta.values] }, { type: ['string', 'boolean', 'number'] }] };
    case 'list': {
      const list = { type: 'array', items: kindSchema(meta.item) };
      return meta.single ? { anyOf: [list, kindSchema(meta.item)] } : orTemplate(list);
    }
    case 'map':
      return orTemplate({ type: 'object', additionalProperties: kindSchema(meta.value) });
    case 'object': {
      const properties = Object.fromEntries(Object.entries(meta.fields).map(([name, f]) => [name, kindSchema(f.kind)]));
      const object = { type: 'object', properties, additionalProperties: false };
      const short = meta.shorthand === undefined ? undefined : meta.fields[meta.shorthand];
      return short === undefined ? orTemplate(object) : { anyOf: [object, kindSchema(short.kind)] };
    }
    case 'any':
    case 'custom':
      return {};
  }
}

export function argSchema(kind: Kind<unknown>, description: string): JsonSchema {
  return described(kindSchema(kind), description);
}
