// A private MariaDB server for tests of the SQL stackplay sends: its own temp datadir (mariadb-install-db),
// a socket in that dir and a TCP port on 127.0.0.1, CloudStack's `cloud.configuration` table with the
// columns of its schema, and a `cloud` user whose password is whatever the test asks for. Stopped with
// its datadir removed.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ssh-common.js';

export const MARIADBD = '/usr/sbin/mariadbd';
export const MARIADB_INSTALL_DB = '/usr/bin/mariadb-install-db';
export const MYSQL = '/usr/bin/mysql';

export function mariadbAvailable(): boolean {
  return existsSync(MARIADBD) && existsSync(MARIADB_INSTALL_DB) && existsSync(MYSQL);
}

/**
 * `configuration` as a 4.20 database has it: setup/db/create-schema.sql plus the columns later upgrades
 * added (schema-421to430.sql, schema-440to441.sql, schema-41720to41800.sql in engine/schema).
 */
export const CONFIGURATION_DDL = `CREATE TABLE \`cloud\`.\`configuration\` (
  \`category\` varchar(255) NOT NULL DEFAULT 'Advanced',
  \`instance\` varchar(255) NOT NULL,
  \`component\` varchar(255) NOT NULL DEFAULT 'management-server',
  \`name\` varchar(255) NOT NULL,
  \`value\` varchar(8191),
  \`description\` varchar(1024),
  \`default_value\` varchar(8191),
  \`updated\` datetime,
  \`scope\` varchar(255) DEFAULT NULL,
  \`is_dynamic\` tinyint(1) NOT NULL DEFAULT 0,
  \`group_id\` bigint unsigned DEFAULT 1,
  \`subgroup_id\` bigint unsigned DEFAULT 1,
  \`parent\` varchar(255) DEFAULT NULL,
  \`display_text\` varchar(255) DEFAULT NULL,
  \`kind\` varchar(255) DEFAULT NULL,
  \`options\` varchar(255) DEFAULT NULL,
  PRIMARY KEY (\`name\`),
  INDEX \`i_configuration__instance\`(\`instance\`),
  INDEX \`i_configuration__name\`(\`name\`),
  INDEX \`i_configuration__category\`(\`category\`),
  INDEX \`i_configuration__component\`(\`component\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8`;

export interface TestMariaDb {
  readonly port: number;
  readonly socket: string;
  /** Runs SQL as root (no defaults files), returning stdout; throws on a non-zero exit. */
  root(sql: string): string;
  /** The stored value of a configuration row (null for SQL NULL, undefined when the row is missing). */
  config(name: string): string | null | undefined;
  stop(): Promise<void>;
}

function sqlQuote(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export async function startMariaDb(o: { readonly user: string; readonly password: string }): Promise<TestMariaDb> {
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-mariadb-'));
  const datadir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const asRoot = userInfo().uid === 0;
  const install = spawnSync(MARIADB_INSTALL_DB, [
    '--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...(asRoot ? ['--user=root'] : []),
  ], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`);
  const port = await freePort('127.0.0.1');
  const server: ChildProcess = spawn(MARIADBD, [
    '--no-defaults', `--datadir=${datadir}`, `--socket=${socket}`, `--port=${port}`, '--bind-address=127.0.0.1',
    `--pid-file=${join(dir, 'mysqld.pid')}`, `--log-error=${join(dir, 'error.log')}`, '--innodb-buffer-pool-size=8M',
    '--skip-name-resolve', ...(asRoot ? ['--user=root'] : []),
  ], { stdio: 'ignore' });
  let exited = false;
  server.once('exit', () => (exited = true));

  const root = (sql: string): string => {
    const r = spawnSync(MYSQL, ['--no-defaults', '-uroot', `--socket=${socket}`, '--batch', '--skip-column-names', '-e', sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mysql (root) failed: ${r.stderr}`);
    return r.stdout;
  };
  // ready when root can log in over the socket (bounded: a server that never comes up fails the test)
  for (let i = 0; ; i++) {
    if (exited) throw new Error(`mariadbd exited at start (see ${join(dir, 'error.log')})`);
    const r = spawnSync(MYSQL, ['--no-defaults', '-uroot', `--socket=${socket}`, '-e', 'SELECT 1'], { encoding: 'utf8' });
    if (r.status === 0) break;
    if (i > 600) throw new Error(`mariadbd did not accept connections: ${r.stderr}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  const pw = sqlQuote(o.password);
  root([
    'CREATE DATABASE cloud',
    CONFIGURATION_DDL,
    // 'cloud'@'localhost' covers the socket, the other one TCP (names are not resolved)
    `CREATE USER ${sqlQuote(o.user)}@'localhost' IDENTIFIED BY ${pw}`,
    `CREATE USER ${sqlQuote(o.user)}@'127.0.0.1' IDENTIFIED BY ${pw}`,
    `GRANT ALL ON cloud.* TO ${sqlQuote(o.user)}@'localhost'`,
    `GRANT ALL ON cloud.* TO ${sqlQuote(o.user)}@'127.0.0.1'`,
    "INSERT INTO cloud.configuration (category, instance, component, name, value, description, default_value, updated, scope, is_dynamic) VALUES " +
      "('Advanced', 'DEFAULT', 'ApiServer', 'integration.api.port', '0', 'Integration (unauthenticated) API port. To disable set it to 0 or negative.', '0', NOW(), 'Global', 0), " +
      "('Advanced', 'DEFAULT', 'ManagementServer', 'integration.api.port.comment', NULL, 'a neighbour a substring match would also find', NULL, NOW(), 'Global', 0)",
  ].join(';\n'));

  return {
    port, socket, root,
    config(name) {
      const r = spawnSync(MYSQL, ['--no-defaults', '-uroot', `--socket=${socket}`, '--batch', '--skip-column-names', '--raw', '-e',
        `SELECT IF(value IS NULL, 'N', CONCAT('V', HEX(value))) FROM cloud.configuration WHERE name=${sqlQuote(name)}`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mysql (root) failed: ${r.stderr}`);
      const out = r.stdout.trim();
      if (out === '') return undefined;
      return out === 'N' ? null : Buffer.from(out.slice(1), 'hex').toString('utf8');
    },
    async stop() {
      if (!exited) {
        const gone = new Promise<void>((res) => server.once('exit', () => res()));
        server.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
