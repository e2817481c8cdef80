// The open-undo guard: a run is refused while an earlier run that touched any of the same targets
// (hosts, management servers) left undo obligations open — whatever directory it was started from and
// whatever copy of the inventory it used.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { legacyJournalDir } from '../journal/journal.js';
import { isSettled, listRuns } from '../journal/read.js';
import { UsageError } from './errors.js';

/** Journals from before targets were recorded are matched by their inventory file. */
export function checkNoOpenRuns(dir: string, targets: readonly string[], inventoryPath: string | null, except?: string): void {
  const inv = inventoryPath === null ? null : resolve(inventoryPath);
  const mine = new Set(targets);
  const dirs = [dir, ...(existsSync(legacyJournalDir()) && resolve(legacyJournalDir()) !== resolve(dir) ? [legacyJournalDir()] : [])];
  for (const d of dirs) {
    for (const r of listRuns(d, true, (path) => !isSettled(path))) {
      if (r.open.length === 0 || r.runId === except || r.header?.dryRun === true) continue;
      const theirs = r.header?.targets;
      const shared = theirs ? theirs.filter((t) => mine.has(t)) : (r.header?.inventory ?? null) === inv ? ['the same inventory file'] : [];
      if (shared.length === 0) continue;
      const where = d === dir ? '' : ` --journal-dir ${d}`;
      throw new UsageError(
        `run ${r.runId} left ${r.open.length} undo step(s) open on what this run touches (${shared.slice(0, 3).join(', ')}${shared.length > 3 ? ', …' : ''}): ` +
          `${r.open.map((o) => `${o.host}: ${o.undo.join('; ')}`).join(', ')}.\n` +
          `Run 'stackplay recover ${r.runId}${where}' first, or pass --force to start anyway (recorded in the journal).`,
      );
    }
  }
}
