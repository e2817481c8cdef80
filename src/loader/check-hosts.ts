// A play's `hosts:` pattern checked when the playbook is loaded: an empty pattern or term ('', 'all,!')
// always, and with a known inventory every term must name a host or group of it ("did you mean"
// against both). Without this, `validate` said valid and the run stopped with no position.

import type { Inventory } from '../inventory/types.js';
import { matchTerm, patternTerms } from '../inventory/pattern.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { NodeReader } from '../yaml/node-reader.js';
import { positionAt, type YNode } from '../yaml/yaml-nodes.js';

export function checkHostPattern(r: NodeReader, node: YNode, pattern: string, inventory: Inventory | undefined): void {
  if (node.kind !== 'scalar') return;
  const text = r.file.text;
  // offsets inside the value are exact when it is written as it reads (plain or simply quoted)
  const body = node.quoted && (text[node.start] === '"' || text[node.start] === "'") ? node.start + 1 : node.start;
  const exact = text.startsWith(pattern, body);
  const at = (index: number, length: number): ReturnType<typeof positionAt> => (exact ? positionAt(r.file, body + index, length) : r.pos(node));
  if (pattern.trim() === '') {
    r.problems.add('bad-pattern', "a play's 'hosts' is empty: name hosts or groups of the inventory, or 'all'", r.pos(node));
    return;
  }
  for (const term of patternTerms(pattern)) {
    if (term.name === '') {
      const what = term.op ? `'${term.op}' needs a host or group after it` : 'an empty term (two separators in a row, or one at an end)';
      r.problems.add('bad-pattern', `host pattern '${pattern}' has ${what}`, at(term.index, Math.max(1, term.op.length)));
      continue;
    }
    if (inventory === undefined || matchTerm(inventory, term.name).size > 0) continue;
    const names = [...inventory.groups.keys(), ...[...inventory.hosts.values()].filter((h) => !h.implicit).map((h) => h.name), 'all'];
    const from = inventory.file === null ? 'the implicit inventory (localhost only; pass -i)' : 'the inventory';
    r.problems.add(
      'unknown-host',
      `host pattern '${term.name}' matches no host or group in ${from}${didYouMean(term.name, names)}`,
      at(term.index + term.op.length, term.name.length),
    );
  }
}
