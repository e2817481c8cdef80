// Opens one SSH connection: TCP (with Nagle off) or a tunnel stream from a jump host, host-key check
// against known_hosts, authentication, and a single deadline over all of it. Also the key-scan variant
// used by `stackplay trust` and preflight: handshake (signature verified), then hang up before auth.
import { connect as tcpConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client as ClientType, ConnectConfig } from 'ssh2';
import { authAttempts, authHandler, type AuthSources } from './auth.js';
import { AuthError, SshError, SshSettingsError, UnreachableError, type PresentedHostKey } from './errors.js';
import { hostKeyAlgorithms, presentedKey, verdictError, verdictFor, type KnownHostsStore } from './host-key-policy.js';
import type { HostKeyVerdict } from './known-hosts.js';
import type { ResolvedHost } from './settings.js';

const { Client } = ssh2;

export interface HandshakeDeps {
  readonly store: KnownHostsStore;
  /** Where to append unknown keys, or null to reject them. */
  readonly acceptNewInto: string | null;
  readonly authSources: AuthSources;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
  readonly onHostKeyAccepted?: (presented: PresentedHostKey, file: string) => void;
}

interface Connected {
  readonly client: ClientType;
  /** The TCP socket (null when tunnelled through a jump host). */
  readonly socket: Socket | null;
  readonly presented: PresentedHostKey;
}

interface Scanned {
  readonly presented: PresentedHostKey;
  readonly verdict: HostKeyVerdict;
}

function describe(host: ResolvedHost): string {
  const via = host.jump ? ` via ${host.jump.name}` : host.proxyCommand !== null ? ' via ProxyCommand' : '';
  return `${host.name} (${host.address}:${host.port}${via})`;
}

/** Map a library/socket error seen before `ready` to a typed error. */
function classify(host: ResolvedHost, err: Error & { level?: string; code?: unknown }, tried: readonly string[]): SshError {
  if (err instanceof SshError) return err;
  const where = describe(host);
  if (err.level === 'client-authentication') return new AuthError(host.name, host.user, tried, undefined, { cause: err });
  const code = typeof err.code === 'string' ? err.code : '';
  if (code === 'ECONNREFUSED') return new UnreachableError(host.name, 'refused', `cannot connect to ${where}: connection refused`, { cause: err });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new UnreachableError(host.name, 'dns', `cannot connect to ${where}: cannot resolve ${host.address}`, { cause: err });
  if (code === 'ETIMEDOUT') return new UnreachableError(host.name, 'timeout', `cannot connect to ${where}: timed out`, { cause: err });
  if (code === 'ECONNRESET' || code === 'EPIPE') return new UnreachableError(host.name, 'dropped', `connection to ${where} was reset during the handshake`, { cause: err });
  return new UnreachableError(host.name, 'other', `cannot connect to ${where}: ${err.message}`, { cause: err });
}

type Mode = 'session' | 'scan';

function handshake(host: ResolvedHost, tunnel: Duplex | null, deps: HandshakeDeps, mode: 'session'): Promise<Connected>;
function handshake(host: ResolvedHost, tunnel: Duplex | null, deps: HandshakeDeps, mode: 'scan'): Promise<Scanned>;
async function handshake(host: ResolvedHost, tunnel: Duplex | null, deps: HandshakeDeps, mode: Mode): Promise<Connected | Scanned> {
  const entries = await deps.store.entriesFor(host);
  const attempts = mode === 'session' ? await authAttempts(host, deps.authSources) : [];
  const tried: string[] = [];
  return new Promise((resolve, reject) => {
    const client = new Client();
    let socket: Socket | null = null;
    let settled = false;
    let failure: SshError | null = null;
    let presented: PresentedHostKey | null = null;
    let verdict: HostKeyVerdict | null = null;
    let recording: Promise<void> | null = null;
    let pendingLine: string | null = null;

    const fail = (err: SshError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
      client.destroy();
      tunnel?.destroy();
    };
    const timer = setTimeout(() => {
      failure ??= new UnreachableError(host.name, 'timeout', `cannot connect to ${describe(host)}: no answer within ${host.connectTimeoutMs} ms`);
      fail(failure);
    }, host.connectTimeoutMs);

    client.on('error', (err: Error & { level?: string }) => {
      if (!settled) fail(failure ?? classify(host, err, tried));
    });
    client.on('close', () => {
      if (!settled) fail(failure ?? new UnreachableError(host.name, 'closed', `connection to ${describe(host)} closed during the handshake`));
    });
    client.on('handshake', () => {
      if (settled || presented === null || verdict === null) return;
      if (mode === 'scan') {
        settled = true;
        clearTimeout(timer);
        resolve({ presented, verdict });
        client.end();
        return;
      }
      if (pendingLine !== null && deps.acceptNewInto !== null) {
        const file = deps.acceptNewInto;
        const p = presented;
        recording = deps.store.record(file, [pendingLine]).then(
          () => deps.onHostKeyAccepted?.(p, file),
          (err: unknown) => {
            throw new SshSettingsError(host.name, `cannot record the host key of ${host.name} in ${file}: ${(err as Error).message}`, { cause: err });
          });
        recording.catch(() => undefined); // awaited on ready; avoid an unhandled rejection meanwhile
        pendingLine = null;
      }
    });
    client.on('ready', () => {
      if (settled || presented === null) return;
      const p = presented;
      void (recording ?? Promise.resolve()).then(() => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ client, socket, presented: p });
      }, (err: unknown) => fail(err as SshError));
    });

    const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
      const v = verdictFor(entries, host, key);
      const p = presentedKey(host, key);
      // A re-key must present the same key as the first exchange.
      if (presented !== null && p.fingerprint !== presented.fingerprint) {
        failure = new UnreachableError(host.name, 'other', `${describe(host)} presented a different host key during re-key`);
        verify(false);
        return;
      }
      presented = p;
      verdict = v;
      if (mode === 'scan' || v.status === 'known') return verify(true);
      if (v.status === 'unknown' && deps.acceptNewInto !== null) {
        pendingLine = p.line;
        return verify(true);
      }
      failure = verdictError(host, v, p);
      verify(false);
    };

    if (tunnel === null) {
      socket = tcpConnect({ host: host.address, port: host.port });
      // ssh2 leaves Nagle on; with it every small request waits for a delayed ACK (~40 ms per exec).
      socket.setNoDelay(true);
    }
    const algos = hostKeyAlgorithms(entries, host);
    const config: ConnectConfig = {
      sock: socket ?? tunnel ?? undefined,
      username: host.user,
      hostVerifier,
      readyTimeout: 0, // our own timer covers TCP connect, handshake and auth together
      keepaliveInterval: deps.keepaliveIntervalMs,
      keepaliveCountMax: deps.keepaliveCountMax,
      authHandler: (mode === 'session' ? authHandler(attempts, tried) : (_a: unknown, _b: unknown, next: (m: false) => void) => next(false)) as unknown as ConnectConfig['authHandler'],
      ...(algos ? { algorithms: { serverHostKey: algos as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } } : {}),
    };
    // A tunnel or ProxyCommand that closed while we read known_hosts and keys emitted 'close' before
    // ssh2 could listen: without this check the handshake would wait for the timer.
    if (tunnel?.destroyed) {
      fail(new UnreachableError(host.name, 'closed', `connection to ${describe(host)} closed before the handshake`));
      return;
    }
    try {
      client.connect(config);
    } catch (err) {
      fail(classify(host, err as Error, tried));
    }
  });
}

export function connectSession(host: ResolvedHost, tunnel: Duplex | null, deps: HandshakeDeps): Promise<Connected> {
  return handshake(host, tunnel, deps, 'session');
}

/** Learn the host's key and its verdict without authenticating (like ssh-keyscan, signature checked). */
export function scanHostKey(host: ResolvedHost, tunnel: Duplex | null, deps: HandshakeDeps): Promise<Scanned> {
  return handshake(host, tunnel, { ...deps, acceptNewInto: null }, 'scan');
}
