// SSH keys of the lab: one host key shared by all emulated hosts and one client key for root, both
// ed25519, created on first use and reused from the state directory afterwards (so known_hosts stays
// valid across lab restarts).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';

export interface LabKeys {
  readonly hostPrivate: string;
  /** `ssh-ed25519 AAAA…` */
  readonly hostPublic: string;
  readonly clientPrivatePath: string;
  readonly clientPublic: string;
  /** Wire blob of the client public key, for comparison during auth. */
  readonly clientBlob: Buffer;
  readonly fingerprint: string;
}

function loadOrCreate(priv: string, pub: string, comment: string): { private: string; public: string } {
  if (fs.existsSync(priv) && fs.existsSync(pub)) {
    return { private: fs.readFileSync(priv, 'utf8'), public: fs.readFileSync(pub, 'utf8').trim() };
  }
  // ssh2 now and then (about 1 in 200) writes a public key it cannot parse back: generate again
  let k = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  for (let i = 0; i < 10 && (ssh2.utils.parseKey(k.public) instanceof Error || ssh2.utils.parseKey(k.private) instanceof Error); i++) {
    k = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  }
  if (ssh2.utils.parseKey(k.public) instanceof Error || ssh2.utils.parseKey(k.private) instanceof Error) {
    throw new Error('could not generate a usable ed25519 key pair for the lab (ssh2 wrote unparsable keys 11 times)');
  }
  fs.writeFileSync(priv, k.private, { mode: 0o600 });
  fs.writeFileSync(pub, k.public.trim() + '\n', { mode: 0o644 });
  return { private: k.private, public: k.public.trim() };
}

/** `SHA256:<base64 without padding>` of the key blob, as ssh-keygen -l prints it. */
export function fingerprintOf(publicLine: string): string {
  const blob = Buffer.from(publicLine.split(/\s+/)[1] ?? '', 'base64');
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export function labKeys(stateDir: string): LabKeys {
  const host = loadOrCreate(path.join(stateDir, 'ssh_host_ed25519_key'), path.join(stateDir, 'ssh_host_ed25519_key.pub'), 'stackplay-lab-host');
  const clientPrivatePath = path.join(stateDir, 'id_ed25519');
  const client = loadOrCreate(clientPrivatePath, `${clientPrivatePath}.pub`, 'stackplay-lab-root');
  const hostPublic = host.public.split(/\s+/).slice(0, 2).join(' ');
  return {
    hostPrivate: host.private, hostPublic, clientPrivatePath,
    clientPublic: client.public, clientBlob: Buffer.from(client.public.split(/\s+/)[1] ?? '', 'base64'),
    fingerprint: fingerprintOf(hostPublic),
  };
}
