// File commands of the lab hosts' shell: cat, tail (-n, -c, +N), wc, stat -c, mkdir (-p), rm (-f) and
// touch, on the host's virtual filesystem, with GNU coreutils' messages.

import { Vfs } from '../vfs.js';
import type { CommandImpl, CommandIO, RunContext } from './types.js';

const path = (ctx: RunContext, p: string): string => Vfs.normalize(p, ctx.sh.cwd);

async function readInputs(argv: readonly string[], io: CommandIO, ctx: RunContext, cmd: string): Promise<{ texts: Array<[string | undefined, string]>; status: number }> {
  const texts: Array<[string | undefined, string]> = [];
  let status = 0;
  if (argv.length === 0) texts.push([undefined, await io.stdin]);
  for (const f of argv) {
    if (f === '-') {
      texts.push([undefined, await io.stdin]);
      continue;
    }
    const p = path(ctx, f);
    if (ctx.host.fs.isDir(p)) {
      io.err(`${cmd}: ${f}: Is a directory\n`);
      status = 1;
      continue;
    }
    const c = ctx.host.fs.read(p);
    if (c === undefined) {
      io.err(cmd === 'tail' ? `tail: cannot open '${f}' for reading: No such file or directory\n` : `${cmd}: ${f}: No such file or directory\n`);
      status = 1;
    } else texts.push([f, c]);
  }
  return { texts, status };
}

const cat: CommandImpl = async (argv, io, ctx) => {
  const { texts, status } = await readInputs(argv.slice(1).filter((a) => a !== '--'), io, ctx, 'cat');
  for (const [, t] of texts) io.out(t);
  return status;
};

const tail: CommandImpl = async (argv, io, ctx) => {
  let lines: { from: boolean; n: number } | undefined = { from: false, n: 10 };
  let bytes: { from: boolean; n: number } | undefined;
  const files: string[] = [];
  const num = (v: string | undefined): { from: boolean; n: number } | undefined =>
    v !== undefined && /^[+-]?\d+$/.test(v) ? { from: v.startsWith('+'), n: Math.abs(Number.parseInt(v, 10)) } : undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-f' || a === '-F' || a === '--follow') {
      io.err('lab: tail: following (-f) is not supported; poll with tail -c +OFFSET instead\n');
      return 1;
    }
    let spec: { from: boolean; n: number } | undefined;
    if (a === '-n' || a === '-c') spec = num(argv[++i]);
    else if (/^-[nc][+-]?\d+$/.test(a)) spec = num(a.slice(2));
    else if (/^--lines=/.test(a) || /^--bytes=/.test(a)) spec = num(a.slice(a.indexOf('=') + 1));
    else if (/^-\d+$/.test(a)) spec = num(a.slice(1));
    else if (a === '-q' || a === '--quiet' || a === '-s') continue;
    else {
      files.push(a);
      continue;
    }
    if (!spec) {
      io.err(`tail: invalid number of ${a.includes('c') ? 'bytes' : 'lines'}: '${argv[i] ?? ''}'\n`);
      return 1;
    }
    if (a.startsWith('-c') || a.startsWith('--bytes')) {
      bytes = spec;
      lines = undefined;
    } else {
      lines = spec;
      bytes = undefined;
    }
  }
  const { texts, status } = await readInputs(files, io, ctx, 'tail');
  for (const [name, t] of texts) {
    if (texts.length > 1) io.out(`==> ${name ?? 'standard input'} <==\n`);
    if (bytes) {
      const buf = Buffer.from(t, 'utf8');
      io.out((bytes.from ? buf.subarray(Math.max(0, bytes.n - 1)) : buf.subarray(Math.max(0, buf.length - bytes.n))).toString('utf8'));
    } else if (lines) {
      const parts = t.split('\n');
      const trailing = t.endsWith('\n');
      if (trailing) parts.pop();
      const sel = lines.from ? parts.slice(Math.max(0, lines.n - 1)) : lines.n === 0 ? [] : parts.slice(-lines.n);
      io.out(sel.length ? sel.join('\n') + (trailing || sel.length < parts.length ? '\n' : '') : '');
    }
  }
  return status;
};

const wc: CommandImpl = async (argv, io, ctx) => {
  const flags = argv.slice(1).filter((a) => a.startsWith('-') && a !== '-');
  const files = argv.slice(1).filter((a) => !a.startsWith('-') || a === '-');
  const { texts, status } = await readInputs(files, io, ctx, 'wc');
  const want = flags.join('') || '-lwc';
  for (const [name, t] of texts) {
    const cols: number[] = [];
    if (want.includes('l')) cols.push((t.match(/\n/g) ?? []).length);
    if (want.includes('w')) cols.push(t.split(/\s+/).filter(Boolean).length);
    if (want.includes('c')) cols.push(Buffer.byteLength(t));
    io.out(`${cols.join(' ')}${name !== undefined ? ' ' + name : ''}\n`);
  }
  return status;
};

const stat: CommandImpl = async (argv, io, ctx) => {
  let fmt: string | undefined;
  const files: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-c' || a === '--format') fmt = argv[++i];
    else if (a.startsWith('--format=')) fmt = a.slice(9);
    else if (a.startsWith('-c') && a.length > 2) fmt = a.slice(2);
    else if (a === '--') {
      files.push(...argv.slice(i + 1));
      break;
    } else files.push(a);
  }
  if (fmt === undefined) {
    io.err('lab: stat: only `stat -c FORMAT FILE` (%s, %n, %Y, %F) is emulated\n');
    return 1;
  }
  let status = 0;
  for (const f of files) {
    const p = path(ctx, f);
    const c = ctx.host.fs.read(p);
    if (c === undefined && !ctx.host.fs.isDir(p)) {
      io.err(`stat: cannot statx '${f}': No such file or directory\n`);
      status = 1;
      continue;
    }
    const fields: Record<string, () => string> = {
      s: () => String(Buffer.byteLength(c ?? '')), n: () => f, '%': () => '%',
      Y: () => String(Math.floor((ctx.host.fs.mtime(p) ?? 0) / 1000)), F: () => (c === undefined ? 'directory' : 'regular file'),
    };
    io.out(fmt.replace(/%([snYF%])/g, (_, k: string) => fields[k]!()) + '\n');
  }
  return status;
};

const mkdir: CommandImpl = async (argv, io, ctx) => {
  const parents = argv.includes('-p');
  let status = 0;
  for (const d of argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const p = path(ctx, d);
    const parent = p.slice(0, p.lastIndexOf('/')) || '/';
    if (ctx.host.fs.exists(p)) {
      if (!parents) {
        io.err(`mkdir: cannot create directory '${d}': File exists\n`);
        status = 1;
      }
      continue;
    }
    if (!parents && !ctx.host.fs.isDir(parent)) {
      io.err(`mkdir: cannot create directory '${d}': No such file or directory\n`);
      status = 1;
      continue;
    }
    ctx.host.fs.mkdir(p);
  }
  return status;
};

const rm: CommandImpl = async (argv, io, ctx) => {
  const force = argv.slice(1).some((a) => /^-[a-zA-Z]*f/.test(a));
  let status = 0;
  for (const f of argv.slice(1).filter((a) => !a.startsWith('-'))) {
    if (!ctx.host.fs.remove(path(ctx, f)) && !force) {
      io.err(`rm: cannot remove '${f}': No such file or directory\n`);
      status = 1;
    }
  }
  return status;
};

const touch: CommandImpl = async (argv, _io, ctx) => {
  for (const f of argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const p = path(ctx, f);
    if (!ctx.host.fs.isFile(p)) ctx.host.fs.write(p, '');
  }
  return 0;
};

export const FILE_COMMANDS: ReadonlyArray<readonly [string, CommandImpl]> = [
  ['cat', cat], ['tail', tail], ['wc', wc], ['stat', stat], ['mkdir', mkdir], ['rm', rm], ['touch', touch],
];
