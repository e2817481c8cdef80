// The lab's `mysql` held against the real client: the same command lines, run over the lab's SSH and by
// /bin/sh against a private MariaDB with the same login, must give the same exit status, the same first
// error line and the same output — the option-file rules stackplay relies on included (first option only,
// /dev/stdin through a pipe but not from the command's own socket, quoting and escapes).

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import type ssh2 from 'ssh2';
import { getConfigSql, mysqlCommand, optionFile, setConfigSql, type DbLogin } from '../../src/steps/cloudstack/cloud-db.js';
import type { Lab } from '../../src/lab/index.js';
import { mariadbAvailable, startMariaDb, type TestMariaDb } from '../support/mariadb.js';
import { requireTool } from '../support/require-tool.js';
import { exec, sshConnect, stopLabs, testLab } from './helpers.js';

const PASSWORD = `pw "#x \\y'z$(id)`;

describe('lab mysql against the real client (MariaDB)', function () {
  this.timeout(120_000);
  let db: TestMariaDb;
  let lab: Lab;
  let ssh: ssh2.Client;
  let login: DbLogin;

  before(async function () {
    requireTool(this, mariadbAvailable(), 'mariadb-server (mariadbd, mariadb-install-db, mysql)');
    db = await startMariaDb({ user: 'cloud', password: PASSWORD });
    lab = await testLab({ ssh: true, address: '127.0.0.83', dbUser: 'cloud', dbPassword: PASSWORD });
    ssh = await sshConnect(lab);
    // one login both understand: the lab takes 127.0.0.1 as its own host and ignores the port
    login = { host: '127.0.0.1', port: db.port, user: 'cloud', password: PASSWORD };
  });
  after(async () => {
    ssh?.end();
    await stopLabs();
    await db?.stop();
  });

  type Outcome = { code: number | null; stdout: string; firstError: string };
  const first = (stderr: string): string => (stderr.split('\n').find((l) => l.trim() !== '') ?? '').replace(/'cloud'@'[^']*'/, "'cloud'@HOST");
  const real = (command: string, stdin: string): Outcome => {
    const r = spawnSync('/bin/sh', ['-c', command], { input: stdin, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, firstError: first(r.stderr) };
  };
  const inLab = async (command: string, stdin: string): Promise<Outcome> => {
    const r = await exec(ssh, command, stdin);
    return { code: r.code, stdout: r.stdout, firstError: first(r.stderr) };
  };
  const same = async (command: string, stdin = optionFile(login)): Promise<Outcome> => {
    const want = real(command, stdin);
    expect(await inLab(command, stdin), command).to.deep.equal(want);
    return want;
  };

  it('the option file through a pipe: reads and writes work, hostile password included', async () => {
    const mysql = (sql: string): string => `cat | ${mysqlCommand(login, sql)}`;
    expect((await same(mysql(setConfigSql('integration.api.port', "it's 8096")))).code).to.equal(0);
    expect((await same(mysql(getConfigSql('integration.api.port')))).stdout).to.equal("it's 8096\n");
    await same(mysql(setConfigSql('integration.api.port', '0')));
    expect((await same(mysql(getConfigSql('integration.api.port')))).stdout).to.equal('0\n');
    expect((await same(mysql(getConfigSql('no.such.setting')))).stdout).to.equal('');
  });

  it('/dev/stdin straight from the command\'s own input (a socket) cannot be reopened', async () => {
    const r = await same(mysqlCommand(login, getConfigSql('integration.api.port')));
    expect(r.code).to.equal(1);
    expect(r.firstError).to.equal('Could not open required defaults file: /dev/stdin');
  });

  it('refuses --defaults-extra-file after another option, unknown options and a missing file, as mysql does', async () => {
    expect((await same(`cat | mysql -e 'SELECT 1' --defaults-extra-file=/dev/stdin`)).code).to.equal(7);
    expect((await same('mysql --bogus-option -e x')).code).to.equal(2);
    expect((await same('mysql --defaults-extra-file=/nonexistent/x.cnf -e x')).code).to.equal(1);
    expect((await same(`printf '[client]\\nbogus=1\\n' | mysql --defaults-extra-file=/dev/stdin -e x`, '')).code).to.equal(7);
  });

  it('a wrong password in the option file is ERROR 1045', async () => {
    const r = await same(`cat | ${mysqlCommand(login, getConfigSql('integration.api.port'))}`, optionFile({ ...login, password: 'wrong' }));
    expect(r.code).to.equal(1);
    expect(r.firstError).to.match(/^ERROR 1045 \(28000\): Access denied for user 'cloud'@HOST \(using password: YES\)$/);
  });
});
