// `ps`, `pgrep` and `pkill` on the host's process table, in procps' formats: ps ax / aux / -ef / -p PID,
// `-o FIELD[=HEADER],…` (pid, ppid, pgid, sid, stat, comm, args, user, tty, time, etime); pgrep/pkill
// select by pattern (-f: whole command line, -x: exact), parent (-P), group (-g) or session (-s).

import { procsOf, SIGNALS, signalNumber, type LabProcess } from './processes.js';
import type { CommandImpl, RunContext } from './types.js';

interface Field {
  readonly header: string;
  readonly width: number;
  /** Left-aligned text columns; numbers go right. */
  readonly left?: boolean;
  readonly value: (p: LabProcess, now: number) => string;
}

const comm = (p: LabProcess): string => (p.args[0] ?? '').replace(/^.*\//, '').slice(0, 15);
const stat = (p: LabProcess): string => (p.pid === p.sid ? 'Ss' : 'S');
const clock = (sec: number): string => {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(Math.floor(sec / 3600))}:${p(Math.floor(sec / 60) % 60)}:${p(sec % 60)}`;
};

const FIELDS: Readonly<Record<string, Field>> = {
  pid: { header: 'PID', width: 7, value: (p) => String(p.pid) },
  ppid: { header: 'PPID', width: 7, value: (p) => String(p.ppid) },
  pgid: { header: 'PGID', width: 7, value: (p) => String(p.pgid) },
  pgrp: { header: 'PGRP', width: 7, value: (p) => String(p.pgid) },
  sid: { header: 'SID', width: 7, value: (p) => String(p.sid) },
  sess: { header: 'SESS', width: 7, value: (p) => String(p.sid) },
  stat: { header: 'STAT', width: 4, left: true, value: stat },
  s: { header: 'S', width: 1, left: true, value: () => 'S' },
  comm: { header: 'COMMAND', width: 15, left: true, value: comm },
  ucomm: { header: 'COMMAND', width: 15, left: true, value: comm },
  args: { header: 'COMMAND', width: 0, left: true, value: (p) => p.args.join(' ') },
  command: { header: 'COMMAND', width: 0, left: true, value: (p) => p.args.join(' ') },
  cmd: { header: 'CMD', width: 0, left: true, value: (p) => p.args.join(' ') },
  user: { header: 'USER', width: 8, left: true, value: () => 'root' },
  uid: { header: 'UID', width: 5, value: () => '0' },
  tty: { header: 'TT', width: 8, left: true, value: () => '?' },
  tt: { header: 'TT', width: 8, left: true, value: () => '?' },
  time: { header: 'TIME', width: 8, value: () => '00:00:00' },
  etime: { header: 'ELAPSED', width: 11, value: (p, now) => clock(Math.max(0, Math.floor((now - p.started) / 1000))) },
};

function render(fields: ReadonlyArray<{ f: Field; header: string }>, procs: readonly LabProcess[], now: number, header: boolean): string {
  const cell = (f: Field, text: string, last: boolean): string => (last ? text : f.left ? text.padEnd(f.width) : text.padStart(f.width));
  const lines: string[] = [];
  if (header) lines.push(fields.map(({ f, header: h }, k) => cell(f, h, k === fields.length - 1)).join(' ').trimEnd());
  for (const p of procs) lines.push(fields.map(({ f }, k) => cell(f, f.value(p, now), k === fields.length - 1)).join(' '));
  return lines.map((l) => l + '\n').join('');
}

/** Every style lists every process (the lab has no terminals); they differ in columns. */
const STYLES: Readonly<Record<string, 'default' | 'bsd' | 'aux' | 'full'>> = {
  a: 'bsd', x: 'bsd', ax: 'bsd', xa: 'bsd', '-ax': 'bsd', aux: 'aux', axu: 'aux', '-aux': 'aux', '-ef': 'full', '-eF': 'full', '-e': 'default', '-A': 'default',
};

const now = (ctx: RunContext): number => ctx.proc.started;

const ps: CommandImpl = async (argv, io, ctx) => {
  const all = procsOf(ctx.host).list();
  let fields: Array<{ f: Field; header: string }> | undefined;
  let pids: number[] | undefined;
  let names: string[] | undefined;
  let style: 'default' | 'bsd' | 'aux' | 'full' = 'default';
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-o' || a === '-O' || a.startsWith('-o') || a.startsWith('--format')) {
      const spec = a === '-o' || a === '-O' ? argv[++i] : a.startsWith('--format=') ? a.slice(9) : a.slice(2);
      for (const part of (spec ?? '').split(',')) {
        const [key, custom] = part.includes('=') ? [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)] : [part, undefined];
        const f = FIELDS[key.trim()];
        if (!f) {
          io.err(`error: unknown user-defined format specifier "${key}"\n`);
          return 1;
        }
        (fields ??= []).push({ f, header: custom ?? f.header });
      }
    } else if (a === '-p' || a === '--pid' || /^-p\d/.test(a)) {
      const spec = a.startsWith('-p') && a.length > 2 ? a.slice(2) : argv[++i] ?? '';
      pids = [...(pids ?? []), ...spec.split(/[ ,]+/).filter(Boolean).map(Number)];
    } else if (a === '-C') names = [...(names ?? []), ...(argv[++i] ?? '').split(',')];
    else if (STYLES[a] !== undefined) style = STYLES[a];
    else if (a === '-w' || a === 'w' || a === 'ww' || a === '--no-headers' || a === 'h') continue;
    else {
      io.err(`lab: ps: option ${a} is not emulated (ps ax, aux, -ef, -p PID, -C NAME, -o FIELDS)\n`);
      return 1;
    }
  }
  let sel = all;
  if (pids) sel = sel.filter((p) => pids!.includes(p.pid));
  if (names) sel = sel.filter((p) => names!.includes(comm(p)));
  if (!fields) {
    const f = (k: string, header?: string) => ({ f: FIELDS[k]!, header: header ?? FIELDS[k]!.header });
    fields = style === 'bsd' ? [f('pid'), f('tty'), f('stat'), f('time'), f('args')]
      : style === 'aux' ? [f('user'), f('pid'), f('stat'), f('time'), f('args')]
      : style === 'full' ? [f('user', 'UID'), f('pid'), f('ppid'), f('time'), f('args', 'CMD')]
      : [f('pid'), f('tty'), f('time'), f('comm', 'CMD')];
  }
  const header = !argv.includes('--no-headers') && !argv.includes('h') && fields.some((x) => x.header !== '');
  io.out(render(fields, sel, now(ctx), header));
  return pids || names ? (sel.length ? 0 : 1) : 0;
};

/** Shared by pgrep and pkill: the processes that match, never the caller itself. */
function select(argv: readonly string[], ctx: RunContext, kill: boolean): { procs: LabProcess[]; list: 'none' | 'name' | 'full'; sig: number } | string {
  let full = false;
  let exact = false;
  let list: 'none' | 'name' | 'full' = 'none';
  let sig: number = SIGNALS.TERM!;
  const want: Array<(p: LabProcess) => boolean> = [];
  let pattern: string | undefined;
  const ids = (v: string | undefined): number[] => (v ?? '').split(',').filter(Boolean).map(Number);
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-f' || a === '--full') full = true;
    else if (a === '-x' || a === '--exact') exact = true;
    else if (a === '-l' && !kill) list = 'name';
    else if (a === '-a' && !kill) list = 'full';
    else if (a === '-P' || a === '--parent') { const v = ids(argv[++i]); want.push((p) => v.includes(p.ppid)); }
    else if (a === '-g' || a === '--pgroup') { const v = ids(argv[++i]); want.push((p) => v.includes(p.pgid)); }
    else if (a === '-s' || a === '--session') { const v = ids(argv[++i]); want.push((p) => v.includes(p.sid)); }
    else if (a === '-u' || a === '-U') i++;
    else if (kill && /^-\w+$/.test(a) && signalNumber(a.slice(1)) !== undefined) sig = signalNumber(a.slice(1))!;
    else if (a.startsWith('-')) return `${kill ? 'pkill' : 'pgrep'}: invalid option -- '${a.slice(1)}'`;
    else pattern = a;
  }
  if (pattern === undefined && want.length === 0) return `${kill ? 'pkill' : 'pgrep'}: no matching criteria specified`;
  let re: RegExp | undefined;
  try {
    re = pattern === undefined ? undefined : new RegExp(exact ? `^(?:${pattern})$` : pattern);
  } catch {
    return `${kill ? 'pkill' : 'pgrep'}: invalid regular expression: ${pattern}`;
  }
  const self = ctx.proc.pid;
  const procs = procsOf(ctx.host).list().filter((p) =>
    p.pid !== self && want.every((w) => w(p)) && (!re || re.test(full ? p.args.join(' ') : comm(p))));
  return { procs, list, sig };
}

const pgrep: CommandImpl = async (argv, io, ctx) => {
  const r = select(argv, ctx, false);
  if (typeof r === 'string') {
    io.err(r + '\n');
    return 2;
  }
  for (const p of r.procs) io.out(r.list === 'none' ? `${p.pid}\n` : `${p.pid} ${r.list === 'name' ? comm(p) : p.args.join(' ')}\n`);
  return r.procs.length ? 0 : 1;
};

const pkill: CommandImpl = async (argv, io, ctx) => {
  const r = select(argv, ctx, true);
  if (typeof r === 'string') {
    io.err(r + '\n');
    return 2;
  }
  const table = procsOf(ctx.host);
  const hit = r.procs.filter((p) => table.kill(p.pid, r.sig) === 'ok');
  return hit.length ? 0 : 1;
};

export const PROCESS_COMMANDS: ReadonlyArray<readonly [string, CommandImpl]> = [['ps', ps], ['pgrep', pgrep], ['pkill', pkill]];
