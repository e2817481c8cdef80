// The CloudStack database through the `mysql` client of a management server, for the few writes that must
// not depend on the API (closing the integration port when the API refuses, the dead-man timer): the login
// travels in an option file read from mysql's standard input, never on a command line (`ps` shows those to
// every user of the host), and values become SQL literals that mean the same under every sql_mode.

import { shellQuote } from '../../util/shell-quote.js';

/** What `cloudstack_db` holds in an inventory: the management server's database login. */
export interface DbLogin {
  readonly host: string;
  readonly user: string;
  readonly password: string;
  readonly port?: number | undefined;
  /** The schema CloudStack uses (`cloud`). */
  readonly database?: string | undefined;
}

export class CloudDbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudDbError';
  }
}

/** The login as `cloudstack_db` gives it (a mapping with host, user, password, optional port and name). */
export function dbLogin(value: unknown, what = 'cloudstack_db'): DbLogin {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CloudDbError(`${what} must be a mapping with host, user and password`);
  const o = value as Record<string, unknown>;
  const text = (k: string): string => {
    const v = o[k];
    if (typeof v !== 'string' || v === '') throw new CloudDbError(`${what}.${k} must be a non-empty string`);
    return v;
  };
  const port = o['port'] === undefined || o['port'] === null ? undefined : Number(o['port']);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new CloudDbError(`${what}.port must be a port number`);
  const database = o['name'] === undefined ? undefined : text('name');
  return { host: text('host'), user: text('user'), password: text('password'), port, database };
}

/**
 * A value as MySQL's and MariaDB's option-file parser reads it back: inside double quotes (so `#` and
 * spaces stay), with the escapes it undoes (`\\`, `\"`, `\n`, `\t`, `\r`, `\b`). A NUL cannot be stored.
 */
export function optionValue(v: string): string {
  if (v.includes('\0')) throw new CloudDbError('a database login cannot contain a NUL byte');
  const escaped = v.replace(/[\\"\n\t\r\b]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b' })[c]!);
  return `"${escaped}"`;
}

/** The option file mysql reads from its standard input (`--defaults-extra-file=/dev/stdin`). */
export function optionFile(db: DbLogin): string {
  const lines = ['[client]', `host=${optionValue(db.host)}`, `user=${optionValue(db.user)}`, `password=${optionValue(db.password)}`];
  if (db.port !== undefined) lines.push(`port=${db.port}`);
  return `${lines.join('\n')}\n`;
}

/**
 * A SQL string literal. Quotes are doubled, which every sql_mode reads back; a backslash means an escape
 * unless NO_BACKSLASH_ESCAPES is on, so a value holding one (or a control character) is sent as a hex
 * literal, which no mode reinterprets.
 */
export function sqlString(v: string | null): string {
  if (v === null) return 'NULL';
  if (/^[\x20-\x7e]*$/.test(v) && !v.includes('\\')) return `'${v.replaceAll("'", "''")}'`;
  return `X'${Buffer.from(v, 'utf8').toString('hex')}'`;
}

/** The statement that stores a global setting (CloudStack keeps them in `configuration`, one row per name). */
export function setConfigSql(name: string, value: string | null): string {
  return `UPDATE configuration SET value=${sqlString(value)} WHERE name=${sqlString(name)}`;
}

export function getConfigSql(name: string): string {
  return `SELECT value FROM configuration WHERE name=${sqlString(name)}`;
}

/**
 * The mysql command line: `--defaults-extra-file` must come first (mysql refuses it anywhere else), and
 * /dev/stdin makes the option file the command's input, so the login is never a file on disk either.
 * mysql opens that path again, which works for a pipe but not for a socket — and sshd on Linux hands a
 * command a socketpair as its input (session.c without USE_PIPES) — so its input always comes from a pipe.
 */
export function mysqlCommand(db: DbLogin, sql: string): string {
  return `mysql --defaults-extra-file=/dev/stdin --batch --skip-column-names ${shellQuote(db.database ?? 'cloud')} -e ${shellQuote(sql)}`;
}

/** The command and the standard input that run `sql` over SSH: the login is the input, through `cat` into a pipe. */
export function mysqlExec(db: DbLogin, sql: string): { readonly command: string; readonly stdin: string } {
  return { command: `cat | ${mysqlCommand(db, sql)}`, stdin: optionFile(db) };
}

/**
 * The same for a script that runs unattended (a dead-man timer): `printf` is a builtin of every POSIX
 * shell, so the login reaches mysql's input without ever being the argument of a process.
 */
export function mysqlScriptLine(db: DbLogin, sql: string): string {
  return `printf '%s' ${shellQuote(optionFile(db), 'always')} | ${mysqlCommand(db, sql)}`;
}
