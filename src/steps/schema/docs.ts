// What `stackplay steps TYPE` shows for an argument, generated from its schema: the kind of value, the
// description, and whether it is required, its default, its allowed values, and how it is treated.

import type { Kind } from './kinds.js';
import type { AnySchema } from './schema.js';

export interface ArgumentDoc {
  /** The kind of value, short: 'duration', 'port', 'list of strings (or one)', 'enum'. */
  readonly type: string;
  readonly description: string;
  /** 'required', "default '30s'", 'one of a|b', … */
  readonly notes: readonly string[];
}

const HOST_USE = { ssh: 'reached over SSH', cloudstack: "its 'cloudstack:' settings are used" } as const;

function short(kind: Kind<unknown>): string {
  const m = kind.meta;
  switch (m.family) {
    case 'int': return 'integer';
    case 'enum': return 'enum';
    case 'list': {
      const item = short(m.item);
      return `list of ${item.endsWith('x') ? `${item}es` : `${item}s`}${m.single ? ' (or one)' : ''}`;
    }
    case 'map': case 'object': return 'mapping';
    default: return kind.label;
  }
}

/** Allowed values and ranges, for a kind and for the items of a list. */
function limits(kind: Kind<unknown>, each = ''): string[] {
  const m = kind.meta;
  if (m.family === 'enum') return [`${each}one of ${m.values.join('|')}`];
  if (m.family === 'int' && (m.min !== undefined || m.max !== undefined)) {
    return [`${each}${m.min !== undefined && m.max !== undefined ? `${m.min} to ${m.max}` : m.min !== undefined ? `at least ${m.min}` : `at most ${m.max}`}`];
  }
  if (m.family === 'object') return [`fields ${Object.keys(m.fields).join(', ')}`];
  if (m.family === 'list') return limits(m.item, 'each ');
  return [];
}

export function documentArgument(schema: AnySchema): ArgumentDoc {
  const notes: string[] = [];
  if (schema.presence === 'required') notes.push('required');
  notes.push(...limits(schema.kind));
  if (schema.presence === 'defaulted' && schema.fallback !== undefined) notes.push(`default ${schema.kind.show(schema.fallback)}`);
  if (schema.host) notes.push(HOST_USE[schema.host]);
  if (schema.isRaw) notes.push('not a template');
  return { type: short(schema.kind), description: schema.description, notes };
}
