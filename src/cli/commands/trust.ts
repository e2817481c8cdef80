// `stackplay trust HOST...`: collect the host keys of several hosts at once, show their fingerprints,
// and record the new ones (a changed key is never recorded: it must be investigated first).

import os from 'node:os';
import { join } from 'node:path';
import type { Inventory } from '../../inventory/types.js';
import { sshSettingsLookup } from '../../runtime/services.js';
import type { Io } from '../output.js';

export async function trustCommand(io: Io, inventory: Inventory, names: readonly string[], file: string | undefined): Promise<number> {
  const { collectHostKeys, recordHostKeys } = await import('../../transports/ssh/index.js');
  const lookup = sshSettingsLookup(inventory);
  const settings = names.map((n) => {
    const fromInventory = lookup(n);
    if (fromInventory) return fromInventory;
    const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(n);
    return { name: n, address: m?.[2] ?? n, ...(m?.[3] ? { port: Number(m[3]) } : {}), ...(m?.[1] ? { user: m[1] } : {}) };
  });
  const target = file ?? inventory.projectKnownHosts ?? join(os.homedir(), '.ssh', 'known_hosts');
  const found = await collectHostKeys(settings, { hosts: lookup });
  const s = io.style;
  let bad = 0;
  for (const k of found) {
    if (k.status === 'error') {
      bad++;
      io.out(`  ${s.red('error  ')}  ${k.host}: ${k.error.message}\n`);
      continue;
    }
    const mark = { known: s.green('known  '), new: s.yellow('new    '), changed: s.red('CHANGED'), revoked: s.red('REVOKED') }[k.status];
    io.out(`  ${mark}  ${k.host} (${k.knownHostsName})  ${k.keyType}  ${k.fingerprint}\n`);
    if (k.status === 'changed' || k.status === 'revoked') {
      bad++;
      for (const e of k.expected) io.out(`           ${s.dim(`conflicts with ${JSON.stringify(e)}`)}\n`);
    }
  }
  const { recorded } = await recordHostKeys(target, found);
  io.out(`${recorded.length} new key(s) recorded in ${target}${bad ? s.red(`; ${bad} host(s) not trusted (see above)`) : ''}\n`);
  return bad > 0 ? 1 : 0;
}
