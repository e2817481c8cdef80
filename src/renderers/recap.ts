// The final recap: per host counts and the total time, shared by the plain and task-list renderers.

import type { HostCounts, RunStatus } from '../engine/events.js';
import { formatDuration } from '../util/durations.js';
import type { Styler } from './style.js';

export function formatRecap(recap: Readonly<Record<string, HostCounts>>, status: RunStatus, durationMs: number, dryRun: boolean, s: Styler): string {
  const hosts = Object.keys(recap);
  const width = Math.max(4, ...hosts.map((h) => h.length));
  const lines = [s.bold(dryRun ? 'RECAP (dry run: nothing was changed)' : 'RECAP')];
  for (const h of hosts) {
    const c = recap[h]!;
    const colour = c.failed > 0 ? s.red : c.unreachable > 0 ? s.magenta : c.changed > 0 ? s.yellow : s.green;
    const parts = [
      `ok=${c.ok}`, `changed=${c.changed}`, `failed=${c.failed}`, `skipped=${c.skipped}`, `unreachable=${c.unreachable}`, `ignored=${c.ignored}`,
      ...(c.rescued > 0 ? [`rescued=${c.rescued}`] : []),
      ...(c.unknown > 0 || dryRun ? [`unknown=${c.unknown}`] : []),
    ];
    lines.push(`  ${colour(h.padEnd(width))}  ${parts.join('  ')}`);
  }
  const word = { ok: s.green('succeeded'), failed: s.red('failed'), unreachable: s.magenta('failed: host unreachable'), interrupted: s.yellow('interrupted') }[status];
  lines.push(`${dryRun ? 'Dry run' : 'Run'} ${word} in ${formatDuration(durationMs)}`);
  return lines.join('\n');
}
