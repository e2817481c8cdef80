// Runs parsed scripts against an emulated host: lists, pipes (buffered), background jobs with pids of
// their own, compound commands, functions, expansion and redirections into the host's virtual files.
// Commands come from the host's table; anything else is "command not found" with the list it has.

import { ExitShell, Killed, LoopControl, ReturnFromFunction, runControl, CONTROL_BUILTINS, type Shell } from './control.js';
import { runCompound } from './compound.js';
import { expandFields, expandString, type Expansion } from './expand.js';
import { parseScript, ShellSyntaxError, type AndOr, type Command, type Compound, type Pipeline, type Script, type SimpleCommand } from './parse.js';
import { procsOf, raceAbort, type LabProcess, type ProcessTable } from './processes.js';

export { procsOf } from './processes.js';
import { withRedirects } from './redirects.js';
import { alone, resolveCommand, subshellOf, withTempVars } from './state.js';

export { newShell } from './state.js';
import { Input, type CommandImpl, type CommandIO, type HostContext, type RunContext, type ShellState } from './types.js';

/** Builtins bash runs inside its own process (no fork): they see and change the shell itself. */
const IN_SHELL = new Set(['echo', 'printf', 'true', 'false', ':', 'test', '[', 'cd', 'export', 'read', 'kill', 'pwd', 'umask']);
const MAX_FUNCTION_DEPTH = 200;

export class Interpreter implements RunContext, Shell {
  readonly proc: LabProcess;
  private readonly ownsProc: boolean;
  functionDepth = 0;
  loopDepth = 0;
  /** Background jobs started by this shell, by pid (kept for `wait`). */
  readonly jobs = new Map<number, Promise<number>>();
  private substStatus: number | undefined;

  constructor(
    readonly host: HostContext,
    readonly sh: ShellState,
    /** Background jobs keep running after the exec channel closes; they report here. */
    private readonly onBackground: (p: Promise<number>) => void = () => undefined,
    /** The process to run in; without one the interpreter is an exec session of its own (sshd's child). */
    proc?: LabProcess,
  ) {
    this.ownsProc = proc === undefined;
    this.proc = proc ?? procsOf(host).spawn(['bash']);
    sh.shellPid ??= this.proc.pid;
  }

  get signal(): AbortSignal {
    return this.proc.signal;
  }

  private get procs(): ProcessTable {
    return procsOf(this.host);
  }

  private with(sh: ShellState, proc: LabProcess = this.proc): Interpreter {
    return sh === this.sh && proc === this.proc ? this : new Interpreter(this.host, sh, this.onBackground, proc);
  }

  async runScript(script: string, io: CommandIO, sh: ShellState = this.sh, host: HostContext = this.host): Promise<number> {
    if (host !== this.host) return new Interpreter(host, sh, this.onBackground).runScript(script, io);
    if (sh !== this.sh) return this.with(sh).runScript(script, io);
    if (this.ownsProc) this.proc.args = ['bash', '-c', script];
    try {
      let parsed: Script;
      try {
        parsed = parseScript(script);
      } catch (e) {
        if (!(e instanceof ShellSyntaxError)) throw e;
        io.err(`bash: -c: line 1: ${e.message}\n`);
        return (sh.lastStatus = 2);
      }
      const input = io.input ?? new Input(io.stdin);
      const sio: CommandIO = { ...io, input, stdin: input.rest };
      // bash -c 'one command' execs it: the shell's process becomes the command (pgrep never sees a bash)
      const one = parsed.length === 1 && !parsed[0]!.background ? alone(parsed[0]!.andOr) : undefined;
      return await this.guarded(async () => (one ? (sh.lastStatus = await this.simple(one, sio, true)) : this.list(parsed, sio)));
    } finally {
      if (this.ownsProc) this.procs.exit(this.proc);
    }
  }

  /** Runs as a shell does at its top: `exit` ends it, a kill ends it with 128+signal. */
  async guarded(fn: () => Promise<number>): Promise<number> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ExitShell || e instanceof ReturnFromFunction) return (this.sh.lastStatus = e.status);
      if (e instanceof Killed) return (this.sh.lastStatus = 128 + e.signal);
      if (e instanceof LoopControl) return this.sh.lastStatus;
      throw e;
    }
  }

  checkKilled(): void {
    if (this.signal.aborted) throw new Killed(this.proc.killedBy ?? 15);
  }

  async list(items: Script, io: CommandIO): Promise<number> {
    let status = 0;
    for (const item of items) {
      this.checkKilled();
      if (item.background) {
        this.background(item.andOr);
        status = 0;
      } else status = await this.andOr(item.andOr, io);
      this.sh.lastStatus = status;
    }
    return status;
  }

  private async andOr(a: AndOr, io: CommandIO): Promise<number> {
    let st = await this.pipeline(a.first, io);
    for (const r of a.rest) {
      this.sh.lastStatus = st;
      if ((r.op === '&&') !== (st === 0)) continue;
      st = await this.pipeline(r.pipeline, io);
    }
    return st;
  }

  private async pipeline(p: Pipeline, io: CommandIO): Promise<number> {
    let status = 0;
    if (p.commands.length === 1) status = await this.command(p.commands[0]!, io);
    else {
      // Buffered: each element runs to the end (in a subshell, as in bash) before the next reads its output.
      let input = io.input ?? new Input(io.stdin);
      for (let i = 0; i < p.commands.length; i++) {
        let text = '';
        const last = i === p.commands.length - 1;
        const it = this.with(subshellOf(this.sh));
        const eio: CommandIO = { stdin: input.rest, input, out: last ? io.out : (s) => void (text += s), err: io.err };
        status = await it.guarded(() => it.command(p.commands[i]!, eio));
        this.checkKilled();
        input = new Input(text);
      }
    }
    return p.negate ? (status === 0 ? 1 : 0) : status;
  }

  private async command(cmd: Command, io: CommandIO): Promise<number> {
    this.checkKilled();
    if (cmd.kind === 'simple') return this.simple(cmd, io);
    if (cmd.kind === 'function') {
      (this.sh.functions ??= new Map()).set(cmd.name, cmd.body);
      return 0;
    }
    return withRedirects(cmd.redirects, io, this.host, this.x(io), (rio) => this.compound(cmd, rio));
  }

  private compound(c: Compound, io: CommandIO): Promise<number> {
    return runCompound(this, c, io);
  }

  /** ( … ): the list in a child process with a copy of the state. */
  async subshell(body: Script, io: CommandIO): Promise<number> {
    const child = this.procs.spawn(['bash'], this.proc);
    const it = this.with(subshellOf(this.sh), child);
    try {
      return await it.guarded(() => it.list(body, io));
    } finally {
      this.procs.exit(child);
    }
  }

  x(io: CommandIO): Expansion {
    return { sh: this.sh, home: this.host.home, substitute: (script) => this.substitute(script, io) };
  }

  /** $(…): a subshell (a child process) whose standard output becomes the value. */
  private async substitute(script: Script, io: CommandIO): Promise<string> {
    const child = this.procs.spawn(['bash'], this.proc);
    const it = this.with(subshellOf(this.sh), child);
    let out = '';
    try {
      this.substStatus = await it.guarded(() => it.list(script, { stdin: io.stdin, input: io.input, out: (s) => void (out += s), err: io.err }));
    } finally {
      this.procs.exit(child);
    }
    this.checkKilled();
    return out;
  }

  async simple(cmd: SimpleCommand, io: CommandIO, inPlace = false): Promise<number> {
    const x = this.x(io);
    this.substStatus = undefined;
    const argv = await expandFields(cmd.words, x);
    const assigns: Array<readonly [string, string]> = [];
    for (const a of cmd.assigns) assigns.push([a.name, await expandString(a.value, x)]);
    if (argv.length === 0) {
      for (const [k, v] of assigns) this.sh.env.set(k, v);
      const st = this.substStatus ?? 0;
      return withRedirects(cmd.redirects, io, this.host, x, async () => st);
    }
    return withRedirects(cmd.redirects, io, this.host, x, (rio) => this.invoke(argv, assigns, rio, inPlace));
  }

  private async invoke(argv: string[], assigns: ReadonlyArray<readonly [string, string]>, io: CommandIO, inPlace: boolean): Promise<number> {
    const name = argv[0]!;
    if (CONTROL_BUILTINS.has(name)) return withTempVars(this.sh, assigns, () => runControl(this, argv, io));
    const fn = this.sh.functions?.get(name);
    if (fn) return withTempVars(this.sh, assigns, () => this.callFunction(fn, argv, io));
    const impl = IN_SHELL.has(name) ? this.host.commands.get(name) : undefined;
    if (impl) return withTempVars(this.sh, assigns, () => this.inShell(impl, argv, io));
    const sh = assigns.length ? { ...this.sh, env: new Map([...this.sh.env, ...assigns]) } : this.sh;
    return inPlace ? this.execArgv(argv, io, sh) : this.runArgv(argv, io, sh);
  }

  private async inShell(impl: CommandImpl, argv: readonly string[], io: CommandIO): Promise<number> {
    const r = await raceAbort(impl(argv, io, this), this.signal);
    if (r.aborted) throw new Killed(this.proc.killedBy ?? 15);
    return r.value;
  }

  async callFunction(fn: Compound, argv: readonly string[], io: CommandIO): Promise<number> {
    if (this.functionDepth >= MAX_FUNCTION_DEPTH) {
      io.err(`bash: ${argv[0]}: maximum function nesting level exceeded (${MAX_FUNCTION_DEPTH})\n`);
      return 1;
    }
    const saved = this.sh.args;
    this.sh.args = argv.slice(1);
    this.functionDepth++;
    try {
      return await withRedirects(fn.redirects, io, this.host, this.x(io), (rio) => this.compound(fn, rio));
    } catch (e) {
      if (e instanceof ReturnFromFunction) return e.status;
      throw e;
    } finally {
      this.functionDepth--;
      this.sh.args = saved;
    }
  }

  /** A background list: a process of its own in the shell's group; output not redirected is dropped. */
  private background(a: AndOr): void {
    const proc = this.procs.spawn(['bash'], this.proc);
    const it = this.with(subshellOf(this.sh), proc);
    this.sh.lastBackground = proc.pid;
    const drop = (): void => undefined;
    const io: CommandIO = { stdin: '', input: new Input(''), out: drop, err: drop };
    // A lone simple command is exec'd by the forked shell: the job's pid is the command's own.
    const only = alone(a);
    const run = it.guarded(() => (only ? it.simple(only, io, true) : it.andOr(a, io)))
      .catch(() => 1)
      .finally(() => this.procs.exit(proc));
    this.jobs.set(proc.pid, run);
    this.onBackground(run);
  }

  async runArgv(argv: readonly string[], io: CommandIO, sh: ShellState = this.sh): Promise<number> {
    const impl = resolveCommand(this.host, argv[0]!, sh, io);
    if (typeof impl === 'number') return impl;
    const child = this.procs.spawn(argv, this.proc);
    try {
      return await this.runIn(child, impl, argv, io, sh);
    } finally {
      this.procs.exit(child);
    }
  }

  async execArgv(argv: readonly string[], io: CommandIO, sh: ShellState = this.sh): Promise<number> {
    const impl = resolveCommand(this.host, argv[0]!, sh, io);
    if (typeof impl === 'number') return impl;
    this.proc.args = argv;
    return this.runIn(this.proc, impl, argv, io, sh);
  }

  private async runIn(proc: LabProcess, impl: CommandImpl, argv: readonly string[], io: CommandIO, sh: ShellState): Promise<number> {
    // The shell waits for its child; a kill of either ends the wait (a killed shell does not wait on).
    const watch = proc === this.proc ? proc.signal : AbortSignal.any([proc.signal, this.signal]);
    let r;
    try {
      r = await raceAbort(impl(argv, io, this.with(sh, proc)), watch);
    } catch (e) {
      io.err(`lab: ${argv[0]}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    if (!r.aborted) return r.value;
    this.checkKilled();
    return 128 + (proc.killedBy ?? 15);
  }

  /** `eval` and `.`: a script run in this very shell. */
  async evalScript(text: string, io: CommandIO): Promise<number> {
    let parsed: Script;
    try {
      parsed = parseScript(text);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      io.err(`bash: eval: line 1: ${e.message}\n`);
      return 2;
    }
    return this.list(parsed, io);
  }
}
