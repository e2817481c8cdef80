// Host patterns (play `hosts:` and `--limit`): names of hosts or groups separated by ',' or ':',
// `all`, `localhost`, globs (`kvm*`), exclusions (`!name`) and intersections (`&group`).

import type { Inventory } from './types.js';

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

export interface PatternTerm {
  readonly op: '' | '!' | '&';
  /** The host, group or glob (without its operator). */
  readonly name: string;
  /** Where the term starts in the pattern (its operator, if any). */
  readonly index: number;
}

/** The terms of a pattern, each with its offset; empty ones ('a,,b', 'all,!') are kept (name ''). */
export function patternTerms(pattern: string): PatternTerm[] {
  const out: PatternTerm[] = [];
  let from = 0;
  for (const part of pattern.split(/[,:]/)) {
    const lead = part.length - part.trimStart().length;
    const term = part.trim();
    const op = term[0] === '!' || term[0] === '&' ? term[0] : '';
    out.push({ op, name: op ? term.slice(1).trim() : term, index: from + lead });
    from += part.length + 1;
  }
  return out;
}

export function selectHosts(inventory: Inventory, pattern: string): string[] {
  const terms = patternTerms(pattern).filter((t) => t.op !== '' || t.name.length > 0);
  if (terms.length === 0) throw new PatternError(`empty host pattern '${pattern}'`);
  let selected = new Set<string>();
  const order = [...inventory.hosts.keys()];
  for (const { op, name } of terms) {
    const matched = matchTerm(inventory, name);
    if (matched.size === 0) {
      throw new PatternError(`host pattern '${name}' matches no host or group in the inventory`);
    }
    if (op === '!') selected = new Set([...selected].filter((h) => !matched.has(h)));
    else if (op === '&') selected = new Set([...selected].filter((h) => matched.has(h)));
    else for (const h of matched) selected.add(h);
  }
  return order.filter((h) => selected.has(h));
}

export function matchTerm(inventory: Inventory, name: string): Set<string> {
  if (name === 'all' || name === '*') {
    return new Set([...inventory.hosts.values()].filter((h) => !h.implicit).map((h) => h.name));
  }
  if (name.includes('*') || name.includes('?')) {
    const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    const out = new Set<string>();
    for (const h of inventory.hosts.values()) if (re.test(h.name) && !h.implicit) out.add(h.name);
    for (const g of inventory.groups.keys()) if (re.test(g)) for (const h of groupMembers(inventory, g)) out.add(h);
    return out;
  }
  if (inventory.hosts.has(name)) return new Set([name]);
  if (inventory.groups.has(name)) return groupMembers(inventory, name);
  return new Set();
}

export function groupMembers(inventory: Inventory, group: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(group)) return out;
  seen.add(group);
  const g = inventory.groups.get(group);
  if (!g) return out;
  for (const h of g.hosts) out.add(h);
  for (const c of g.children) for (const h of groupMembers(inventory, c, seen)) out.add(h);
  return out;
}
