// The `cloud` database as the management host's MySQL client sees it: credential checks against the
// lab's DB user/password, the configuration table, and the VM selections cloudstack-sysvmadm runs.
// String literals are read as MariaDB reads them (quotes doubled or backslash-escaped, X'hex'); errors
// are MySQL's own texts so scripts fail the way they would on a real host.

import type { LabCore } from '../../core.js';
import { isLocalName } from '../port-map.js';
import { stateName } from '../../ms/management-server.js';

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

const SYNTAX = "ERROR 1064 (42000) at line 1: You have an error in your SQL syntax (the lab's MySQL understands only SELECT value FROM configuration WHERE name='…', UPDATE configuration SET value='…' WHERE name='…', SELECT state FROM mshost WHERE uuid='…' and cloudstack-sysvmadm's VM selections)";

/** A string literal: '…' or "…" (quote doubled or backslash-escaped), X'hex', or NULL. */
const LITERAL = String.raw`'(?:[^'\\]|''|\\.)*'|"(?:[^"\\]|""|\\.)*"|[xX]'[0-9a-fA-F]*'|NULL`;

const ESCAPES: Readonly<Record<string, string>> = { 0: '\0', n: '\n', t: '\t', r: '\r', b: '\b', Z: '\x1a' };

/** The value of a literal as MariaDB reads it (default sql_mode: backslash escapes on). */
export function literalValue(lit: string): string | null {
  if (/^null$/i.test(lit)) return null;
  if (/^x'/i.test(lit)) return Buffer.from(lit.slice(2, -1), 'hex').toString('utf8');
  const q = lit[0]!;
  return lit.slice(1, -1).replace(new RegExp(String.raw`\\(.)|${q}${q}`, 'gs'), (whole, c: string | undefined) => (c === undefined ? q : ESCAPES[c] ?? c));
}

/** The statements the lab understands; anything else is a syntax error with a pointer to this list. */
export function runSql(core: LabCore, sql: string): DbResult {
  const s = sql.trim().replace(/;\s*$/, '');
  const cfg = core.world.config;
  const table = String.raw`(?:\x60?cloud\x60?\.)?\x60?configuration\x60?`;
  let m = new RegExp(String.raw`^select\s+value\s+from\s+${table}\s+where\s+name\s*=\s*(${LITERAL})$`, 'is').exec(s);
  if (m) {
    const name = literalValue(m[1]!);
    return { ok: true, header: 'value', rows: name === null || !hasConfig(core, name) ? [] : [cfg.get(name) ?? 'NULL'] };
  }
  m = new RegExp(String.raw`^update\s+${table}\s+set\s+value\s*=\s*(${LITERAL})\s+where\s+name\s*=\s*(${LITERAL})$`, 'is').exec(s);
  if (m) {
    const name = literalValue(m[2]!);
    if (name !== null && hasConfig(core, name)) cfg.set(name, literalValue(m[1]!));
    return { ok: true, rows: [] };
  }
  m = new RegExp(String.raw`^select\s+state\s+from\s+(?:\x60?cloud\x60?\.)?\x60?mshost\x60?\s+where\s+uuid\s*=\s*(${LITERAL})$`, 'is').exec(s);
  if (m) {
    const id = literalValue(m[1]!);
    const server = core.cluster.servers.find((x) => x.record.id === id);
    return { ok: true, header: 'state', rows: server === undefined ? [] : [stateName(core, server.hostState)] };
  }
  m = /^select\s+(count\(\*\)|id|uuid)\s+from\s+(\w+)\s+where\s+state="Running"\s+and\s+type="(SecondaryStorageVm|ConsoleProxy|DomainRouter)"(.*)$/is.exec(s);
  if (m) {
    const f = vmClauses(m[4]!);
    if (!f) return { ok: false, error: SYNTAX };
    const r = selectVms(core, m[2]!, m[3] as VmType, f, m[1]!.toLowerCase() === 'id' ? 'id' : 'uuid');
    if ('error' in r) return { ok: false, error: r.error };
    return m[1]!.toLowerCase() === 'count(*)' ? { ok: true, header: 'count(*)', rows: [String(r.rows.length)] } : { ok: true, header: m[1]!, rows: r.rows };
  }
  return { ok: false, error: SYNTAX };
}

export type VmType = 'SecondaryStorageVm' | 'ConsoleProxy' | 'DomainRouter';

/** `select id|uuid from <table> where state="Running" and type="…"`, narrowed by -z (zone) and -i (ids). */
export function selectVms(core: LabCore, table: string, type: VmType, f: { readonly zone?: number | undefined; readonly ids?: readonly string[] | undefined }, column: 'id' | 'uuid'): { rows: string[] } | { error: string } {
  if (table !== 'vm_instance') return { error: `ERROR 1146 (42S02) at line 1: Table 'cloud.${table}' doesn't exist` };
  const w = core.world;
  const vms = type === 'DomainRouter' ? w.routers : w.systemVms.filter((v) => (v.kind === 'ssvm') === (type === 'SecondaryStorageVm'));
  return {
    rows: vms.filter((v) => v.state === 'Running' && (f.zone === undefined || w.zone(v.zoneId)?.internalId === f.zone) && (!f.ids || f.ids.includes(v.id)))
      .map((v) => (column === 'id' ? String(v.internalId) : v.id)),
  };
}

/** The clauses the script appends, as SQL: ` AND data_center_id=<int>` and ` AND uuid IN ('a','b')`. */
function vmClauses(tail: string): { zone?: number; ids?: string[] } | undefined {
  const m = new RegExp(String.raw`^(?:\s+AND\s+data_center_id\s*=\s*(\d+))?(?:\s+AND\s+uuid\s+IN\s+\(((?:${LITERAL})(?:\s*,\s*(?:${LITERAL}))*)\))?\s*$`, 'is').exec(tail);
  if (!m) return undefined;
  return {
    ...(m[1] !== undefined ? { zone: Number(m[1]) } : {}),
    ...(m[2] !== undefined ? { ids: [...m[2].matchAll(new RegExp(LITERAL, 'gs'))].map((x) => literalValue(x[0]) ?? '') } : {}),
  };
}

function hasConfig(core: LabCore, name: string): boolean {
  return name in core.world.config.snapshot();
}
