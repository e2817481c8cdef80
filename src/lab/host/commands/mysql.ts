// `mysql` on the management host against the lab's database (db.ts): the options and option files of the
// MariaDB 10.11 client as far as stackplay and cloudstack-sysvmadm use them — `--defaults-extra-file` only
// as the first option, option files with MariaDB's quoting and escapes, /dev/stdin only when it can be
// reopened (a pipe, not the socket sshd gives a command), `-e SQL` or SQL on standard input — each
// refusal with the real client's text and exit status.

import type { CommandImpl, CommandIO } from '../shell/types.js';
import type { LabCore } from '../../core.js';
import { checkLogin, runSql } from './db.js';

const DEFAULTS_OPTIONS = ['--no-defaults', '--defaults-file', '--defaults-extra-file', '--defaults-group-suffix', '--print-defaults'];
const GROUPS = new Set(['client', 'client-server', 'client-mariadb', 'mysql', 'mariadb-client']);
/** Settings an option file may give the client (others are refused as `unknown variable`, as mysql does). */
const FILE_KEYS = new Set(['host', 'user', 'password', 'port', 'socket', 'database', 'protocol', 'connect-timeout', 'default-character-set', 'skip-column-names', 'batch', 'silent']);

/** Short options and the long ones they stand for (the client's own table, for the options used here). */
const SHORT: Readonly<Record<string, string>> = {
  '-h': '--host', '-u': '--user', '-e': '--execute', '-D': '--database', '-P': '--port', '-S': '--socket',
  '-N': '--skip-column-names', '-B': '--batch', '-s': '--silent', '-r': '--raw', '-U': '--safe-updates', '-n': '--unbuffered',
};
const WITH_VALUE = new Set(['--host', '--user', '--execute', '--database', '--port', '--socket', '--protocol', '--connect-timeout', '--default-character-set']);
const FLAGS = new Set(['--skip-column-names', '--batch', '--silent', '--raw', '--safe-updates', '--i-am-a-dummy', '--unbuffered']);

interface Settings {
  host: string;
  user: string;
  password: string | undefined;
  sql: string | undefined;
  noHeader: boolean;
}

class Refused extends Error {
  constructor(readonly text: string, readonly code: number) {
    super(text);
  }
}

/** A value as MariaDB's option-file parser reads it: outer quotes dropped, \n \t \r \b \s \\ \" \' undone. */
function fileValue(raw: string): string {
  let v = raw.trim();
  // a comment starts at a # outside quotes
  let quote = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') {
      v = v.slice(0, i).trimEnd();
      break;
    }
  }
  if (v.length > 1 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) v = v.slice(1, -1);
  const esc: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', s: ' ', '"': '"', "'": "'", '\\': '\\' };
  return v.replace(/\\(.)/gs, (whole, c: string) => esc[c] ?? whole);
}

function readOptionFile(text: string, s: Settings): void {
  let inGroup = false;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';') || t.startsWith('!')) continue;
    const g = /^\[([^\]]*)\]/.exec(t);
    if (g) {
      inGroup = GROUPS.has(g[1]!.trim().toLowerCase());
      continue;
    }
    if (!inGroup) continue;
    const eq = t.indexOf('=');
    const key = (eq < 0 ? t : t.slice(0, eq)).trim().replaceAll('_', '-').toLowerCase();
    const value = eq < 0 ? '' : fileValue(t.slice(eq + 1));
    if (!FILE_KEYS.has(key)) throw new Refused(`mysql: unknown variable '${t}'`, 7);
    if (key === 'host') s.host = value;
    else if (key === 'user') s.user = value;
    else if (key === 'password') s.password = value;
    else if (key === 'skip-column-names') s.noHeader = true;
  }
}

async function optionFileText(path: string, io: CommandIO, read: (p: string) => string | undefined): Promise<string> {
  if (path === '/dev/stdin') {
    // mysql opens the path again: a pipe reopens, a socket (an SSH command's own input) does not
    if (io.input?.socket) throw new Refused(`Could not open required defaults file: ${path}\nFatal error in defaults handling. Program aborted`, 1);
    return await io.stdin;
  }
  const text = read(path);
  if (text === undefined) throw new Refused(`Could not open required defaults file: ${path}\nFatal error in defaults handling. Program aborted`, 1);
  return text;
}

async function parse(argv: readonly string[], io: CommandIO, read: (p: string) => string | undefined): Promise<Settings> {
  const s: Settings = { host: 'localhost', user: 'root', password: undefined, sql: undefined, noHeader: false };
  let i = 1;
  let extra: string | undefined;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.split('=')[0]!;
    if (!DEFAULTS_OPTIONS.includes(name)) break;
    if (name === '--defaults-extra-file' || name === '--defaults-file') extra = a.slice(name.length + 1);
  }
  if (extra !== undefined) readOptionFile(await optionFileText(extra, io, read), s);
  const cli: Partial<Settings> = {};
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-') || a === '-') continue; // the database name
    const long = a.startsWith('--') ? a.split('=')[0]! : SHORT[a.slice(0, 2)];
    if (long !== undefined && DEFAULTS_OPTIONS.includes(long)) throw new Refused(`mysql: unknown variable '${a.slice(2)}'`, 7);
    if (a === '-p' || a === '--password') throw new Refused('lab: mysql: interactive password prompts are not supported; use an option file, -pPASSWORD or --password=PASSWORD', 1);
    if (a.startsWith('--password=')) cli.password = a.slice('--password='.length);
    else if (/^-p./s.test(a)) cli.password = a.slice(2);
    else if (long !== undefined && WITH_VALUE.has(long)) {
      // --host=H, --host H, -hH, -h H
      const v: string | undefined = a.startsWith('--') ? (a.includes('=') ? a.slice(long.length + 1) : argv[++i]) : a.length > 2 ? a.slice(2) : argv[++i];
      if (v === undefined) throw new Refused(`mysql: option '${a}' requires an argument`, 5);
      if (long === '--host') cli.host = v;
      else if (long === '--user') cli.user = v;
      else if (long === '--execute') cli.sql = v;
    } else if (long === '--skip-column-names') cli.noHeader = true;
    else if (long === undefined || !FLAGS.has(long)) throw new Refused(`mysql: unknown option '${a}'`, 2);
  }
  return { ...s, ...cli };
}

export function mysqlCommand(core: LabCore): CommandImpl {
  return async (argv, io, ctx) => {
    let s: Settings;
    try {
      s = await parse(argv, io, (p) => ctx.host.fs.read(p));
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      io.err(`${e.text}\n`);
      return e.code;
    }
    const denied = checkLogin(core, { host: s.host, user: s.user, password: s.password });
    if (denied) {
      io.err(denied + '\n');
      return 1;
    }
    // without -e, the statements come on standard input (batch mode)
    const sql = s.sql ?? (await io.stdin);
    if (sql.trim() === '') return 0;
    const r = runSql(core, sql);
    if (!r.ok) {
      io.err(r.error + '\n');
      return 1;
    }
    if (r.header && !s.noHeader && r.rows.length) io.out(r.header + '\n');
    for (const row of r.rows) io.out(row + '\n');
    return 0;
  };
}
