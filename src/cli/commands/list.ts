// `stackplay list`: the bundled playbooks with their descriptions.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import type { Styler } from '../../renderers/style.js';
import { BUNDLED_DIR } from '../../app/load-input.js';

const OPERATOR_ORDER = [
  'cloudstack/upgrade-readiness', 'cloudstack/preflight', 'cloudstack/management-restart',
  'cloudstack/systemvm-restart', 'cloudstack/systemvm-restart-api', 'cloudstack/systemvm-live-patch', 'cloudstack/upgrade-proof',
];

/** The bundled playbooks' names (cloudstack/preflight …), as `run` takes them. */
export function bundledNames(): string[] {
  return bundled().map((f) => f.name);
}

export function listPlaybooks(s: Styler): string {
  const found = bundled();
  const w = Math.max(...found.map((f) => f.name.length), 4);
  return `${s.bold('Bundled playbooks')} (run with: stackplay run NAME -i inventory.yml)\n${found.map((f) => `  ${s.bold(f.name.padEnd(w))}  ${f.description}`).join('\n')}\n`;
}

function bundled(): Array<{ name: string; description: string }> {
  const found: Array<{ name: string; description: string }> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(entry)) {
        let description = '';
        try {
          const doc = yaml.load(readFileSync(p, 'utf8')) as { description?: string; name?: string } | null;
          description = String(doc?.description ?? doc?.name ?? '').split('\n')[0] ?? '';
        } catch {
          description = '(invalid YAML: run stackplay validate)';
        }
        found.push({ name: relative(BUNDLED_DIR, p).replace(/\.ya?ml$/, ''), description });
      }
    }
  };
  walk(BUNDLED_DIR);
  // in the order an operator uses them around an upgrade; any other after them, by name
  const rank = (name: string): number => {
    const i = OPERATOR_ORDER.indexOf(name);
    return i < 0 ? OPERATOR_ORDER.length : i;
  };
  return found.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}
