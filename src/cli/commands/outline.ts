// `run --list-hosts` / `--list-steps` on the terminal: the outline the application layer gives, as an
// indented list (or one JSON object with -o json).

import type { PlayOutline } from '../../app/outline.js';
import { JSON_SCHEMA_VERSION } from '../../renderers/json.js';
import type { Io } from '../output.js';

export function printOutline(io: Io, plays: readonly PlayOutline[], what: { hosts: boolean; steps: boolean; json: boolean }): void {
  if (what.json) {
    io.out(`${JSON.stringify({ schema_version: JSON_SCHEMA_VERSION, type: 'outline', plays: plays.map((p) => ({ name: p.name, hosts_pattern: p.pattern, ...(what.hosts ? { hosts: p.hosts } : {}), ...(what.steps ? { steps: p.steps } : {}) })) })}\n`);
    return;
  }
  const s = io.style;
  const lines: string[] = [];
  plays.forEach((p, i) => {
    lines.push(`${s.bold(`play ${i + 1}: ${p.name}`)} ${s.dim(`(hosts: ${p.pattern})`)}`);
    if (what.hosts) {
      lines.push(`  hosts (${p.hosts.length}):${p.hosts.length === 0 ? s.dim(' none (the play would be skipped)') : ''}`);
      for (const h of p.hosts) lines.push(`    ${h}`);
    }
    if (what.steps) {
      lines.push('  steps:');
      for (const st of p.steps) {
        const tags = st.tags.length > 0 ? s.dim(`  [tags: ${st.tags.join(', ')}]`) : '';
        lines.push(`    ${'  '.repeat(st.depth)}${st.name} ${s.dim(`(${st.type})`)}${tags}`);
      }
    }
  });
  io.out(`${lines.join('\n')}\n`);
}
