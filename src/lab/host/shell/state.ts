// Shell state helpers of the lab hosts' shell: a fresh shell's variables, a subshell's copy, and how a
// command name resolves to an emulated command (the host's table, also under /bin, /usr/bin, …).

import { Vfs } from '../vfs.js';
import type { AndOr, SimpleCommand } from './ast.js';
import type { CommandImpl, CommandIO, HostContext, ShellState } from './types.js';

const BIN_DIRS = new Set(['/bin', '/usr/bin', '/sbin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin']);

export function newShell(host: HostContext, env: Record<string, string> = {}): ShellState {
  return {
    cwd: host.home, lastStatus: 0, args: [], functions: new Map(),
    env: new Map(Object.entries({ '0': 'bash', HOME: host.home, USER: 'root', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env })),
  };
}

/** A subshell's copy of the state: changes stay inside; $$ stays the parent's. */
export function subshellOf(sh: ShellState): ShellState {
  return {
    cwd: sh.cwd, env: new Map(sh.env), lastStatus: sh.lastStatus, args: [...(sh.args ?? [])], functions: new Map(sh.functions ?? []),
    shellPid: sh.shellPid, lastBackground: sh.lastBackground,
  };
}

/** The simple command an and-or list consists of, if that is all it is. */
export function alone(a: AndOr): SimpleCommand | undefined {
  const c = a.rest.length === 0 && !a.first.negate && a.first.commands.length === 1 ? a.first.commands[0] : undefined;
  return c?.kind === 'simple' ? c : undefined;
}

/** The command for a name: the host's table (also under /bin, /usr/bin, …), or an exit status. */
export function resolveCommand(host: HostContext, name: string, sh: ShellState, io: CommandIO): CommandImpl | number {
  let key = name;
  if (name.includes('/')) {
    const dir = name.slice(0, name.lastIndexOf('/')) || '/';
    const base = name.slice(name.lastIndexOf('/') + 1);
    if (BIN_DIRS.has(dir) && host.commands.has(base)) key = base;
    else {
      const p = Vfs.normalize(name, sh.cwd);
      io.err(host.fs.exists(p) ? `bash: ${name}: Permission denied\n` : `bash: ${name}: No such file or directory\n`);
      return host.fs.exists(p) ? 126 : 127;
    }
  }
  const impl = host.commands.get(key);
  if (!impl) {
    const list = [...host.commands.keys()].sort().join(', ');
    io.err(`lab: ${name}: command not found (this lab host emulates: ${list})\n`);
    return 127;
  }
  return impl;
}

/** VAR=x before a builtin or function: set for its duration, then put back (unless it changed it). */
export async function withTempVars(sh: ShellState, assigns: ReadonlyArray<readonly [string, string]>, fn: () => Promise<number>): Promise<number> {
  const saved = assigns.map(([k, v]) => [k, v, sh.env.get(k)] as const);
  for (const [k, v] of assigns) sh.env.set(k, v);
  try {
    return await fn();
  } finally {
    for (const [k, v, old] of saved) {
      if (sh.env.get(k) !== v) continue;
      if (old === undefined) sh.env.delete(k);
      else sh.env.set(k, old);
    }
  }
}
