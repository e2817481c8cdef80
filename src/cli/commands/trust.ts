// `stackplay trust HOST...` on a terminal: the application layer collects the host keys and records the
// new ones; this file shows each host's fingerprint and what was recorded.

import { trust } from '../../app/trust.js';
import type { Inventory } from '../../inventory/types.js';
import type { Io } from '../output.js';

export async function trustCommand(io: Io, inventory: Inventory, names: readonly string[], file: string | undefined): Promise<number> {
  const { keys, file: target, recorded } = await trust(inventory, names, file);
  const s = io.style;
  let bad = 0;
  for (const k of keys) {
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
  io.out(`${recorded} new key(s) recorded in ${target}${bad ? s.red(`; ${bad} host(s) not trusted (see above)`) : ''}\n`);
  return bad > 0 ? 1 : 0;
}
