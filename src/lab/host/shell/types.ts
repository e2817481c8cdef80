// What the interpreter needs from an emulated host (its files, its commands, its processes) and what a
// command sees when it runs (argv, stdin, output sinks, the shell state, its own process).

import type { Vfs } from '../vfs.js';
import type { Compound } from './parse.js';
import type { LabProcess, ProcessTable } from './processes.js';

export interface CommandIO {
  /**
   * Whatever input is left when the command reads it (a read consumes it, so `cat; cat` prints it once).
   * An SSH exec's input arrives as a promise: like sshd, the command starts at once and waits only if it reads.
   */
  readonly stdin: string | PromiseLike<string>;
  /** The shell's input, for `read` (one line at a time). */
  readonly input?: Input | undefined;
  out(text: string): void;
  err(text: string): void;
}

/** A shell's standard input with a read position: `read` takes lines, other commands the rest. */
export class Input {
  private consumed = 0;

  constructor(
    private readonly source: string | PromiseLike<string>,
    /** The input is the SSH channel: sshd gives a command a socketpair, which /dev/stdin cannot reopen. */
    readonly socket = false,
  ) {}

  /** The unread rest, taken when (and only if) a command awaits it. */
  get rest(): PromiseLike<string> {
    const take = async (): Promise<string> => {
      const t = await this.source;
      const r = t.slice(this.consumed);
      this.consumed = t.length;
      return r;
    };
    return { then: (ok, fail) => take().then(ok, fail) };
  }

  /** The next line without its newline; `eof` when the input ended before a newline. */
  async line(): Promise<{ readonly text: string; readonly eof: boolean } | undefined> {
    const t = await this.source;
    if (this.consumed >= t.length) return undefined;
    const nl = t.indexOf('\n', this.consumed);
    const text = t.slice(this.consumed, nl < 0 ? t.length : nl);
    this.consumed = nl < 0 ? t.length : nl + 1;
    return { text, eof: nl < 0 };
  }
}

export interface ShellState {
  cwd: string;
  readonly env: Map<string, string>;
  lastStatus: number;
  /** Positional parameters $1… ($0 lives in env). */
  args?: string[] | undefined;
  functions?: Map<string, Compound> | undefined;
  /** $$: the shell's pid (a subshell keeps its parent's, as in bash). */
  shellPid?: number | undefined;
  /** $!: the pid of the last background job. */
  lastBackground?: number | undefined;
}

export interface RunContext {
  readonly host: HostContext;
  readonly sh: ShellState;
  /** The process the command runs in; a kill aborts its signal and the command should stop. */
  readonly proc: LabProcess;
  readonly signal: AbortSignal;
  /** Runs a script (sh -c, systemd-run payloads, ssh into a VM) on a host. */
  runScript(script: string, io: CommandIO, sh: ShellState, host?: HostContext): Promise<number>;
  /** Runs an argv without a shell, as a child process. */
  runArgv(argv: readonly string[], io: CommandIO, sh: ShellState): Promise<number>;
  /** Runs an argv in the command's own process, as exec(3) does (nohup, sudo, env, exec). */
  execArgv(argv: readonly string[], io: CommandIO, sh: ShellState): Promise<number>;
}

export type CommandImpl = (argv: readonly string[], io: CommandIO, ctx: RunContext) => Promise<number>;

export interface HostContext {
  /** Name shown in logs and prompts, e.g. mgmt1, kvm01, r-3-VM. */
  readonly name: string;
  readonly fs: Vfs;
  readonly commands: ReadonlyMap<string, CommandImpl>;
  readonly home: string;
  /** The host's processes; a host without a table of its own gets one on first use. */
  readonly procs?: ProcessTable | undefined;
}
