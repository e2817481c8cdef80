// Shell basics every lab host has: cd, echo, printf, true/false, test/[, env, export, sudo, sh/bash -c,
// nohup, hostname, pwd, plus the file, text and process commands and read/kill. Messages follow GNU coreutils and bash so scripts that
// match on them behave the same.

import { Vfs } from '../vfs.js';
import { FILE_COMMANDS } from './file-commands.js';
import { JOB_BUILTINS } from './job-builtins.js';
import { PROCESS_COMMANDS } from './proc-commands.js';
import { TEXT_COMMANDS } from './text-commands.js';
import type { CommandImpl, RunContext } from './types.js';

const path = (ctx: RunContext, p: string): string => Vfs.normalize(p, ctx.sh.cwd);

function unescape(s: string): string {
  return s.replace(/\\(n|t|r|\\|a|e|0)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', e: '\x1b', '0': '\0' })[c] ?? c);
}

const echo: CommandImpl = async (argv, io) => {
  let i = 1;
  let newline = true;
  let escapes = false;
  while (i < argv.length && /^-[neE]+$/.test(argv[i]!)) {
    if (argv[i]!.includes('n')) newline = false;
    if (argv[i]!.includes('e')) escapes = true;
    i++;
  }
  const text = argv.slice(i).join(' ');
  io.out((escapes ? unescape(text) : text) + (newline ? '\n' : ''));
  return 0;
};

const printf: CommandImpl = async (argv, io) => {
  const fmt = argv[1];
  if (fmt === undefined) {
    io.err('printf: usage: printf [-v var] format [arguments]\n');
    return 2;
  }
  const args = argv.slice(2);
  let k = 0;
  let out = '';
  do {
    out += unescape(fmt).replace(/%([%sdbi])/g, (_, c: string) => {
      if (c === '%') return '%';
      const a = args[k++] ?? '';
      if (c === 'd' || c === 'i') return String(Number.parseInt(a, 10) || 0);
      if (c === 'b') return unescape(a);
      return a;
    });
  } while (k < args.length && /%[sdbi]/.test(fmt));
  io.out(out);
  return 0;
};

function testExpr(a: readonly string[], ctx: RunContext): boolean | string {
  if (a.length === 0) return false;
  if (a[0] === '!') {
    const r = testExpr(a.slice(1), ctx);
    return typeof r === 'string' ? r : !r;
  }
  if (a.length === 1) return a[0] !== '';
  const fs = ctx.host.fs;
  if (a.length === 2) {
    const [op, v] = a as [string, string];
    switch (op) {
      case '-e': return fs.exists(path(ctx, v));
      case '-f': return fs.isFile(path(ctx, v));
      case '-d': return fs.isDir(path(ctx, v));
      case '-s': return (fs.read(path(ctx, v)) ?? '').length > 0;
      case '-r': case '-w': case '-x': return fs.exists(path(ctx, v));
      case '-z': return v === '';
      case '-n': return v !== '';
      default: return `${op}: unary operator expected`;
    }
  }
  if (a.length === 3) {
    const [l, op, r] = a as [string, string, string];
    const num = (): [number, number] | undefined => (/^-?\d+$/.test(l) && /^-?\d+$/.test(r) ? [Number(l), Number(r)] : undefined);
    switch (op) {
      case '=': case '==': return l === r;
      case '!=': return l !== r;
      case '-eq': case '-ne': case '-gt': case '-lt': case '-ge': case '-le': {
        const n = num();
        if (!n) return `integer expression expected`;
        const [x, y] = n;
        return { '-eq': x === y, '-ne': x !== y, '-gt': x > y, '-lt': x < y, '-ge': x >= y, '-le': x <= y }[op];
      }
      default: return `${op}: binary operator expected`;
    }
  }
  return 'too many arguments';
}

const test: CommandImpl = async (argv, io, ctx) => {
  let a = argv.slice(1);
  if (argv[0] === '[') {
    if (a[a.length - 1] !== ']') {
      io.err("[: missing `]'\n");
      return 2;
    }
    a = a.slice(0, -1);
  }
  const r = testExpr(a, ctx);
  if (typeof r === 'string') {
    io.err(`${argv[0]}: ${r}\n`);
    return 2;
  }
  return r ? 0 : 1;
};

const cd: CommandImpl = async (argv, io, ctx) => {
  const target = argv[1] ?? ctx.host.home;
  const p = path(ctx, target);
  if (!ctx.host.fs.isDir(p)) {
    io.err(`bash: line 1: cd: ${target}: No such file or directory\n`);
    return 1;
  }
  ctx.sh.cwd = p;
  return 0;
};

/** env [-i] [VAR=value…] [CMD…] */
const env: CommandImpl = async (argv, io, ctx) => {
  let i = 1;
  const vars = new Map(argv[1] === '-i' ? [] : ctx.sh.env);
  if (argv[1] === '-i') i++;
  for (; i < argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]!); i++) {
    const a = argv[i]!;
    vars.set(a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
  }
  if (i >= argv.length) {
    for (const [k, v] of vars) io.out(`${k}=${v}\n`);
    return 0;
  }
  return ctx.execArgv(argv.slice(i), io, { ...ctx.sh, env: vars });
};

const exportCmd: CommandImpl = async (argv, _io, ctx) => {
  for (const a of argv.slice(1)) if (a.includes('=')) ctx.sh.env.set(a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
  return 0;
};

/**
 * sudo [-n] [-S] [-E] [-H] [-u USER] [-p PROMPT] [--] CMD… — the lab's user is root already, so sudo never
 * asks for a password (`sudo -n true` succeeds) and runs CMD in place, as the target of its exec.
 */
const sudo: CommandImpl = async (argv, io, ctx) => {
  const withValue = new Set(['-u', '-g', '-p', '-C', '-D', '-h', '-r', '-t', '-U', '-T']);
  let i = 1;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (withValue.has(a)) i++;
    else if (/^--(user|group|prompt|close-from|chdir|host|role|type|other-user|command-timeout)=/.test(a)) continue;
  }
  if (i >= argv.length) {
    io.err('usage: sudo -h | -K | -k | -V\nusage: sudo [-BknS] [-u user] [command [arg ...]]\n');
    return 1;
  }
  return ctx.execArgv(argv.slice(i), io, ctx.sh);
};

/** sh -c 'script' [name [args…]] / bash -c …, and `sh FILE [args…]` (options like -e, -l are accepted and ignored). */
const shell: CommandImpl = async (argv, io, ctx) => {
  const at = argv.findIndex((a, k) => k > 0 && /^-[a-z]*c$/.test(a));
  const file = argv[1];
  const state = (zero: string, args: readonly string[]) => ({
    cwd: ctx.sh.cwd, env: new Map([...ctx.sh.env, ['0', zero]]), lastStatus: ctx.sh.lastStatus, args: [...args], functions: new Map(),
  });
  if (at < 0 && file !== undefined && !file.startsWith('-')) {
    // `sh FILE`: a script from the host's files, $0 its path (the dead-man timer runs one)
    const script = ctx.host.fs.read(Vfs.normalize(file, ctx.sh.cwd));
    if (script === undefined) {
      io.err(`${argv[0]}: 0: cannot open ${file}: No such file\n`);
      return 2;
    }
    return ctx.runScript(script, io, state(file, argv.slice(2)));
  }
  if (at < 0 || argv[at + 1] === undefined) {
    io.err(`lab: ${argv[0]}: only \`${argv[0]} -c 'commands'\` and \`${argv[0]} FILE\` are emulated (no interactive shells)\n`);
    return 2;
  }
  return ctx.runScript(argv[at + 1]!, io, state(argv[at + 2] ?? argv[0]!, argv.slice(at + 3)));
};

// The lab's files have no permissions: umask only checks its argument.
const umask: CommandImpl = async (argv, io) => {
  if (argv[1] !== undefined && !/^[0-7]{1,4}$/.test(argv[1])) {
    io.err(`umask: ${argv[1]}: octal number out of range\n`);
    return 1;
  }
  if (argv[1] === undefined) io.out('0022\n');
  return 0;
};

/** nohup CMD…: CMD in place, immune to hang-ups. */
const nohup: CommandImpl = async (argv, io, ctx) => {
  if (argv.length < 2) {
    io.err("nohup: missing operand\nTry 'nohup --help' for more information.\n");
    return 125;
  }
  ctx.proc.ignoreHup = true;
  return ctx.execArgv(argv.slice(1), io, ctx.sh);
};

export const BASIC_COMMANDS: ReadonlyArray<readonly [string, CommandImpl]> = [
  ['echo', echo], ['printf', printf], ['true', async () => 0], ['false', async () => 1], [':', async () => 0],
  ...FILE_COMMANDS, ...TEXT_COMMANDS, ...PROCESS_COMMANDS, ...JOB_BUILTINS, ['test', test], ['[', test], ['cd', cd], ['env', env], ['export', exportCmd], ['sudo', sudo], ['sh', shell], ['bash', shell],
  ['nohup', nohup], ['umask', umask], ['hostname', async (_a, io, ctx) => (io.out(ctx.host.name + '\n'), 0)],
  ['pwd', async (_a, io, ctx) => (io.out(ctx.sh.cwd + '\n'), 0)],
];
