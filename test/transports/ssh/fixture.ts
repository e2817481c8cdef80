// Test fixture for the SSH transport: a temp HOME-like dir (never the real ~/.ssh), a known_hosts that
// trusts the test server, and a pool whose every path (config, known_hosts, agent, default keys) is
// injected from that dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSshPool, type SshHostSettings, type SshPool, type SshPoolOptions } from '../../../src/transports/ssh/index.js';
import type { RemoteTransport } from '../../../src/transports/types.js';
import { sshdAvailable, type TestSshServer } from '../../support/sshd.js';

export type HostTable = Record<string, Omit<SshHostSettings, 'name'>>;

export interface TempHome {
  readonly dir: string;
  readonly sshDir: string;
  readonly knownHosts: string;
  readonly sshConfig: string;
  remove(): void;
}

export async function tempHome(): Promise<TempHome> {
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-home-'));
  const sshDir = join(dir, '.ssh');
  await mkdir(sshDir, { mode: 0o700 });
  return {
    dir, sshDir, knownHosts: join(sshDir, 'known_hosts'), sshConfig: join(sshDir, 'config'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** known_hosts lines trusting `server` on each of its addresses. */
export async function trustServer(home: TempHome, server: TestSshServer, addresses = server.addresses): Promise<void> {
  await writeFile(home.knownHosts, addresses.map((a) => server.knownHostsLine(a)).join('\n') + '\n');
}

export function hostLookup(table: HostTable): (name: string) => SshHostSettings | undefined {
  return (name) => {
    const s = table[name];
    return s === undefined ? undefined : { name, ...s };
  };
}

/** Settings for `server` on `address` with the ed25519 client key. */
export function hostOn(server: TestSshServer, address = '127.0.0.1', extra: Omit<SshHostSettings, 'name'> = {}): Omit<SshHostSettings, 'name'> {
  return { address, port: server.port, user: server.user, keyFile: server.keys.ed25519.path, ...extra };
}

export function makePool(home: TempHome, table: HostTable, extra: Partial<SshPoolOptions> = {}): SshPool {
  return createSshPool({
    hosts: hostLookup(table),
    homeDir: home.dir,
    sshConfigPath: home.sshConfig,
    userKnownHosts: home.knownHosts,
    systemKnownHosts: null,
    agentSocket: null,
    defaultKeyFiles: [],
    localUser: 'nobody-local',
    ...extra,
  });
}

/** Server kinds to run a suite against: both when sshd is installed (or required by CI), else ssh2's. */
export function serverKinds(): Array<'openssh' | 'ssh2'> {
  return sshdAvailable() || process.env['CI'] === 'true' ? ['openssh', 'ssh2'] : ['ssh2'];
}

/**
 * Start a long command and wait until it is really running on the host (it printed a line), so a test
 * that then drops or closes the connection knows the command was in flight. Resolves to the exec's
 * `outcome`: null if it succeeded, else the error.
 */
export async function startRunning(t: RemoteTransport, command: string): Promise<{ readonly outcome: Promise<unknown> }> {
  let started: () => void = () => undefined;
  const ready = new Promise<void>((r) => { started = r; });
  const outcome = t.exec(`echo started; ${command}`, { onStdout: (c) => { if (c.includes('started')) started(); } })
    .then(() => null, (e: unknown) => e);
  await Promise.race([ready, outcome]);
  return { outcome }; // wrapped: an async function returning a promise would wait for it
}
