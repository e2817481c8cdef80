// Inventory loader: hosts, groups with children, vars at each level, connection settings per host or
// group, and secret fields ({ env: NAME }, { file: PATH }, { secret: VALUE }) that are resolved and
// registered for masking. `localhost` always exists (implicit, local connection).

import { readDocument } from '../yaml/document.js';
import { dirname, resolve } from 'node:path';
import { NodeReader } from '../yaml/node-reader.js';
import { ProblemList } from '../diagnostics/problems.js';
import { type YMap, type YNode } from '../yaml/yaml-nodes.js';
import type { SecretRegistry } from '../secrets/masker.js';
import { expandPath, SecretValueReader } from '../secrets/sources.js';
import { checkConnValue, checkCloudStackUrl, shownValue } from './check-values.js';
import type { CloudStackSettings, GroupEntry, HostEntry, Inventory } from './types.js';

export const INVENTORY_KEYS = ['hosts', 'groups', 'vars', 'known_hosts'] as const;
export const CONNECTION_KEYS = ['address', 'port', 'user', 'key_file', 'passphrase', 'password', 'become_password', 'jump', 'known_hosts', 'cloudstack'] as const;
export const HOST_KEYS = [...CONNECTION_KEYS, 'vars'] as const;
export const GROUP_KEYS = ['hosts', 'children', 'vars', ...CONNECTION_KEYS] as const;
export const CLOUDSTACK_KEYS = ['url', 'api_key', 'secret_key', 'username', 'password', 'domain', 'integration_port', 'signature_version', 'ca_file', 'insecure', 'via'] as const;
export const SECRET_FIELDS = new Set(['passphrase', 'password', 'become_password', 'api_key', 'secret_key']);

export interface InventoryOptions {
  readonly secrets: SecretRegistry;
  /** Resolve { env } / { file } secrets now (a run); validation alone only checks their shape. */
  readonly resolveSecrets: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

export type InventoryResult = { readonly ok: true; readonly inventory: Inventory } | { readonly ok: false; readonly problems: ProblemList };

type Conn = Partial<Record<(typeof CONNECTION_KEYS)[number], unknown>>;

export function implicitInventory(): Inventory {
  return { file: null, hosts: new Map([['localhost', localhostEntry([])]]), groups: new Map(), vars: {}, projectKnownHosts: undefined };
}

function localhostEntry(groups: string[]): HostEntry {
  return {
    name: 'localhost', address: '127.0.0.1', port: undefined, user: undefined, keyFile: undefined, passphrase: undefined,
    password: undefined, becomePassword: undefined, jump: undefined, knownHosts: undefined, cloudstack: undefined,
    groups, groupVars: {}, hostVars: {}, implicit: true, connection: 'local', pos: null,
  };
}

export function loadInventory(path: string, text: string, options: InventoryOptions): InventoryResult {
  const doc = readDocument(path, text);
  if (!doc.ok) return doc;
  const r = doc.reader;
  const problems = r.problems;
  if (doc.node === null) return { ok: true, inventory: { ...implicitInventory(), file: path } };
  const root = r.expectMap(doc.node, 'an inventory');
  if (root === undefined) return { ok: false, problems };
  r.checkKeys(root, INVENTORY_KEYS, 'the inventory');
  const baseDir = dirname(resolve(path));
  const values = new ValueReader(r, options, baseDir);

  const hostNodes = new Map<string, YMap | null>();
  const hostsNode = r.get(root, 'hosts');
  if (hostsNode !== undefined) {
    const m = r.expectMap(hostsNode, "'hosts'");
    for (const p of m?.pairs ?? []) {
      if (p.value.kind === 'scalar' && p.value.value === null) hostNodes.set(p.key, null);
      else {
        const hm = r.expectMap(p.value, `host '${p.key}'`);
        if (hm) {
          r.checkKeys(hm, HOST_KEYS, `host '${p.key}'`);
          hostNodes.set(p.key, hm);
        }
      }
    }
  }
  const groupNodes = new Map<string, YMap>();
  const groupsNode = r.get(root, 'groups');
  if (groupsNode !== undefined) {
    const m = r.expectMap(groupsNode, "'groups'");
    for (const p of m?.pairs ?? []) {
      const gm = r.expectMap(p.value, `group '${p.key}'`);
      if (!gm) continue;
      r.checkKeys(gm, GROUP_KEYS, `group '${p.key}'`);
      if (hostNodes.has(p.key)) r.problem(p.keyNode, 'name-clash', `'${p.key}' is both a host and a group`);
      if (p.key === 'all') r.problem(p.keyNode, 'reserved-name', "'all' is a reserved group name");
      groupNodes.set(p.key, gm);
    }
  }
  // groups: members and children
  const groups = new Map<string, GroupEntry & { conn: Conn; node: YMap }>();
  for (const [name, gm] of groupNodes) {
    const members = r.stringList(r.get(gm, 'hosts'), `group '${name}' hosts`);
    for (const h of members) {
      if (!hostNodes.has(h)) {
        // a host listed only in a group is a host with default settings
        hostNodes.set(h, null);
      }
    }
    const childrenNode = r.get(gm, 'children');
    const children = r.stringList(childrenNode, `group '${name}' children`);
    for (const c of children) if (!groupNodes.has(c) && childrenNode) r.problem(childrenNode, 'unknown-group', `group '${name}' has an unknown child group '${c}'`);
    groups.set(name, {
      name, hosts: members, children, vars: values.vars(r.get(gm, 'vars'), `group '${name}' vars`), conn: values.conn(gm, `group '${name}'`), node: gm,
    });
  }
  // ancestry: which groups contain each host, outermost first
  const parentsOf = new Map<string, string[]>();
  for (const g of groups.values()) for (const c of g.children) parentsOf.set(c, [...(parentsOf.get(c) ?? []), g.name]);
  const depth = (g: string, seen = new Set<string>()): number => {
    if (seen.has(g)) return 0;
    seen.add(g);
    return Math.max(0, ...(parentsOf.get(g) ?? []).map((p) => depth(p, seen) + 1));
  };
  for (const g of groups.keys()) if (hasCycle(g, groups)) r.problem(groups.get(g)!.node, 'group-cycle', `group '${g}' contains itself through its children`);

  const invVars = values.vars(r.get(root, 'vars'), 'inventory vars');
  const hosts = new Map<string, HostEntry>();
  for (const [name, hm] of hostNodes) {
    const direct = [...groups.values()].filter((g) => g.hosts.includes(name)).map((g) => g.name);
    const all = new Set<string>();
    const addUp = (g: string): void => {
      if (all.has(g)) return;
      all.add(g);
      for (const p of parentsOf.get(g) ?? []) addUp(p);
    };
    direct.forEach(addUp);
    const ordered = [...all].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
    let groupVars: Record<string, unknown> = {};
    let conn: Conn = {};
    for (const g of ordered) {
      const ge = groups.get(g)!;
      groupVars = { ...groupVars, ...ge.vars };
      conn = { ...conn, ...ge.conn };
    }
    const hostConn = hm ? values.conn(hm, `host '${name}'`) : {};
    conn = { ...conn, ...hostConn };
    const hostVars = hm ? values.vars(r.get(hm, 'vars'), `host '${name}' vars`) : {};
    hosts.set(name, {
      name,
      address: str(conn.address),
      port: typeof conn.port === 'number' ? conn.port : undefined,
      user: str(conn.user),
      keyFile: conn.key_file === undefined ? undefined : expandPath(String(conn.key_file), baseDir),
      passphrase: str(conn.passphrase),
      password: str(conn.password),
      becomePassword: str(conn.become_password),
      jump: str(conn.jump),
      knownHosts: conn.known_hosts === undefined ? undefined : expandPath(String(conn.known_hosts), baseDir),
      cloudstack: conn.cloudstack as CloudStackSettings | undefined,
      groups: ordered,
      groupVars,
      hostVars,
      implicit: false,
      connection: name === 'localhost' && !conn.address ? 'local' : 'ssh',
      pos: hm ? r.pos(hm) : null,
    });
  }
  const loops = new Set<string>(); // each loop reported once, at the first of its hosts met
  for (const h of hosts.values()) {
    // a jump chain that comes back to a host it passed can never connect
    const chain = [h.name];
    for (let j = h.jump; j !== undefined && hosts.has(j); j = hosts.get(j)!.jump) {
      const at = chain.indexOf(j);
      if (at >= 0) {
        const loop = chain.slice(at);
        const key = [...loop].sort().join('\0');
        const node = hostNodes.get(j);
        if (!loops.has(key) && node) r.problem(node, 'jump-cycle', `host '${j}' jumps in a circle: ${[...loop, j].join(' -> ')}`);
        loops.add(key);
        break;
      }
      chain.push(j);
    }
    if (h.jump !== undefined && !hosts.has(h.jump)) {
      const node = hostNodes.get(h.name);
      if (node) r.problem(node, 'unknown-host', `host '${h.name}' jumps through '${h.jump}', which is not in the inventory`);
    }
    if (h.cloudstack?.via !== undefined && !hosts.has(h.cloudstack.via)) {
      const node = hostNodes.get(h.name);
      if (node) r.problem(node, 'unknown-host', `host '${h.name}' reaches CloudStack via '${h.cloudstack.via}', which is not in the inventory`);
    }
  }
  if (!hosts.has('localhost')) hosts.set('localhost', localhostEntry([]));
  const knownHostsNode = r.get(root, 'known_hosts');
  const projectKnownHosts = knownHostsNode ? expandPath(r.string(knownHostsNode, "'known_hosts'") ?? '', baseDir) : undefined;
  if (!problems.ok) return { ok: false, problems };
  const groupMap = new Map<string, GroupEntry>();
  for (const g of groups.values()) groupMap.set(g.name, { name: g.name, hosts: g.hosts, children: g.children, vars: g.vars });
  return { ok: true, inventory: { file: path, hosts, groups: groupMap, vars: invVars, projectKnownHosts } };
}

function hasCycle(start: string, groups: Map<string, { children: readonly string[] }>): boolean {
  const stack = [...(groups.get(start)?.children ?? [])];
  const seen = new Set<string>();
  while (stack.length) {
    const g = stack.pop()!;
    if (g === start) return true;
    if (seen.has(g)) continue;
    seen.add(g);
    stack.push(...(groups.get(g)?.children ?? []));
  }
  return false;
}

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

export { expandPath };

/** Reads values that may be secret sources (shared with playbook vars and -e files), and connection settings. */
class ValueReader {
  private readonly sources: SecretValueReader;

  constructor(
    private readonly r: NodeReader,
    options: InventoryOptions,
    private readonly baseDir: string,
  ) {
    this.sources = new SecretValueReader(r, { secrets: options.secrets, resolve: options.resolveSecrets, baseDir, ...(options.env ? { env: options.env } : {}) });
  }

  private secretSource(node: YNode): YMap | undefined {
    return this.sources.sourceOf(node);
  }

  value(node: YNode, what: string, mustBeSecret: boolean): unknown {
    return this.sources.value(node, what, mustBeSecret);
  }

  vars(node: YNode | undefined, what: string): Record<string, unknown> {
    if (node === undefined) return {};
    const m = this.r.expectMap(node, what);
    if (!m) return {};
    return this.value(m, what, false) as Record<string, unknown>;
  }

  conn(map: YMap, what: string): Conn {
    const out: Conn = {};
    for (const p of map.pairs) {
      const key = p.key as (typeof CONNECTION_KEYS)[number];
      if (!(CONNECTION_KEYS as readonly string[]).includes(key)) continue;
      if (key === 'cloudstack') {
        out.cloudstack = this.cloudstack(p.value, `${what} cloudstack`);
        continue;
      }
      const v = this.value(p.value, `${what} ${key}`, SECRET_FIELDS.has(key));
      // each setting is one value of its type: `address: [a, b]` must not become the host 'a,b'
      if (v !== undefined && !this.sources.sourceOf(p.value) && !checkConnValue(this.r, p.value, key, v, what)) continue;
      out[key] = v;
    }
    return out;
  }

  private cloudstack(node: YNode, what: string): CloudStackSettings | undefined {
    const m = this.r.expectMap(node, what);
    if (!m) return undefined;
    this.r.checkKeys(m, CLOUDSTACK_KEYS, what);
    const get = (k: string): unknown => {
      const n = this.r.get(m, k);
      return n === undefined ? undefined : this.value(n, `${what} ${k}`, SECRET_FIELDS.has(k));
    };
    const urlNode = this.r.get(m, 'url');
    const url = get('url');
    // a url from a secret source is only known when secrets are resolved (else a placeholder stands there)
    if (urlNode && !this.secretSource(urlNode) && url !== undefined) checkCloudStackUrl(this.r, urlNode, url, what);
    const ipNode = this.r.get(m, 'integration_port');
    const ip = get('integration_port');
    if (ip !== undefined && ipNode && (typeof ip !== 'number' || !Number.isInteger(ip) || ip < 1 || ip > 65535)) {
      this.r.problem(ipNode, typeof ip === 'number' && Number.isInteger(ip) ? 'bad-value' : 'wrong-type', `${what} integration_port must be a TCP port number (1 to 65535), not ${shownValue(ip)}`);
    }
    const sv = get('signature_version');
    const svNode = this.r.get(m, 'signature_version');
    if (sv !== undefined && sv !== 2 && sv !== 3 && svNode) this.r.problem(svNode, 'wrong-type', `${what} signature_version must be 2 or 3`);
    const settings: Record<string, unknown> = {
      url, apiKey: get('api_key'), secretKey: get('secret_key'), username: get('username'), password: get('password'),
      domain: get('domain'), integrationPort: ip, signatureVersion: sv, caFile: get('ca_file'), insecure: get('insecure'), via: get('via'),
    };
    for (const k of Object.keys(settings)) if (settings[k] === undefined) delete settings[k];
    if (typeof settings.caFile === 'string') settings.caFile = expandPath(settings.caFile, this.baseDir);
    return settings as CloudStackSettings;
  }
}
