// Reading journals back: run summaries for `stackplay runs`/`show`, and the open obligations that
// `stackplay recover` must discharge. Events of older versions are read as today's (upgrade.ts).

import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalRecord, RunHeader } from './journal.js';
import { upgradeEvent } from './upgrade.js';

interface OpenObligation {
  readonly id: string;
  readonly stepId: string;
  readonly step: string;
  readonly host: string;
  readonly undo: readonly string[];
  readonly result: unknown;
  readonly vars?: Readonly<Record<string, unknown>>;
  readonly deadman?: ReadonlyArray<{ readonly host: string; readonly unit: string }>;
}

export interface RunSummaryInfo {
  readonly runId: string;
  readonly path: string;
  readonly header: RunHeader | null;
  readonly status: string;
  readonly durationMs: number | null;
  readonly open: readonly OpenObligation[];
  readonly records: readonly JournalRecord[];
  readonly registered: ReadonlyMap<string, Record<string, unknown>>;
  /** Async jobs submitted by the run, by submission key. */
  readonly jobs: ReadonlyMap<string, string>;
}

/** Record kinds a quick scan (the open-obligation check before every run) needs. */
const QUICK = ['{"t":"run"', '{"t":"obligation"', '{"t":"discharged"', '{"t":"deadman"', '{"t":"forced"', '{"t":"refused"'];

export function readRun(path: string, quick = false): RunSummaryInfo {
  const records: JournalRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    // events are most of a journal; a quick scan skips parsing them (run-end is found by its prefix)
    if (quick && !QUICK.some((p) => line.startsWith(p)) && !line.startsWith('{"t":"event","e":{"type":"run-end"')) continue;
    try {
      const r = JSON.parse(line) as JournalRecord;
      records.push(r.t === 'event' ? { t: 'event', e: upgradeEvent(r.e) } : r);
    } catch {
      // a torn last line after a crash: everything before it is intact
    }
  }
  let header: RunHeader | null = null;
  let status = 'running or crashed';
  let durationMs: number | null = null;
  const obligations = new Map<string, OpenObligation>();
  const registered = new Map<string, Record<string, unknown>>();
  const jobs = new Map<string, string>();
  let recovered = false;
  for (const r of records) {
    if (r.t === 'job') jobs.set(r.key, r.jobid);
    if (r.t === 'run') header = r;
    else if (r.t === 'obligation') obligations.set(r.id, { id: r.id, stepId: r.stepId, step: r.step, host: r.host, undo: r.undo, result: undefined, ...(r.vars ? { vars: r.vars } : {}) });
    else if (r.t === 'obligation-result') {
      const o = obligations.get(r.id);
      if (o) obligations.set(r.id, { ...o, result: r.result });
    } else if (r.t === 'deadman') {
      const o = obligations.get(r.id);
      if (o) obligations.set(r.id, { ...o, deadman: [...(o.deadman ?? []), { host: r.host, unit: r.unit }] });
    } else if (r.t === 'discharged') {
      if (r.by === 'recover') recovered = true;
      if (r.ok) obligations.delete(r.id);
    } else if (r.t === 'refused') status = 'refused';
    else if (r.t === 'register') registered.set(r.host, { ...(registered.get(r.host) ?? {}), [r.name]: r.value });
    else if (r.t === 'forced') status = 'forced exit';
    else if (r.t === 'event' && r.e.type === 'run-end') {
      status = r.e.status;
      durationMs = r.e.durationMs;
    }
  }
  // `stackplay recover` finished what the run left open: it no longer looks crashed
  if (recovered) status = obligations.size === 0 ? 'recovered' : 'recover failed';
  const runId = header?.runId ?? path.replace(/^.*\//, '').replace(/\.jsonl$/, '');
  return { runId, path, header, status, durationMs, open: [...obligations.values()], records, registered, jobs };
}

/** The closing record of a session that left nothing open, exactly as Journal.write serialises it. */
const SETTLED = JSON.stringify({ t: 'closed', open: 0 } satisfies JournalRecord);

/**
 * True if the journal's last record says its last session closed it with no obligation open: nothing
 * to recover, known from the file's tail alone (journals grow with every run; this check runs before
 * each). Anything appended later (a crash leaves no such record) makes it false.
 */
export function isSettled(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const tail = `${SETTLED}\n`;
    const size = fstatSync(fd).size;
    if (size < tail.length) return false;
    const buf = Buffer.alloc(tail.length);
    readSync(fd, buf, 0, tail.length, size - tail.length);
    return buf.toString('utf8') === tail;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The journal directory given is something else (a file): the user's mistake, not a crash. */
export class JournalDirError extends Error {
  constructor(dir: string) {
    super(`the journal directory ${dir} is not a directory (--journal-dir or STACKPLAY_JOURNAL_DIR must name a directory)`);
    this.name = 'JournalDirError';
  }
}

/** Runs in `dir`, oldest first; `include` can leave journals out before they are read. */
export function listRuns(dir: string, quick = false, include: (path: string) => boolean = () => true): RunSummaryInfo[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) throw new JournalDirError(dir);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(dir, f))
    .filter(include)
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
    .map((p) => readRun(p, quick));
}

/**
 * A run by id or id prefix; without one, the last run — for `recover` and `resume` (`realOnly`) the last
 * run that was not a dry run, so a dry run made after a crash does not hide the run left to recover.
 */
export function findRun(dir: string, id: string | undefined, realOnly = false): RunSummaryInfo | undefined {
  const runs = listRuns(dir);
  // a refused run never started: there is nothing of it to recover or resume
  if (id === undefined) return realOnly ? runs.filter((r) => r.header?.dryRun !== true && r.status !== 'refused').at(-1) : runs.at(-1);
  return runs.find((r) => r.runId === id || r.runId.startsWith(id));
}
