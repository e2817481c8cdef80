// `mysql` on the management host: `mysql [-h H] [-u U] [-pPW|--password=PW] [-N] [-B] [-s] [cloud] -e SQL`
// against the lab's configuration table (see db.ts for the statements it understands).

import type { CommandImpl } from '../shell/types.js';
import type { LabCore } from '../../core.js';
import { checkLogin, runSql } from './db.js';

export function mysqlCommand(core: LabCore): CommandImpl {
  return async (argv, io) => {
    let host = 'localhost';
    let user = 'root';
    let password: string | undefined;
    let sql: string | undefined;
    let noHeader = false;
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      const val = (long: string, short: string): string | undefined => {
        if (a === short || a === long) return argv[++i];
        if (a.startsWith(long + '=')) return a.slice(long.length + 1);
        if (a.startsWith(short) && a.length > 2) return a.slice(2);
        return undefined;
      };
      let v: string | undefined;
      if (a === '-p') {
        io.err('lab: mysql: interactive password prompts are not supported; use -pPASSWORD or --password=PASSWORD\n');
        return 1;
      }
      if (a.startsWith('-p') || a.startsWith('--password=')) password = a.startsWith('-p') ? a.slice(2) : a.slice(11);
      else if ((v = val('--host', '-h')) !== undefined) host = v;
      else if ((v = val('--user', '-u')) !== undefined) user = v;
      else if ((v = val('--execute', '-e')) !== undefined) sql = v;
      else if (a === '-N' || a === '--skip-column-names') noHeader = true;
      else if ((v = val('--database', '-D')) !== undefined) continue;
      else if ((v = val('--port', '-P')) !== undefined) continue;
      else if (a.startsWith('-')) continue;
    }
    const denied = checkLogin(core, { host, user, password });
    if (denied) {
      io.err(denied + '\n');
      return 1;
    }
    if (sql === undefined) {
      io.err('lab: mysql: only non-interactive use with -e "SQL" is emulated\n');
      return 1;
    }
    const r = runSql(core, sql);
    if (!r.ok) {
      io.err(r.error + '\n');
      return 1;
    }
    if (r.header && !noHeader && r.rows.length) io.out(r.header + '\n');
    for (const row of r.rows) io.out(row + '\n');
    return 0;
  };
}
