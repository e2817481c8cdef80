// Text filters of the lab hosts' shell: head (-n, -c, -N, -n -N), tr (sets, ranges, classes; -d, -s) and
// grep (-v -q -c -i -E -F -x -w -e), with GNU coreutils' messages, reading files or standard input.

import { Vfs } from '../vfs.js';
import type { CommandImpl, CommandIO, RunContext } from './types.js';

async function inputs(files: readonly string[], io: CommandIO, ctx: RunContext, cmd: string): Promise<{ texts: Array<[string, string]>; status: number }> {
  const texts: Array<[string, string]> = [];
  let status = 0;
  if (files.length === 0) texts.push(['(standard input)', await io.stdin]);
  for (const f of files) {
    if (f === '-') {
      texts.push(['(standard input)', await io.stdin]);
      continue;
    }
    const c = ctx.host.fs.read(Vfs.normalize(f, ctx.sh.cwd));
    if (c === undefined) {
      io.err(cmd === 'head' ? `head: cannot open '${f}' for reading: No such file or directory\n` : `${cmd}: ${f}: No such file or directory\n`);
      status = cmd === 'grep' ? 2 : 1;
    } else texts.push([f, c]);
  }
  return { texts, status };
}

const head: CommandImpl = async (argv, io, ctx) => {
  let count = 10;
  let bytes = false;
  const files: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    let v: string | undefined;
    if (a === '-n' || a === '-c') v = argv[++i];
    else if (/^-[nc]-?\d+$/.test(a)) v = a.slice(2);
    else if (/^-\d+$/.test(a)) v = a.slice(1);
    else if (/^--(lines|bytes)=/.test(a)) v = a.slice(a.indexOf('=') + 1);
    else if (a === '-q' || a === '-v') continue;
    else {
      files.push(a);
      continue;
    }
    if (v === undefined || !/^-?\d+$/.test(v)) {
      io.err(`head: invalid number of ${a.includes('c') || a.includes('bytes') ? 'bytes' : 'lines'}: '${v ?? ''}'\n`);
      return 1;
    }
    bytes = a.startsWith('-c') || a.startsWith('--bytes');
    count = Number(v);
  }
  const { texts, status } = await inputs(files, io, ctx, 'head');
  for (const [name, t] of texts) {
    if (texts.length > 1) io.out(`==> ${name} <==\n`);
    if (bytes) {
      const buf = Buffer.from(t, 'utf8');
      io.out(buf.subarray(0, count < 0 ? Math.max(0, buf.length + count) : count).toString('utf8'));
      continue;
    }
    const lines = t.split(/(?<=\n)/);
    io.out(lines.slice(0, count < 0 ? Math.max(0, lines.length + count) : count).join(''));
  }
  return status;
};

const CLASSES: Readonly<Record<string, string>> = {
  '[:space:]': ' \t\n\r\v\f', '[:blank:]': ' \t', '[:digit:]': '0123456789', '[:upper:]': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  '[:lower:]': 'abcdefghijklmnopqrstuvwxyz', '[:alpha:]': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  '[:alnum:]': '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', '[:punct:]': '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

/** tr's SET notation: \n \t \\ escapes, a-z ranges, [:class:] names. */
function trSet(spec: string): string[] {
  const out: string[] = [];
  const s = spec.replace(/\\([ntr\\])/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c]!);
  for (let i = 0; i < s.length; i++) {
    const cls = Object.keys(CLASSES).find((k) => s.startsWith(k, i));
    if (cls) {
      out.push(...CLASSES[cls]!);
      i += cls.length - 1;
    } else if (s[i + 1] === '-' && i + 2 < s.length) {
      for (let c = s.charCodeAt(i); c <= s.charCodeAt(i + 2); c++) out.push(String.fromCharCode(c));
      i += 2;
    } else out.push(s[i]!);
  }
  return out;
}

const tr: CommandImpl = async (argv, io) => {
  const flags = argv.slice(1).filter((a) => /^-[dsc]+$/.test(a)).join('');
  const sets = argv.slice(1).filter((a) => !/^-[dsc]+$/.test(a));
  const del = flags.includes('d');
  const squeeze = flags.includes('s');
  if (sets.length === 0 || (!del && !squeeze && sets.length < 2)) {
    io.err(sets.length === 0 ? "tr: missing operand\nTry 'tr --help' for more information.\n" : `tr: missing operand after '${sets[0]}'\n`);
    return 1;
  }
  const from = trSet(sets[0]!);
  const to = sets[1] !== undefined ? trSet(sets[1]) : [];
  let out = '';
  let prev = '';
  for (const ch of await io.stdin) {
    let c: string | undefined = ch;
    const k = from.indexOf(ch);
    if (del && k >= 0) c = undefined;
    else if (!del && k >= 0 && to.length) c = to[Math.min(k, to.length - 1)]!;
    if (c === undefined) continue;
    const squeezeSet = del || to.length === 0 ? (sets[1] !== undefined ? to : from) : to;
    if (squeeze && c === prev && squeezeSet.includes(c)) continue;
    out += c;
    prev = c;
  }
  io.out(out);
  return 0;
};

const grep: CommandImpl = async (argv, io, ctx) => {
  let invert = false;
  let quiet = false;
  let countOnly = false;
  let ignoreCase = false;
  let mode: 'basic' | 'extended' | 'fixed' = 'basic';
  let whole: 'line' | 'word' | undefined;
  const patterns: string[] = [];
  const files: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-e') patterns.push(argv[++i] ?? '');
    else if (/^-[vqciEFxws]+$/.test(a)) {
      for (const f of a.slice(1)) {
        if (f === 'v') invert = true;
        else if (f === 'q') quiet = true;
        else if (f === 'c') countOnly = true;
        else if (f === 'i') ignoreCase = true;
        else if (f === 'E') mode = 'extended';
        else if (f === 'F') mode = 'fixed';
        else if (f === 'x') whole = 'line';
        else if (f === 'w') whole = 'word';
      }
    } else if (a.startsWith('-') && a !== '-') {
      io.err(`lab: grep: option ${a} is not emulated\n`);
      return 2;
    } else if (patterns.length === 0 && !argv.includes('-e')) patterns.push(a);
    else files.push(a);
  }
  if (patterns.length === 0) {
    io.err('Usage: grep [OPTION]... PATTERNS [FILE]...\n');
    return 2;
  }
  // Basic regular expressions: \( \) \{ \} \| \+ \? are the operators; bare ones are literal.
  const toJs = (p: string): string => mode === 'fixed' ? p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    : mode === 'extended' ? p : p.replace(/\\([(){}|+?])|([(){}|+?])/g, (_, op: string | undefined, lit: string | undefined) => (op ?? `\\${lit}`));
  const body = patterns.map(toJs).map((p) => (whole === 'line' ? `^(?:${p})$` : whole === 'word' ? `\\b(?:${p})\\b` : p)).join('|');
  let re: RegExp;
  try {
    re = new RegExp(body, ignoreCase ? 'i' : '');
  } catch {
    io.err(`grep: Invalid regular expression\n`);
    return 2;
  }
  const { texts, status } = await inputs(files, io, ctx, 'grep');
  let matched = 0;
  for (const [name, t] of texts) {
    const lines = t.split('\n');
    if (t.endsWith('\n')) lines.pop();
    let n = 0;
    for (const l of lines) {
      if (re.test(l) === invert) continue;
      n++;
      if (!quiet && !countOnly) io.out(`${texts.length > 1 ? `${name}:` : ''}${l}\n`);
    }
    if (countOnly && !quiet) io.out(`${texts.length > 1 ? `${name}:` : ''}${n}\n`);
    matched += n;
  }
  return status === 2 && matched === 0 ? 2 : matched > 0 ? 0 : 1;
};

export const TEXT_COMMANDS: ReadonlyArray<readonly [string, CommandImpl]> = [['head', head], ['tr', tr], ['grep', grep]];
