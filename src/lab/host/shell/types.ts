// What the interpreter needs from an emulated host (its files, its commands) and what a command sees
// when it runs (argv, stdin, output sinks, the shell state).

import type { Vfs } from '../vfs.js';

export interface CommandIO {
  /** A promise for an SSH exec's input: like sshd, the command starts at once and waits only if it reads. */
  readonly stdin: string | Promise<string>;
  out(text: string): void;
  err(text: string): void;
}

export interface ShellState {
  cwd: string;
  readonly env: Map<string, string>;
  lastStatus: number;
}

export interface RunContext {
  readonly host: HostContext;
  readonly sh: ShellState;
  /** Runs a script (sh -c, systemd-run payloads, ssh into a VM) on a host. */
  runScript(script: string, io: CommandIO, sh: ShellState, host?: HostContext): Promise<number>;
  /** Runs an argv without a shell (nohup, sudo, env, systemd-run). */
  runArgv(argv: readonly string[], io: CommandIO, sh: ShellState): Promise<number>;
}

export type CommandImpl = (argv: readonly string[], io: CommandIO, ctx: RunContext) => Promise<number>;

export interface HostContext {
  /** Name shown in logs and prompts, e.g. mgmt1, kvm01, r-3-VM. */
  readonly name: string;
  readonly fs: Vfs;
  readonly commands: ReadonlyMap<string, CommandImpl>;
  readonly home: string;
}
