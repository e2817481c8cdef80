// A report a step writes on the machine running stackplay as a Markdown and a JSON file side by side:
// `/tmp/proof`, `/tmp/proof.md` and `/tmp/proof.json` all name the pair /tmp/proof.md + /tmp/proof.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StepFailedError } from '../types.js';

export interface ReportFiles {
  readonly md: string;
  readonly json: string;
}

/** A value in a Markdown table cell: a pipe escaped, a line break a space. */
export const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Writes both files (no report when `report` is empty); a file that cannot be written fails the step. */
export function writeReport(report: string | undefined, md: string, json: unknown): ReportFiles | null {
  if (report === undefined || report === '') return null;
  const base = resolve(report.replace(/\.(md|json)$/, ''));
  const files = { md: `${base}.md`, json: `${base}.json` };
  try {
    mkdirSync(dirname(files.md), { recursive: true });
    writeFileSync(files.md, `${md}\n`);
    writeFileSync(files.json, `${JSON.stringify(json, null, 2)}\n`);
  } catch (err) {
    throw new StepFailedError(`cannot write the report ${files.md}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return files;
}
