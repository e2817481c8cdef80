// Host patterns (play `hosts:` and `--limit`): names of hosts or groups separated by ',' or ':',
// `all`, `localhost`, globs (`kvm*`), exclusions (`!name`) and intersections (`&group`).

import type { Inventory } from './types.js';

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

export function selectHosts(inventory: Inventory, pattern: string): string[] {
  const terms = pattern.split(/[,:]/).map((t) => t.trim()).filter((t) => t.length > 0);
  if (terms.length === 0) throw new PatternError(`empty host pattern '${pattern}'`);
  let selected = new Set<string>();
  const order = [...inventory.hosts.keys()];
  for (const term of terms) {
    const op = term[0] === '!' || term[0] === '&' ? term[0] : '';
    const name = op ? term.slice(1) : term;
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

function matchTerm(inventory: Inventory, name: string): Set<string> {
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
