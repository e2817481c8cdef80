// The `cloud` database as the management host's MySQL client sees it: credential checks against the
// lab's DB user/password, the configuration table, and the few SELECTs cloudstack-sysvmadm runs.
// Errors are MySQL's own texts so scripts fail the way they would on a real host.

import type { LabCore } from '../../core.js';
import { isLocalName } from '../port-map.js';

export interface DbLogin {
  readonly host: string;
  readonly user: string;
  readonly password: string | undefined;
}

export type DbResult = { readonly ok: true; readonly rows: readonly string[]; readonly header?: string } | { readonly ok: false; readonly error: string };

export function checkLogin(core: LabCore, l: DbLogin): string | undefined {
  if (!isLocalName(core, l.host)) return `ERROR 2005 (HY000): Unknown MySQL server host '${l.host}' (-2)`;
  if (l.user !== core.settings.dbUser || l.password !== core.settings.dbPassword) {
    return `ERROR 1045 (28000): Access denied for user '${l.user}'@'localhost' (using password: ${l.password ? 'YES' : 'NO'})`;
  }
  return undefined;
}

const q = (s: string): string => s.replace(/^['"]|['"]$/g, '');

/** The statements the lab understands; anything else is a syntax error with a pointer to this list. */
export function runSql(core: LabCore, sql: string): DbResult {
  const s = sql.trim().replace(/;\s*$/, '');
  const cfg = core.world.config;
  let m = /^select\s+value\s+from\s+(?:`?cloud`?\.)?`?configuration`?\s+where\s+name\s*=\s*(['"][^'"]*['"])$/i.exec(s);
  if (m) {
    const name = q(m[1]!);
    return { ok: true, header: 'value', rows: cfg.get(name) === undefined || !hasConfig(core, name) ? [] : [cfg.get(name) ?? 'NULL'] };
  }
  m = /^update\s+(?:`?cloud`?\.)?`?configuration`?\s+set\s+value\s*=\s*(['"][^'"]*['"]|null)\s+where\s+name\s*=\s*(['"][^'"]*['"])$/i.exec(s);
  if (m) {
    const name = q(m[2]!);
    if (hasConfig(core, name)) cfg.set(name, m[1]!.toLowerCase() === 'null' ? null : q(m[1]!));
    return { ok: true, rows: [] };
  }
  return {
    ok: false,
    error: "ERROR 1064 (42000) at line 1: You have an error in your SQL syntax (the lab's MySQL understands only SELECT value FROM configuration WHERE name='…' and UPDATE configuration SET value='…' WHERE name='…')",
  };
}

function hasConfig(core: LabCore, name: string): boolean {
  return name in core.world.config.snapshot();
}
