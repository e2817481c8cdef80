// `stackplay steps`: the step types and their arguments, generated from their definitions.

import type { Styler } from '../../renderers/style.js';
import { stepRegistry } from '../../steps/registry.js';
import { documentArgument } from '../../steps/schema/docs.js';
import { UsageError } from '../output.js';
import { didYouMean } from '../../diagnostics/suggest.js';

export function describeSteps(type: string | undefined, s: Styler): string {
  const defs = [...stepRegistry.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (type === undefined) {
    const w = Math.max(...defs.map((d) => d.name.length));
    const lines = defs.map((d) => `  ${s.bold(d.name.padEnd(w))}  ${s.dim(d.effect.padEnd(5))}  ${d.summary}`);
    return `${s.bold('Step types')} (effect: read = runs in a dry run, write = predicted, none = local logic)\n${lines.join('\n')}\n\nRun 'stackplay steps TYPE' for arguments.\n`;
  }
  const d = stepRegistry.get(type);
  if (!d) throw new UsageError(`unknown step type '${type}'${didYouMean(type, stepRegistry.keys())}`);
  const out = [`${s.bold(d.name)} — ${d.summary}`, `effect: ${d.effect}${d.primary ? `; a plain value fills '${d.primary}'` : ''}`];
  if (d.description) out.push('', d.description);
  const args = Object.entries(d.args).map(([n, a]) => [n, documentArgument(a)] as const);
  if (args.length) {
    out.push('', 'arguments:');
    const w = Math.max(...args.map(([n]) => n.length));
    const tw = Math.max(...args.map(([, a]) => a.type.length));
    for (const [n, a] of args) {
      out.push(`  ${n.padEnd(w)}  ${s.dim(a.type.padEnd(tw))}  ${a.description}${a.notes.length ? s.dim(` (${a.notes.join(', ')})`) : ''}`);
    }
  } else if (d.freeform) out.push('', 'arguments: any variable names');
  return `${out.join('\n')}\n`;
}
