// Host-key policy of a pool: which known_hosts files count (user, system, per-host project files),
// cached per run, and how a verdict becomes a typed error. Never prompts; new keys are trusted only
// when the caller asked for it (acceptNewHostKeys) and are then appended to one chosen file.
import {
  appendKnownHosts, checkHostKey, entryRef, fingerprintOf, keyTypeOf, knownHostsLine, knownKeyTypes,
  loadKnownHostsFile, type HostKeyVerdict, type KnownHostEntry,
} from './known-hosts.js';
import {
  HostKeyChangedError, HostKeyRevokedError, HostKeyUnknownError, type HostKeyError, type PresentedHostKey,
} from './errors.js';
import type { ResolvedHost } from './settings.js';

export class KnownHostsStore {
  private readonly cache = new Map<string, Promise<KnownHostEntry[]>>();

  /** `baseFiles`: the user's (and system) known_hosts, consulted for every host. */
  constructor(readonly baseFiles: readonly string[]) {}

  async entriesFor(host: ResolvedHost): Promise<KnownHostEntry[]> {
    const files = [...new Set([...this.baseFiles, ...host.knownHostsFiles])];
    const lists = await Promise.all(files.map((f) => this.load(f)));
    return lists.flat();
  }

  private load(file: string): Promise<KnownHostEntry[]> {
    let p = this.cache.get(file);
    if (!p) {
      p = loadKnownHostsFile(file);
      this.cache.set(file, p);
      p.catch(() => this.cache.delete(file));
    }
    return p;
  }

  async record(file: string, lines: readonly string[]): Promise<void> {
    await appendKnownHosts(file, lines);
    this.cache.delete(file);
  }
}

export function presentedKey(host: ResolvedHost, blob: Buffer): PresentedHostKey {
  return {
    address: host.address, port: host.port, knownHostsName: host.knownHostsName,
    keyType: keyTypeOf(blob), fingerprint: fingerprintOf(blob), line: knownHostsLine(host.knownHostsName, blob),
  };
}

export function verdictError(host: ResolvedHost, verdict: HostKeyVerdict, presented: PresentedHostKey): HostKeyError | null {
  switch (verdict.status) {
    case 'known': return null;
    case 'unknown': return new HostKeyUnknownError(host.name, presented);
    case 'changed': return new HostKeyChangedError(host.name, presented, verdict.expected.map(entryRef));
    case 'revoked': return new HostKeyRevokedError(host.name, presented, entryRef(verdict.entry));
  }
}

export function verdictFor(entries: readonly KnownHostEntry[], host: ResolvedHost, blob: Buffer): HostKeyVerdict {
  return checkHostKey(entries, host.knownHostsName, blob);
}

// ssh2's default server-host-key preference; known key types are moved to the front so a host we
// know by its RSA key is not reported as "changed" just because it also has an Ed25519 key.
const DEFAULT_HOST_KEY_ALGOS = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
];

export function hostKeyAlgorithms(entries: readonly KnownHostEntry[], host: ResolvedHost): string[] | undefined {
  const types = knownKeyTypes(entries, host.knownHostsName);
  if (types.length === 0) return undefined;
  const first: string[] = [];
  for (const t of types) {
    const algos = t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t];
    for (const a of algos) if (DEFAULT_HOST_KEY_ALGOS.includes(a) && !first.includes(a)) first.push(a);
  }
  return [...first, ...DEFAULT_HOST_KEY_ALGOS.filter((a) => !first.includes(a))];
}
