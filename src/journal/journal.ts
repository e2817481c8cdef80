// The run journal: one JSON-lines file per run, in a per-user state directory ($XDG_STATE_HOME/stackplay/
// runs, else ~/.local/state/stackplay/runs), so every run of the same operator is seen wherever it was
// started. It records the run's inputs (secrets masked) and what it touches, every step result, `log`
// messages, and undo obligations. An obligation is written and fsync'ed before the step that creates it
// runs, and marked discharged only after its compensation succeeded, so `stackplay recover` can finish
// the job after a crash. A dry run is journaled too, as one: its plan, and never an obligation.

import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import os from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { RunEvent } from '../engine/events.js';
import type { Obligation, RunJournalHooks } from '../engine/undo.js';
import { isUnknown } from '../expr/unknown.js';
import type { SecretRegistry } from '../secrets/masker.js';
import { readRun } from './read.js';

export interface RunHeader {
  readonly runId: string;
  readonly playbook: string;
  readonly inventory: string | null;
  /** The -e arguments (values of secret-looking names masked); @files are re-read by recover. */
  readonly extraArgs: readonly string[];
  readonly cwd: string;
  readonly started: string;
  readonly forced?: boolean;
  /** A dry run: its journal holds the plan and never an open obligation. */
  readonly dryRun?: boolean;
  /**
   * What the run touches: `ssh:ADDRESS:PORT` of its hosts, `local:MACHINE`, `cloudstack:URL` of the
   * management servers (with the host they are reached through). The open-undo guard compares these,
   * so a copied inventory or another working directory cannot slip past it.
   */
  readonly targets?: readonly string[];
  /** Selection flags, applied again by `resume`. */
  readonly options?: { readonly limit?: string; readonly tags?: readonly string[]; readonly skipTags?: readonly string[]; readonly startAtStep?: string; readonly forks?: number };
}

export type JournalRecord =
  | ({ readonly t: 'run' } & RunHeader)
  | { readonly t: 'event'; readonly e: RunEvent }
  | { readonly t: 'obligation'; readonly id: string; readonly stepId: string; readonly step: string; readonly host: string; readonly undo: readonly string[]; readonly vars?: Readonly<Record<string, unknown>> }
  | { readonly t: 'obligation-result'; readonly id: string; readonly result: unknown }
  | { readonly t: 'discharged'; readonly id: string; readonly ok: boolean; readonly msg?: string; readonly by?: string }
  | { readonly t: 'register'; readonly host: string; readonly name: string; readonly value: unknown }
  | { readonly t: 'deadman'; readonly id: string; readonly host: string; readonly unit: string }
  | { readonly t: 'job'; readonly key: string; readonly jobid: string; readonly command: string }
  /** The operator forced the runner out (a third Ctrl-C) with undo obligations still open. */
  | { readonly t: 'forced'; readonly signal: string; readonly open: number }
  /** The run was refused before it started (a host key, bad input found late): nothing ran. */
  | { readonly t: 'refused'; readonly msg: string }
  /** Written last when a session closes the journal: undo obligations still open at that point. */
  | { readonly t: 'closed'; readonly open: number };

/** `--journal-dir` default: STACKPLAY_JOURNAL_DIR, else $XDG_STATE_HOME/stackplay/runs, else ~/.local/state/stackplay/runs. */
export function defaultJournalDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env['STACKPLAY_JOURNAL_DIR'];
  if (own) return resolve(own);
  // the XDG base directory spec: a relative XDG_STATE_HOME is invalid and ignored
  const xdg = env['XDG_STATE_HOME'];
  const state = xdg && isAbsolute(xdg) ? xdg : join(os.homedir(), '.local', 'state');
  return join(state, 'stackplay', 'runs');
}

/** Where journals were kept before they moved to the state directory (still checked for open undo steps). */
export function legacyJournalDir(cwd = process.cwd()): string {
  return join(cwd, '.stackplay', 'runs');
}

/**
 * Makes `dir` and its missing parents one level at a time, private to the user: Node's recursive mkdir
 * never returns where a parent cannot be made (it spins under HOME=/proc).
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

export class Journal implements RunJournalHooks {
  private fd: number | null;
  readonly path: string;

  constructor(
    dir: string,
    readonly runId: string,
    private readonly secrets: SecretRegistry,
  ) {
    makeDirs(dir);
    this.path = join(dir, `${runId}.jsonl`);
    this.fd = openSync(this.path, 'a', 0o600);
  }

  write(record: JournalRecord, durable = false): void {
    if (this.fd === null) return;
    // one pass over the serialized record: the registry knows the JSON-escaped form of every secret
    writeSync(this.fd, `${this.secrets.mask(JSON.stringify(record, replacer))}\n`);
    if (durable) fsyncSync(this.fd);
  }

  header(h: RunHeader): void {
    this.write({ t: 'run', ...h }, true);
  }

  /** Event sink: step starts and results, phases, the run's end, and the messages of `log` steps (other output, progress and transport events are left out). */
  sink = (e: RunEvent): void => {
    if (e.type === 'step-start' && e.stepType === 'log') this.logSteps.add(e.stepId);
    if (e.type === 'step-progress' || e.type === 'transport' || (e.type === 'step-output' && !this.logSteps.has(e.stepId))) return;
    this.write({ t: 'event', e }, e.type === 'run-end');
  };
  private readonly logSteps = new Set<string>();

  async obligationOpened(o: Obligation): Promise<void> {
    this.write({ t: 'obligation', id: o.id, stepId: o.stepId, step: o.stepName, host: o.host, undo: o.steps.map((s) => s.name), ...(o.vars ? { vars: o.vars } : {}) }, true);
  }

  async obligationResult(o: Obligation): Promise<void> {
    this.write({ t: 'obligation-result', id: o.id, result: o.result }, true);
  }

  async obligationDischarged(o: Obligation, ok: boolean, msg?: string): Promise<void> {
    this.write({ t: 'discharged', id: o.id, ok, ...(msg ? { msg } : {}) }, true);
  }

  deadmanArmed(o: Obligation, host: string, unit: string): void {
    this.write({ t: 'deadman', id: o.id, host, unit }, true);
  }

  registered(host: string, name: string, value: unknown): void {
    this.write({ t: 'register', host, name, value });
  }

  /**
   * Ends the session with a `closed` record: the check before every run skips a journal that ends in
   * `open: 0`. The count comes from the file, so what an earlier session (resume, recover) or another
   * process writing the same journal recorded is counted too; anything written later comes after it.
   */
  close(): void {
    if (this.fd !== null) {
      let open = -1; // unknown: never taken for settled
      try {
        open = readRun(this.path, true).open.length;
      } catch {
        // unreadable: the record then says nothing is known
      }
      this.write({ t: 'closed', open });
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

function replacer(_key: string, value: unknown): unknown {
  if (isUnknown(value)) return `<unknown: ${value.reason}>`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}
