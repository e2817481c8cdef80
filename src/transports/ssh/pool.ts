// The per-run SSH pool: one lazily opened connection per host, shared by concurrent callers; jump hosts
// are pooled connections too, and a target's connection rides on a tunnel of its jump's. The engine
// creates it at run start and calls closeAll() in `finally`.
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TransportPool } from '../types.js';
import type { AuthSources } from './auth.js';
import { connectSession, type HandshakeDeps } from './connect.js';
import { SshConnection, type SshTransport } from './connection.js';
import { ForwardError, HostKeyError, SshSettingsError, UnreachableError } from './errors.js';
import type { SshEvent } from './events.js';
import { KnownHostsStore } from './host-key-policy.js';
import { preflight, type PreflightOutcome } from './preflight.js';
import { ProxyProcess } from './proxy-command.js';
import { resolveHost, type ResolveContext, type ResolvedHost, type SshHostSettings } from './settings.js';
import { loadSshConfig, SshConfigError } from './ssh-config.js';
import type { TunnelStream } from './tunnel.js';

/** What a connection runs over: a tunnel from its jump host, a ProxyCommand's pipes, or (both null) TCP. */
interface Carrier {
  readonly stream: Duplex | null;
  readonly proxy: ProxyProcess | null;
}

export interface SshPoolOptions {
  readonly hosts: (name: string) => SshHostSettings | undefined;
  /** Default ~/.ssh/config; null: read no ssh config. */
  readonly sshConfigPath?: string | null;
  /** Default ~/.ssh/known_hosts. */
  readonly userKnownHosts?: string;
  /** Default /etc/ssh/ssh_known_hosts; null: none. */
  readonly systemKnownHosts?: string | null;
  /** Trust unknown host keys, appending them to `newHostKeysFile`. Changed keys are never trusted. */
  readonly acceptNewHostKeys?: boolean;
  /** Where accepted keys go. Default: `userKnownHosts`. */
  readonly newHostKeysFile?: string;
  /** Default: process.env.SSH_AUTH_SOCK; null: no agent. */
  readonly agentSocket?: string | null;
  /** Home directory for `~`, %d and the default keys/files. Default os.homedir(). */
  readonly homeDir?: string;
  /** Default remote user when neither inventory nor ssh config names one. Default: the local user. */
  readonly localUser?: string;
  /** Default ~/.ssh/id_ed25519, id_rsa, id_ecdsa (tried only for hosts without a configured key). */
  readonly defaultKeyFiles?: readonly string[];
  /** Session channels (execs + the sftp subsystem) open at once per connection. Default 8 (sshd allows 10). */
  readonly maxChannelsPerHost?: number;
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
  /** Default for hosts without connectTimeoutMs / ConnectTimeout. Default 10 s. */
  readonly connectTimeoutMs?: number;
  readonly onEvent?: (e: SshEvent) => void;
  /** Passwords and passphrases are registered here so every output path masks them. */
  readonly secrets?: { add(value: string): void };
  /** Clock for event durations. */
  readonly now?: () => number;
  /** How many hosts preflightHostKeys connects to at once. Default 32. */
  readonly preflightConcurrency?: number;
  /** Shell that runs ProxyCommand (`SHELL -c "exec …"`). Default $SHELL, else /bin/sh, as ssh does. */
  readonly proxyShell?: string;
}

export interface SshPool extends TransportPool {
  get(hostName: string): Promise<SshTransport>;
  /**
   * Connect to every host (jump hosts included) before a run; throws HostKeyPreflightError listing every
   * unknown/changed/revoked key at once. Other failures are returned per host, not thrown.
   */
  preflightHostKeys(hostNames: readonly string[]): Promise<PreflightOutcome[]>;
}

interface Entry {
  readonly host: ResolvedHost;
  readonly promise: Promise<SshConnection>;
  conn?: SshConnection;
}

export class SshPoolImpl implements SshPool {
  private readonly entries = new Map<string, Entry>();
  private contextP: Promise<ResolveContext> | null = null;
  private closedFlag = false;
  private readonly registered = new Set<string>(); // secrets already handed to the masker
  private readonly proxies = new Set<ProxyProcess>(); // ProxyCommands not yet exited: closeAll waits for them
  readonly store: KnownHostsStore;
  readonly homeDir: string;
  private readonly userKnownHosts: string;

  constructor(private readonly o: SshPoolOptions) {
    this.homeDir = o.homeDir ?? homedir();
    this.userKnownHosts = o.userKnownHosts ?? join(this.homeDir, '.ssh', 'known_hosts');
    const system = o.systemKnownHosts === undefined ? '/etc/ssh/ssh_known_hosts' : o.systemKnownHosts;
    this.store = new KnownHostsStore(system === null ? [this.userKnownHosts] : [this.userKnownHosts, system]);
  }

  private now(): number {
    return this.o.now ? this.o.now() : performance.now();
  }

  private emit(e: SshEvent): void {
    try {
      this.o.onEvent?.(e);
    } catch {
      // A faulty sink must not break connections.
    }
  }

  /** Built once per pool: every step on every host resolves its host through it (userInfo() reads the passwd database). */
  resolveContext(): Promise<ResolveContext> {
    this.contextP ??= (async () => {
      const path = this.o.sshConfigPath === undefined ? join(this.homeDir, '.ssh', 'config') : this.o.sshConfigPath;
      const localUser = this.o.localUser ?? userInfo().username;
      // ssh checks the owner and mode of ~/.ssh/config itself, not of a file given with -F.
      const sshConfig = await loadSshConfig(path, { home: this.homeDir, localUser, checkPerms: this.o.sshConfigPath === undefined });
      return {
        hosts: this.o.hosts, sshConfig, homeDir: this.homeDir, localUser, defaultConnectTimeoutMs: this.o.connectTimeoutMs ?? 10_000,
      };
    })();
    return this.contextP;
  }

  handshakeDeps(): HandshakeDeps {
    const agentSocket = this.o.agentSocket === undefined ? process.env['SSH_AUTH_SOCK'] ?? null : this.o.agentSocket;
    const authSources: AuthSources = {
      agentSocket,
      defaultKeyFiles: this.o.defaultKeyFiles ?? ['id_ed25519', 'id_rsa', 'id_ecdsa'].map((f) => join(this.homeDir, '.ssh', f)),
    };
    return {
      store: this.store,
      acceptNewInto: this.o.acceptNewHostKeys ? this.o.newHostKeysFile ?? this.userKnownHosts : null,
      authSources,
      keepaliveIntervalMs: this.o.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: this.o.keepaliveCountMax ?? 3,
      onHostKeyAccepted: (p, file) => this.emit({
        type: 'host-key-accepted', host: p.knownHostsName, keyType: p.keyType, fingerprint: p.fingerprint, file,
      }),
    };
  }

  async resolve(name: string): Promise<ResolvedHost> {
    let ctx: ResolveContext;
    try {
      ctx = await this.resolveContext();
    } catch (err) {
      if (err instanceof SshConfigError) throw new SshSettingsError(name, `cannot use the ssh config: ${err.message}`, { cause: err });
      throw err;
    }
    const host = resolveHost(name, ctx);
    for (let h: ResolvedHost | null = host; h; h = h.jump) {
      for (const v of [h.password, h.passphrase]) {
        if (v === undefined || this.registered.has(v)) continue;
        this.registered.add(v);
        this.o.secrets?.add(v);
      }
    }
    return host;
  }

  async get(hostName: string): Promise<SshTransport> {
    if (this.closedFlag) throw new UnreachableError(hostName, 'closed', `the SSH pool is closed (after the run); cannot connect to ${hostName}`);
    return this.connection(await this.resolve(hostName));
  }

  connection(host: ResolvedHost): Promise<SshConnection> {
    const existing = this.entries.get(host.id);
    if (existing && (!existing.conn || existing.conn.alive)) return existing.promise;
    const promise = this.open(host);
    const entry: Entry = { host, promise };
    this.entries.set(host.id, entry);
    promise.then((conn) => { entry.conn = conn; }, () => {
      if (this.entries.get(host.id) === entry) this.entries.delete(host.id);
    });
    return promise;
  }

  /** A stream to `target` through its jump host's pooled connection. */
  async tunnelTo(target: ResolvedHost, jump: ResolvedHost): Promise<TunnelStream> {
    let jumpConn: SshConnection;
    try {
      jumpConn = await this.connection(jump);
    } catch (err) {
      if (err instanceof HostKeyError) throw err; // preflight and trust report jump host keys as such
      throw new UnreachableError(target.name, 'jump',
        `cannot reach ${target.name}: jump host ${jump.name} failed: ${(err as Error).message}`, { cause: err });
    }
    try {
      return await jumpConn.forwardOut(target.address, target.port);
    } catch (err) {
      const why = err instanceof ForwardError ? (err.cause as Error | undefined)?.message ?? err.message : (err as Error).message;
      throw new UnreachableError(target.name, 'jump',
        `cannot reach ${target.address}:${target.port} through ${jump.name}: ${why}`, { cause: err });
    }
  }

  /** Start what `host`'s connection runs over. A started ProxyCommand must be stopped by the caller. */
  async carrier(host: ResolvedHost): Promise<Carrier> {
    if (host.jump) return { stream: await this.tunnelTo(host, host.jump), proxy: null };
    if (host.proxyCommand !== null) {
      const proxy = new ProxyProcess(host.proxyCommand, host.name, this.o.proxyShell);
      this.proxies.add(proxy);
      void proxy.exited.then(() => this.proxies.delete(proxy));
      return { stream: proxy.stream, proxy };
    }
    return { stream: null, proxy: null };
  }

  private async open(host: ResolvedHost): Promise<SshConnection> {
    const carrier = await this.carrier(host);
    const t0 = this.now();
    this.emit({
      type: 'connect-start', host: host.name, address: host.address, port: host.port, via: host.jump?.name ?? null,
      ...(host.proxyCommand !== null ? { proxyCommand: host.proxyCommand } : {}),
    });
    try {
      let c;
      try {
        c = await connectSession(host, carrier.stream, this.handshakeDeps());
      } catch (err) {
        throw carrier.proxy ? await carrier.proxy.explain(err) : err;
      }
      const conn = new SshConnection(host, c.client, c.socket, c.presented, this.o.maxChannelsPerHost ?? 8, (gone, reason) => {
        const e = this.entries.get(host.id);
        if (e?.conn === gone) this.entries.delete(host.id);
        this.emit({ type: 'disconnect', host: host.name, reason });
      }, carrier.proxy);
      if (this.closedFlag) { // closeAll ran while we were connecting
        conn.destroy();
        await carrier.proxy?.stop();
        throw new UnreachableError(host.name, 'closed', `the SSH pool was closed while connecting to ${host.name}`);
      }
      this.emit({ type: 'connect-end', host: host.name, ok: true, durationMs: this.now() - t0 });
      return conn;
    } catch (err) {
      this.emit({ type: 'connect-end', host: host.name, ok: false, durationMs: this.now() - t0, error: err as Error });
      throw err;
    }
  }

  preflightHostKeys(hostNames: readonly string[]): Promise<PreflightOutcome[]> {
    return preflight(hostNames, (n) => this.get(n), this.o.preflightConcurrency ?? 32);
  }

  /** Close targets before their jump hosts, then wait for every ProxyCommand to exit; waits for connects in flight. Idempotent. */
  async closeAll(): Promise<void> {
    this.closedFlag = true;
    const entries = [...this.entries.values()];
    await Promise.allSettled(entries.map((e) => e.promise));
    const depth = (h: ResolvedHost): number => (h.jump ? 1 + depth(h.jump) : 0);
    const byDepth = new Map<number, SshConnection[]>();
    for (const e of entries) {
      if (!e.conn) continue;
      const d = depth(e.host);
      byDepth.set(d, [...(byDepth.get(d) ?? []), e.conn]);
    }
    for (const d of [...byDepth.keys()].sort((a, b) => b - a)) {
      await Promise.all((byDepth.get(d) ?? []).map((c) => c.close()));
    }
    this.entries.clear();
    // Proxies of connections that dropped earlier are being stopped already; none may outlive the pool.
    await Promise.all([...this.proxies].map((p) => p.stop()));
  }
}

export function createSshPool(options: SshPoolOptions): SshPool {
  return new SshPoolImpl(options);
}
