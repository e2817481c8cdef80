// Shared shape of the test SSH servers (private OpenSSH sshd, or ssh2's in-process server) and a
// free-port helper, so tests are written once against either.
import { createServer } from 'node:net';
import type { TestKeys } from './ssh-keys.js';

export interface TestSshServer {
  readonly kind: 'openssh' | 'ssh2';
  readonly port: number;
  readonly addresses: readonly string[];
  /** Remote user the client keys are authorized for. */
  readonly user: string;
  readonly keys: TestKeys;
  /** Public key line of the host key the server presents. */
  readonly hostKeyPub: string;
  /** "[addr]:port ssh-ed25519 AAAA…" for known_hosts. */
  knownHostsLine(address?: string): string;
  /** Kill every open connection (and the commands running in it); the listener stays up. */
  dropConnections(): Promise<void>;
  /** Make every open connection go silent (no replies, TCP stays up); returns the function that resumes them. */
  suspendConnections(): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

export interface TestSshServerOptions {
  /** Loopback addresses to listen on. Default ["127.0.0.1"]. */
  readonly addresses?: readonly string[];
  readonly maxSessions?: number;
  /** Accept this password for `user` (ssh2 server only: we do not touch system accounts). */
  readonly password?: string;
  /** Which password-style methods the ssh2 server offers. Default both. */
  readonly passwordMethods?: ReadonlyArray<'password' | 'keyboard-interactive'>;
  readonly kind?: 'auto' | 'openssh' | 'ssh2';
  /** Present the alternative host key (for "changed key" tests). */
  readonly altHostKey?: boolean;
  /** Also offer the RSA host key (the ed25519 one stays first). */
  readonly withRsaHostKey?: boolean;
}

export async function freePort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, address, () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

