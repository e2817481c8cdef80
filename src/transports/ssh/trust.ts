// `stackplay trust HOST...`: scan many hosts' keys in parallel (no authentication needed, except on jump
// hosts, which must already be trusted), report each as known/new/changed/revoked, and record only new
// ones. A changed key is never recorded: the user must delete the old line first.
import { scanHostKey } from './connect.js';
import { appendKnownHosts, entryRef } from './known-hosts.js';
import type { KnownHostKeyRef, PresentedHostKey } from './errors.js';
import { SshPoolImpl, type SshPoolOptions } from './pool.js';
import type { SshHostSettings } from './settings.js';

export type CollectedHostKey =
  | (PresentedHostKey & {
    readonly status: 'known' | 'new' | 'changed' | 'revoked';
    readonly host: string;
    /** For changed/revoked: the known_hosts lines it conflicts with. */
    readonly expected: readonly KnownHostKeyRef[];
  })
  | { readonly status: 'error'; readonly host: string; readonly error: Error };

export interface CollectOptions extends Omit<SshPoolOptions, 'hosts' | 'acceptNewHostKeys' | 'newHostKeysFile'> {
  /** Lookup for jump hosts named by the settings but not in the list. */
  readonly hosts?: (name: string) => SshHostSettings | undefined;
  /** Hosts scanned at once. Default 32. */
  readonly concurrency?: number;
}

export async function collectHostKeys(settingsList: readonly SshHostSettings[], options: CollectOptions = {}): Promise<CollectedHostKey[]> {
  const byName = new Map(settingsList.map((s) => [s.name, s]));
  const pool = new SshPoolImpl({ ...options, hosts: (n) => byName.get(n) ?? options.hosts?.(n), acceptNewHostKeys: false });
  const scanOne = async (s: SshHostSettings): Promise<CollectedHostKey> => {
    try {
      const host = await pool.resolve(s.name);
      const { stream, proxy } = await pool.carrier(host);
      let scanned;
      try {
        scanned = await scanHostKey(host, stream, pool.handshakeDeps());
      } catch (err) {
        throw proxy ? await proxy.explain(err) : err;
      } finally {
        await proxy?.stop();
      }
      const { presented: p, verdict: v } = scanned;
      const status = v.status === 'unknown' ? 'new' : v.status;
      const expected = v.status === 'changed' ? v.expected.map(entryRef) : v.status === 'revoked' ? [entryRef(v.entry)] : [];
      return {
        status, host: s.name, address: p.address, port: p.port, knownHostsName: p.knownHostsName,
        keyType: p.keyType, fingerprint: p.fingerprint, line: p.line, expected,
      };
    } catch (error) {
      return { status: 'error', host: s.name, error: error as Error };
    }
  };
  try {
    const out: CollectedHostKey[] = [];
    const limit = Math.max(1, options.concurrency ?? 32);
    for (let i = 0; i < settingsList.length; i += limit) {
      out.push(...await Promise.all(settingsList.slice(i, i + limit).map(scanOne)));
    }
    return out;
  } finally {
    await pool.closeAll();
  }
}

/** Append the keys of `new` entries to `file`; known ones are already trusted, changed/revoked/error are skipped. */
export async function recordHostKeys(file: string, entries: readonly CollectedHostKey[]):
  Promise<{ readonly recorded: readonly CollectedHostKey[]; readonly skipped: readonly CollectedHostKey[] }> {
  const recorded = entries.filter((e) => e.status === 'new');
  const skipped = entries.filter((e) => e.status !== 'new' && e.status !== 'known');
  await appendKnownHosts(file, recorded.map((e) => (e.status === 'new' ? e.line : '')));
  return { recorded, skipped };
}
