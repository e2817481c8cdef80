// The process table of one emulated host, arranged as sshd and a non-interactive bash arrange theirs (pids,
// groups, sessions), so $$, $!, ps, kill and pgrep behave as scripts expect. A kill aborts the process's
// signal; the interpreter and long-running commands stop on it. No real processes, ever.

import type { HostContext } from './types.js';

export const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1, INT: 2, QUIT: 3, KILL: 9, USR1: 10, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, CONT: 18, STOP: 19,
};

export function signalNumber(spec: string): number | undefined {
  if (/^\d+$/.test(spec)) return Number(spec) <= 64 ? Number(spec) : undefined;
  return SIGNALS[spec.toUpperCase().replace(/^SIG/, '')];
}

export interface LabProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** What ps shows; `exec` (and nohup, sudo, env) replace it. */
  args: readonly string[];
  readonly started: number;
  readonly signal: AbortSignal;
  /** nohup: a hang-up does not end it. */
  ignoreHup: boolean;
  /** The signal that ended it, once one did. */
  killedBy?: number | undefined;
}

/** Processes the host always runs (init, sshd, the management server's java); shown, never signalled. */
export interface SystemProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly args: readonly string[];
}

export type KillResult = 'ok' | 'no-such-process' | 'system';

interface Entry {
  readonly proc: LabProcess;
  readonly abort: AbortController;
}

export class ProcessTable {
  private next: number;
  private readonly live = new Map<number, Entry>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly system: () => readonly SystemProcess[] = () => [],
    firstPid = 4300,
  ) {
    this.next = firstPid;
  }

  /** A new process: a session leader (sshd's exec, a systemd unit) or a child in its parent's group. */
  spawn(args: readonly string[], parent?: LabProcess): LabProcess {
    const pid = this.next++;
    const abort = new AbortController();
    const proc: LabProcess = {
      pid, ppid: parent?.pid ?? 1, pgid: parent?.pgid ?? pid, sid: parent?.sid ?? pid, args, started: this.now(),
      signal: abort.signal, ignoreHup: parent?.ignoreHup ?? false,
    };
    // A parent killed before its child started: the child dies with it (same group, same signal).
    if (parent?.signal.aborted) abort.abort(parent.killedBy ?? SIGNALS.TERM);
    this.live.set(pid, { proc, abort });
    return proc;
  }

  exit(proc: LabProcess): void {
    this.live.delete(proc.pid);
  }

  get(pid: number): LabProcess | undefined {
    return this.live.get(pid)?.proc;
  }

  systemProcess(pid: number): SystemProcess | undefined {
    return this.system().find((p) => p.pid === pid);
  }

  /** Every process, system ones first, by pid; system processes have their own pid as group and session. */
  list(): LabProcess[] {
    const sys = this.system().map((s): LabProcess => ({
      pid: s.pid, ppid: s.ppid, pgid: s.pid, sid: s.pid, args: s.args, started: 0, signal: NEVER, ignoreHup: true,
    }));
    return [...sys, ...[...this.live.values()].map((e) => e.proc)].sort((a, b) => a.pid - b.pid);
  }

  /** kill(2): a pid, or a process group as -pgid; signal 0 only checks that the target exists. */
  kill(target: number, sig: number): KillResult {
    const victims = target < 0
      ? [...this.live.values()].filter((e) => e.proc.pgid === -target)
      : [this.live.get(target)].filter((e): e is Entry => e !== undefined);
    if (victims.length === 0) return target > 0 && this.systemProcess(target) ? 'system' : 'no-such-process';
    if (sig === 0 || sig === SIGNALS.CONT || sig === SIGNALS.STOP) return 'ok';
    for (const v of victims) {
      if (sig === SIGNALS.HUP && v.proc.ignoreHup) continue;
      if (v.abort.signal.aborted) continue;
      v.proc.killedBy = sig;
      v.abort.abort(sig);
    }
    return 'ok';
  }
}

const NEVER = new AbortController().signal;

/**
 * Waits for `work` unless the signal aborts first (a kill): then resolves at once with `aborted`, and
 * the work, which watches the same signal, winds down on its own. The listener goes when either ends.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<{ readonly aborted: true } | { readonly aborted: false; readonly value: T }> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve({ aborted: true });
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve({ aborted: true });
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ aborted: false, value });
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

const tables = new WeakMap<HostContext, ProcessTable>();

/** The host's process table (hosts built without one, as in unit tests, get one here). */
export function procsOf(host: HostContext): ProcessTable {
  if (host.procs) return host.procs;
  let t = tables.get(host);
  if (!t) tables.set(host, (t = new ProcessTable()));
  return t;
}
