// `read` (a line of the shell's input into variables, IFS-split) and `kill` (signals to a pid or a process
// group, `kill -0` to probe, `kill -l`), as bash's builtins behave, on the host's process table.

import { procsOf, SIGNALS, signalNumber } from './processes.js';
import { Input, type CommandImpl } from './types.js';

/** read [-r] [-p PROMPT] [NAME…]: status 1 at end of input, as in bash. */
const read: CommandImpl = async (argv, io, ctx) => {
  let raw = false;
  const names: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-r') raw = true;
    else if (a === '-p') io.err(argv[++i] ?? '');
    else if (a === '-s') continue;
    else if (a === '-t' || a === '-u' || a === '-d' || a === '-n' || a === '-N') {
      io.err(`lab: read: option ${a} is not emulated\n`);
      return 2;
    } else names.push(a);
  }
  if (names.length === 0) names.push('REPLY');
  const line = await (io.input ?? new Input(io.stdin)).line();
  const env = ctx.sh.env;
  if (line === undefined) {
    for (const n of names) env.set(n, '');
    return 1;
  }
  const text = raw ? line.text : line.text.replace(/\\(.)/g, '$1');
  const ifs = env.get('IFS') ?? ' \t\n';
  const white = [...ifs].filter((c) => ' \t\n'.includes(c)).join('');
  const trim = (s: string): string => (white ? s.replace(new RegExp(`^[${white}]+|[${white}]+$`, 'g'), '') : s);
  let rest = trim(text);
  for (let k = 0; k < names.length; k++) {
    if (k === names.length - 1 || ifs === '') {
      env.set(names[k]!, k === names.length - 1 ? rest : '');
      if (ifs === '') rest = '';
      continue;
    }
    let end = 0;
    while (end < rest.length && !ifs.includes(rest[end]!)) end++;
    env.set(names[k]!, rest.slice(0, end));
    rest = trim(rest.slice(end + (end < rest.length ? 1 : 0)));
  }
  return line.eof ? 1 : 0;
};

const KILL_USAGE = 'bash: kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n';

/** kill [-s SIG | -n NUM | -SIG] [--] PID|-PGID…, kill -l. */
const kill: CommandImpl = async (argv, io, ctx) => {
  let sig: number = SIGNALS.TERM!;
  let i = 1;
  const first = argv[1];
  if (first === '-l' || first === '-L') {
    io.out(Object.entries(SIGNALS).map(([n, v]) => `${v}) SIG${n}`).join(' ') + '\n');
    return 0;
  }
  if (first === '-s' || first === '-n') {
    const n = argv[2] === undefined ? undefined : signalNumber(argv[2]);
    if (n === undefined) {
      io.err(argv[2] === undefined ? KILL_USAGE : `bash: kill: ${argv[2]}: invalid signal specification\n`);
      return argv[2] === undefined ? 2 : 1;
    }
    sig = n;
    i = 3;
  } else if (first !== undefined && first !== '--' && /^-\w+$/.test(first)) {
    const n = signalNumber(first.slice(1));
    if (n === undefined) {
      io.err(`bash: kill: ${first.slice(1)}: invalid signal specification\n`);
      return 1;
    }
    sig = n;
    i = 2;
  }
  if (argv[i] === '--') i++;
  if (i >= argv.length) {
    io.err(KILL_USAGE);
    return 2;
  }
  const procs = procsOf(ctx.host);
  let status = 0;
  for (const a of argv.slice(i)) {
    if (!/^-?\d+$/.test(a)) {
      io.err(a.startsWith('%') ? `bash: kill: ${a}: no such job\n` : `bash: kill: ${a}: arguments must be process or job IDs\n`);
      status = 1;
      continue;
    }
    // 0 is the caller's own process group
    const target = Number(a) === 0 ? -ctx.proc.pgid : Number(a);
    const r = procs.kill(target, sig);
    if (r === 'no-such-process') {
      io.err(`bash: kill: (${a}) - No such process\n`);
      status = 1;
    } else if (r === 'system' && sig !== 0) {
      io.err(`lab: kill: process ${a} (${procs.systemProcess(Number(a))?.args[0] ?? '?'}) belongs to the emulated system and takes no signals; use systemctl\n`);
      status = 1;
    }
  }
  return status;
};

export const JOB_BUILTINS: ReadonlyArray<readonly [string, CommandImpl]> = [['read', read], ['kill', kill]];
