// `runs` and `show`: the journaled runs of a journal directory, and one run read back in full.

import { findRun, listRuns, type RunSummaryInfo } from '../journal/read.js';
import { UsageError } from './errors.js';
import type { JournalRequest } from './resume.js';

/** Every journaled run, oldest first (quick: events are not parsed). */
export function journaledRuns(dir: string): RunSummaryInfo[] {
  return listRuns(dir, true);
}

/** One run, by id or id prefix (default: the last run). */
export function journaledRun(request: JournalRequest): RunSummaryInfo {
  const r = findRun(request.journalDir, request.runId);
  if (!r) throw new UsageError(request.runId ? `no run '${request.runId}' in ${request.journalDir}` : `no runs in ${request.journalDir}`);
  return r;
}
