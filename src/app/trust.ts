// `trust`: collect the SSH host keys of several hosts at once and record the new ones (a changed or
// revoked key is never recorded: it must be investigated first). Hosts are inventory names, or
// [user@]host[:port].

import os from 'node:os';
import { join } from 'node:path';
import type { Inventory } from '../inventory/types.js';
import { sshSettingsLookup } from '../runtime/services.js';
import type { CollectedHostKey } from '../transports/ssh/index.js';

export interface TrustResult {
  readonly keys: readonly CollectedHostKey[];
  /** The known_hosts file written. */
  readonly file: string;
  readonly recorded: number;
}

export async function trust(inventory: Inventory, names: readonly string[], knownHosts?: string): Promise<TrustResult> {
  const { collectHostKeys, recordHostKeys } = await import('../transports/ssh/index.js');
  const lookup = sshSettingsLookup(inventory);
  const settings = names.map((n) => {
    const fromInventory = lookup(n);
    if (fromInventory) return fromInventory;
    const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(n);
    return { name: n, address: m?.[2] ?? n, ...(m?.[3] ? { port: Number(m[3]) } : {}), ...(m?.[1] ? { user: m[1] } : {}) };
  });
  const file = knownHosts ?? inventory.projectKnownHosts ?? join(os.homedir(), '.ssh', 'known_hosts');
  const keys = await collectHostKeys(settings, { hosts: lookup });
  const { recorded } = await recordHostKeys(file, keys);
  return { keys, file, recorded: recorded.length };
}
