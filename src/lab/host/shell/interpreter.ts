// Runs parsed scripts against an emulated host: expansion, redirections into the host's virtual files,
// pipes (buffered), && || ; and background jobs. Commands are looked up in the host's table; anything
// else is "command not found" with the list of what this host emulates. No real processes, ever.

import { Vfs } from '../vfs.js';
import { parseScript, ShellSyntaxError, type SimpleCommand, type Word } from './parse.js';
import type { CommandIO, HostContext, RunContext, ShellState } from './types.js';

const BIN_DIRS = new Set(['/bin', '/usr/bin', '/sbin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin']);

export function newShell(host: HostContext, env: Record<string, string> = {}): ShellState {
  return { cwd: host.home, env: new Map(Object.entries({ '0': 'bash', HOME: host.home, USER: 'root', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env })), lastStatus: 0 };
}

function expand(word: Word, sh: ShellState): string {
  let s = '';
  for (const p of word) s += p.kind === 'lit' ? p.text : p.name === '?' ? String(sh.lastStatus) : (sh.env.get(p.name) ?? '');
  return s;
}

/** An unquoted lone variable that expands to nothing disappears from argv, like in sh. */
function expandArgv(words: readonly Word[], sh: ShellState): string[] {
  const out: string[] = [];
  for (const w of words) {
    const v = expand(w, sh);
    if (v === '' && w.length === 1 && w[0]!.kind === 'var') continue;
    out.push(v);
  }
  return out;
}

/** Collects output into a string (pipes, background jobs without redirection). */
class Sink {
  text = '';
  readonly write = (s: string): void => {
    this.text += s;
  };
}

export class Interpreter implements RunContext {
  constructor(
    readonly host: HostContext,
    readonly sh: ShellState,
    /** Background jobs keep running after the exec channel closes; they report here. */
    private readonly onBackground: (p: Promise<number>) => void = () => undefined,
  ) {}

  private child(host: HostContext, sh: ShellState): Interpreter {
    return new Interpreter(host, sh, this.onBackground);
  }

  async runScript(script: string, io: CommandIO, sh: ShellState = this.sh, host: HostContext = this.host): Promise<number> {
    const it = host === this.host && sh === this.sh ? this : this.child(host, sh);
    let parsed;
    try {
      parsed = parseScript(script);
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        io.err(`bash: -c: line 1: ${e.message}\n`);
        sh.lastStatus = 2;
        return 2;
      }
      throw e;
    }
    let status = 0;
    for (const item of parsed) {
      const run = async (bio: CommandIO): Promise<number> => {
        let st = await it.pipeline(item.andOr.first, bio);
        sh.lastStatus = st;
        for (const r of item.andOr.rest) {
          if ((r.op === '&&' && st !== 0) || (r.op === '||' && st === 0)) continue;
          st = await it.pipeline(r.pipeline, bio);
          sh.lastStatus = st;
        }
        return st;
      };
      if (item.background) {
        // Detached: output not redirected to a file is dropped once the caller is gone.
        const sink = new Sink();
        this.onBackground(run({ stdin: '', out: sink.write, err: sink.write }).catch(() => 1));
        status = 0;
        sh.lastStatus = 0;
      } else status = await run(io);
    }
    return status;
  }

  private async pipeline(cmds: readonly SimpleCommand[], io: CommandIO): Promise<number> {
    let stdin = io.stdin;
    let status = 0;
    for (let i = 0; i < cmds.length; i++) {
      const last = i === cmds.length - 1;
      const sink = new Sink();
      status = await this.simple(cmds[i]!, { stdin, out: last ? io.out : sink.write, err: io.err });
      stdin = sink.text;
    }
    return status;
  }

  private async simple(cmd: SimpleCommand, io: CommandIO): Promise<number> {
    const sh = this.sh;
    const argv = expandArgv(cmd.words, sh);
    const assigns = cmd.assigns.map((a) => [a.name, expand(a.value, sh)] as const);
    if (argv.length === 0) {
      for (const [k, v] of assigns) sh.env.set(k, v);
      return this.redirected(cmd, io, async () => 0);
    }
    const runSh: ShellState = assigns.length ? { cwd: sh.cwd, env: new Map([...sh.env, ...assigns]), lastStatus: sh.lastStatus } : sh;
    return this.redirected(cmd, io, async (rio) => {
      const st = await (runSh === sh ? this : this.child(this.host, runSh)).runArgv(argv, rio, runSh);
      if (runSh !== sh) sh.cwd = runSh.cwd;
      return st;
    });
  }

  /** Applies redirections around a command: files are written when it finishes (or as it appends). */
  private async redirected(cmd: SimpleCommand, io: CommandIO, fn: (io: CommandIO) => Promise<number>): Promise<number> {
    const fs = this.host.fs;
    let out = io.out;
    let err = io.err;
    let stdin = io.stdin;
    for (const r of cmd.redirects) {
      if (r.op === 'dup') {
        if (r.fd === 2) err = r.to === 1 ? out : err;
        else out = r.to === 2 ? err : out;
        continue;
      }
      const target = expand(r.target, this.sh);
      const p = Vfs.normalize(target, this.sh.cwd);
      if (r.op === '<') {
        const content = fs.read(p);
        if (content === undefined) {
          io.err(`bash: ${target}: No such file or directory\n`);
          return 1;
        }
        stdin = content;
        continue;
      }
      if (p === '/dev/null') {
        const drop = (): void => undefined;
        if (r.fd === 1) out = drop;
        else err = drop;
        continue;
      }
      if (fs.isDir(p)) {
        io.err(`bash: ${target}: Is a directory\n`);
        return 1;
      }
      const parent = p.slice(0, p.lastIndexOf('/')) || '/';
      if (!fs.isDir(parent)) {
        io.err(`bash: ${target}: No such file or directory\n`);
        return 1;
      }
      if (r.op === '>') fs.write(p, '');
      else if (!fs.isFile(p)) fs.write(p, '');
      // Appending as output arrives lets `tail` follow a background job's log.
      const write = (s: string): void => fs.append(p, s);
      if (r.fd === 1) out = write;
      else err = write;
    }
    return fn({ stdin, out, err });
  }

  async runArgv(argv: readonly string[], io: CommandIO, sh: ShellState = this.sh): Promise<number> {
    const it = sh === this.sh ? this : this.child(this.host, sh);
    const name = argv[0]!;
    let key = name;
    if (name.includes('/')) {
      const dir = name.slice(0, name.lastIndexOf('/')) || '/';
      const base = name.slice(name.lastIndexOf('/') + 1);
      if (BIN_DIRS.has(dir) && this.host.commands.has(base)) key = base;
      else {
        const p = Vfs.normalize(name, sh.cwd);
        io.err(this.host.fs.exists(p) ? `bash: ${name}: Permission denied\n` : `bash: ${name}: No such file or directory\n`);
        return this.host.fs.exists(p) ? 126 : 127;
      }
    }
    const impl = this.host.commands.get(key);
    if (!impl) {
      const list = [...this.host.commands.keys()].sort().join(', ');
      io.err(`lab: ${name}: command not found (this lab host emulates: ${list})\n`);
      return 127;
    }
    try {
      return await impl(argv, io, it);
    } catch (e) {
      io.err(`lab: ${name}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
  }
}
