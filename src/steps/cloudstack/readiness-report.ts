// The readiness checks as a Markdown report: the verdict, then one row per check with the fact that
// decided it and the fix, failures first.

import type { Check } from './readiness-checks.js';
import { mdCell } from './report-file.js';

const cell = mdCell;
const ORDER = { fail: 0, warn: 1, pass: 2 } as const;

export function readinessMarkdown(r: { source: string; at: string; version: string; current: string; template_version: string; ready: boolean; checks: readonly Check[] }): string {
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  const warned = r.checks.filter((c) => c.status === 'warn').length;
  const out = [
    `# Upgrade readiness: CloudStack ${r.current} → ${r.version}`, '',
    `Read from ${r.source} at ${r.at}. System VM template version looked for: ${r.template_version}.`, '',
    r.ready ? `**Ready**: no check fails (${warned} warning(s)).` : `**Not ready**: ${failed} check(s) fail, ${warned} warn.`, '',
    '| status | check | fact | fix |', '|---|---|---|---|',
  ];
  for (const c of [...r.checks].sort((a, b) => ORDER[a.status] - ORDER[b.status])) {
    out.push(`| ${c.status.toUpperCase()} | ${cell(c.check)} | ${cell(c.fact)} | ${cell(c.fix ?? '')} |`);
  }
  return out.join('\n');
}
