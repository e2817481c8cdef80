// The SQL and the mysql invocations of the undo and the dead-man timer, run by the real `mysql` client and
// /bin/sh against a real MariaDB holding CloudStack's configuration table: hostile values and passwords
// round-trip under both backslash modes, and the login never is an argument of any process.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getConfigSql, mysqlCommand, mysqlExec, mysqlScriptLine, optionFile, setConfigSql, sqlString, type DbLogin } from '../../../src/steps/cloudstack/cloud-db.js';
import { mariadbAvailable, startMariaDb, type TestMariaDb } from '../../support/mariadb.js';
import { requireTool } from '../../support/require-tool.js';

// every character the option-file parser, SQL and the shell treat specially
const PASSWORD = `p"#x \\y'z$(touch /tmp/stackplay-pwned)\`id\`;%s&|`;
const VALUES: ReadonlyArray<string | null> = ['8096', '0', '-1', '', "it's", 'back\\slash', 'ünïcødé', '$(id)`id`;echo x', 'tab\there', 'line\nbreak', null];

describe('cloud-db: the configuration SQL against a real MariaDB', function () {
  this.timeout(120_000);
  let db: TestMariaDb;
  let login: DbLogin;
  let work: string;

  before(async function () {
    requireTool(this, mariadbAvailable(), 'mariadb-server (mariadbd, mariadb-install-db, mysql)');
    db = await startMariaDb({ user: 'cloud', password: PASSWORD });
    login = { host: '127.0.0.1', port: db.port, user: 'cloud', password: PASSWORD };
    work = mkdtempSync(join(tmpdir(), 'stackplay-clouddb-'));
  });
  after(async () => {
    await db?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /**
   * The undo's way: the command line over SSH (here /bin/sh -c), the option file on its standard input —
   * which Node, like sshd on Linux, hands over as a socket that /dev/stdin cannot reopen.
   */
  const viaStdin = (sql: string, l: DbLogin = login): { status: number | null; stdout: string; stderr: string } => {
    const { command, stdin } = mysqlExec(l, sql);
    return spawnSync('/bin/sh', ['-c', command], { input: stdin, encoding: 'utf8' });
  };

  it('sets and reads back every value, hostile ones included, with the password in the option file', () => {
    for (const v of VALUES) {
      const r = viaStdin(setConfigSql('integration.api.port', v));
      expect(r.status, `${JSON.stringify(v)}: ${r.stderr}`).to.equal(0);
      expect(db.config('integration.api.port'), JSON.stringify(v)).to.equal(v);
      // the neighbour a substring match would catch is untouched
      expect(db.config('integration.api.port.comment')).to.equal(null);
    }
    viaStdin(setConfigSql('integration.api.port', '8096'));
    const read = viaStdin(getConfigSql('integration.api.port'));
    expect(read.status, read.stderr).to.equal(0);
    expect(read.stdout).to.equal('8096\n');
  });

  it('means the same with NO_BACKSLASH_ESCAPES (quotes doubled, other values as hex literals)', () => {
    db.root("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')");
    try {
      for (const v of VALUES) {
        const r = viaStdin(setConfigSql('integration.api.port', v));
        expect(r.status, `${JSON.stringify(v)}: ${r.stderr}`).to.equal(0);
        expect(db.config('integration.api.port'), JSON.stringify(v)).to.equal(v);
      }
    } finally {
      db.root("SET GLOBAL sql_mode = REPLACE(@@GLOBAL.sql_mode, 'NO_BACKSLASH_ESCAPES', '')");
    }
  });

  it('a hostile name matches no row and runs nothing', () => {
    const r = viaStdin(setConfigSql("x' OR '1'='1", '1'));
    expect(r.status, r.stderr).to.equal(0);
    expect(db.config('integration.api.port.comment')).to.equal(null);
  });

  it('the dead-man script line (printf into mysql) works from a root-only script run by /bin/sh', () => {
    viaStdin(setConfigSql('integration.api.port', '8096'));
    const script = join(work, 'deadman.sh');
    writeFileSync(script, `# a dead-man script\n${mysqlScriptLine(login, setConfigSql('integration.api.port', '0'))}\n`, { mode: 0o700 });
    chmodSync(script, 0o700);
    const r = spawnSync('/bin/sh', [script], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(db.config('integration.api.port')).to.equal('0');
    expect(spawnSync('/bin/sh', ['-c', 'test -e /tmp/stackplay-pwned'], {}).status, 'nothing in the password ran').to.equal(1);
  });

  it('a wrong password is MySQL\'s ERROR 1045 and nothing changes', () => {
    viaStdin(setConfigSql('integration.api.port', '0'));
    const r = viaStdin(setConfigSql('integration.api.port', '8096'), { ...login, password: 'wrong' });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^ERROR 1045 \(28000\)/);
    expect(db.config('integration.api.port')).to.equal('0');
  });

  it('the password is never on a command line, only in the option text', () => {
    const sql = setConfigSql('integration.api.port', '0');
    expect(mysqlCommand(login, sql)).not.to.include('p"#x');
    expect(mysqlExec(login, sql).command).not.to.include('p"#x');
    expect(optionFile(login)).to.include('password="p\\"#x \\\\y');
    // in the script line it is only the argument of printf, a shell builtin (no process of its own)
    const line = mysqlScriptLine(login, sql);
    expect(line.slice(line.indexOf('| mysql'))).not.to.include('p"#x');
  });

  it('sqlString: plain quoting for printable text, hex for the rest', () => {
    expect(sqlString('8096')).to.equal("'8096'");
    expect(sqlString("it's")).to.equal("'it''s'");
    expect(sqlString('a\\b')).to.equal("X'615c62'");
    expect(sqlString(null)).to.equal('NULL');
  });
});
