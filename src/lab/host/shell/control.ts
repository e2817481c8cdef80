// The builtins that steer the shell itself (exit, return, break, continue, exec, eval, ., shift, unset,
// local, wait) and the signals the interpreter unwinds with. Messages and statuses follow bash.

import { Vfs } from '../vfs.js';
import type { CommandIO, HostContext, ShellState } from './types.js';

/** `exit`: ends the shell (a subshell, `sh -c`, a background job) with a status. */
export class ExitShell {
  constructor(readonly status: number) {}
}

export class ReturnFromFunction {
  constructor(readonly status: number) {}
}

export class LoopControl {
  constructor(
    readonly kind: 'break' | 'continue',
    readonly levels: number,
  ) {}
}

/** The shell's own process was killed: unwind, the shell's status is 128+signal. */
export class Killed {
  constructor(readonly signal: number) {}
}

/** What the control builtins need from the interpreter. */
export interface Shell {
  readonly sh: ShellState;
  readonly host: HostContext;
  readonly functionDepth: number;
  readonly loopDepth: number;
  readonly jobs: ReadonlyMap<number, Promise<number>>;
  execArgv(argv: readonly string[], io: CommandIO, sh: ShellState): Promise<number>;
  evalScript(text: string, io: CommandIO): Promise<number>;
}

export const CONTROL_BUILTINS = new Set(['exit', 'return', 'break', 'continue', 'exec', 'eval', '.', 'source', 'shift', 'unset', 'local', 'wait']);

function count(arg: string | undefined, fallback: number, io: CommandIO, name: string): number | undefined {
  if (arg === undefined) return fallback;
  if (/^-?\d+$/.test(arg)) return Number(arg);
  io.err(`bash: ${name}: ${arg}: numeric argument required\n`);
  return undefined;
}

export async function runControl(shell: Shell, argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...args] = argv as [string, ...string[]];
  const sh = shell.sh;
  switch (name) {
    case 'exit': {
      const n = count(args[0], sh.lastStatus, io, 'exit');
      throw new ExitShell(n === undefined ? 2 : n & 255);
    }
    case 'return': {
      if (shell.functionDepth === 0) {
        io.err("bash: return: can only `return' from a function or sourced script\n");
        return 1;
      }
      const n = count(args[0], sh.lastStatus, io, 'return');
      throw new ReturnFromFunction(n === undefined ? 2 : n & 255);
    }
    case 'break': case 'continue': {
      if (shell.loopDepth === 0) {
        io.err(`bash: ${name}: only meaningful in a \`for', \`while', or \`until' loop\n`);
        return 0;
      }
      const n = count(args[0], 1, io, name);
      if (n === undefined || n < 1) return 1;
      throw new LoopControl(name, Math.min(n, shell.loopDepth));
    }
    case 'exec':
      if (args.length === 0) return 0;
      throw new ExitShell(await shell.execArgv(args, io, sh));
    case 'eval':
      return shell.evalScript(args.join(' '), io);
    case '.': case 'source': {
      const text = args[0] === undefined ? undefined : shell.host.fs.read(Vfs.normalize(args[0], sh.cwd));
      if (text === undefined) {
        io.err(args[0] === undefined ? `bash: ${name}: filename argument required\n` : `bash: ${args[0]}: No such file or directory\n`);
        return args[0] === undefined ? 2 : 1;
      }
      return shell.evalScript(text, io);
    }
    case 'shift': {
      const n = count(args[0], 1, io, 'shift') ?? 1;
      if (n > (sh.args?.length ?? 0)) return 1;
      sh.args = (sh.args ?? []).slice(n);
      return 0;
    }
    case 'unset':
      for (const a of args.filter((x) => !x.startsWith('-'))) {
        if (args.includes('-f')) sh.functions?.delete(a);
        else sh.env.delete(a);
      }
      return 0;
    case 'local':
      // No dynamic scoping in the lab: a local is an ordinary variable.
      for (const a of args) {
        const eq = a.indexOf('=');
        if (eq > 0) sh.env.set(a.slice(0, eq), a.slice(eq + 1));
        else if (!sh.env.has(a)) sh.env.set(a, '');
      }
      return 0;
    case 'wait': {
      if (args.length === 0) {
        await Promise.all([...shell.jobs.values()]);
        return 0;
      }
      let status = 0;
      for (const a of args) {
        const job = shell.jobs.get(Number(a));
        if (!job) {
          io.err(`bash: wait: pid ${a} is not a child of this shell\n`);
          status = 127;
        } else status = await job;
      }
      return status;
    }
  }
  return 1;
}
