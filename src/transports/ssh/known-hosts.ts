// known_hosts files in OpenSSH format: parsing, host matching (plain, wildcard, negated, hashed
// `|1|salt|hash`, `[host]:port`), the verdict for a presented key, and appending trusted keys.
// `@cert-authority` lines are ignored (ssh2 cannot verify host certificates); `@revoked` rejects.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KnownHostKeyRef } from './errors.js';

export interface KnownHostEntry {
  readonly file: string;
  /** 1-based line number in `file`. */
  readonly lineNumber: number;
  readonly marker: 'revoked' | 'cert-authority' | null;
  /** Raw host field: comma-separated patterns, or one `|1|salt|hash`. */
  readonly hosts: string;
  readonly keyType: string;
  readonly key: Buffer;
}

export type HostKeyVerdict =
  | { readonly status: 'known'; readonly entry: KnownHostEntry }
  | { readonly status: 'unknown'; readonly knownTypes: readonly string[] }
  | { readonly status: 'changed'; readonly expected: readonly KnownHostEntry[] }
  | { readonly status: 'revoked'; readonly entry: KnownHostEntry };

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // unknown marker: OpenSSH skips the line too
    }
    const [hosts, keyType, keyB64] = fields;
    if (hosts === undefined || keyType === undefined || keyB64 === undefined) return;
    const key = Buffer.from(keyB64, 'base64');
    if (key.length === 0) return;
    entries.push({ file, lineNumber: i + 1, marker, hosts, keyType, key });
  });
  return entries;
}

/** The name OpenSSH looks up: "host" on port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function wildcardToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(field: string, name: string): boolean {
  const parts = field.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1' || parts[2] === undefined || parts[3] === undefined) return false;
  const salt = Buffer.from(parts[2], 'base64');
  const want = Buffer.from(parts[3], 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** True if the entry's host field matches `name` (a knownHostsName): any positive pattern, no negated one. */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatches(hosts, name);
  let matched = false;
  for (const pat of hosts.split(',')) {
    if (pat === '') continue;
    const negated = pat.startsWith('!');
    const re = wildcardToRegExp(negated ? pat.slice(1) : pat);
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The key algorithm named inside an SSH public key blob (its first string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** "SHA256:…" exactly as `ssh-keygen -l` prints it (base64 without padding). */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function knownHostsLine(name: string, blob: Buffer): string {
  return `${name} ${keyTypeOf(blob)} ${blob.toString('base64')}`;
}

export function entryRef(e: KnownHostEntry): KnownHostKeyRef {
  return { file: e.file, lineNumber: e.lineNumber, keyType: e.keyType, fingerprint: fingerprintOf(e.key) };
}

/**
 * Verdict for a presented key. A key of the same type that differs is "changed"; so is a key of a
 * type not known for a host that does have keys of other types (the pool asks the server for the
 * known types first, so this means the server no longer offers them).
 */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, presented: Buffer): HostKeyVerdict {
  const matching = entries.filter((e) => e.marker !== 'cert-authority' && hostFieldMatches(e.hosts, name));
  const revoked = matching.find((e) => e.marker === 'revoked' && e.key.equals(presented));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = matching.filter((e) => e.marker === null);
  const same = plain.find((e) => e.key.equals(presented));
  if (same) return { status: 'known', entry: same };
  if (plain.length > 0) {
    const type = keyTypeOf(presented);
    const sameType = plain.filter((e) => e.keyType === type);
    return { status: 'changed', expected: sameType.length > 0 ? sameType : plain };
  }
  return { status: 'unknown', knownTypes: [] };
}

/** Key types known for `name`, in file order, for ordering the server-host-key algorithms. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types: string[] = [];
  for (const e of entries) {
    if (e.marker === null && !types.includes(e.keyType) && hostFieldMatches(e.hosts, name)) types.push(e.keyType);
  }
  return types;
}

export async function loadKnownHostsFile(file: string): Promise<KnownHostEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseKnownHosts(text, file);
}

// Appends are chained per file so concurrent trusts in one process never interleave partial lines.
const appendChains = new Map<string, Promise<void>>();

/** Append lines (creating the file 0600 and its directory 0700 if needed); skips lines already present. */
export async function appendKnownHosts(file: string, lines: readonly string[]): Promise<void> {
  const prev = appendChains.get(file) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(async () => {
    let existing = '';
    try {
      existing = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    }
    const have = new Set(existing.split(/\r?\n/).map((l) => l.trim()));
    const fresh = [...new Set(lines)].filter((l) => !have.has(l));
    if (fresh.length === 0) return;
    const sep = existing !== '' && !existing.endsWith('\n') ? '\n' : '';
    await appendFile(file, sep + fresh.join('\n') + '\n', { mode: 0o600 });
  });
  appendChains.set(file, next);
  try {
    await next;
  } finally {
    if (appendChains.get(file) === next) appendChains.delete(file);
  }
}
