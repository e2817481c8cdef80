// Per-run services behind the StepContext: the SSH pool (loaded only when a step needs SSH), the
// local transport for the implicit localhost, tunnels for `via:`, CloudStack clients per
// management-server host, and dead-man timers on hosts. Everything opened here is closed when the run
// ends, whatever happened.

import type { Duplex } from 'node:stream';
import type { CloudStackClient, CloudStackEvent } from '../cloudstack/types.js';
import type { Inventory } from '../inventory/types.js';
import type { SecretRegistry } from '../secrets/masker.js';
import type { DeadmanTimer, RunServices, ServiceAnswer, StepServices } from '../steps/types.js';
import { LocalTransport } from '../transports/local.js';
import type { RemoteTransport } from '../transports/types.js';
import type { SshEvent, SshHostSettings, SshPool } from '../transports/ssh/index.js';
import type { TransportEvent, TransportListener } from '../transports/events.js';
import { armTimer, disarmTimer } from './deadman.js';

interface ServiceOptions {
  readonly inventory: Inventory;
  readonly secrets: SecretRegistry;
  readonly acceptNewHostKeys?: boolean;
  /** Tests point these at a temp dir so the real ~/.ssh is never touched. */
  readonly sshConfigPath?: string | null;
  readonly userKnownHosts?: string;
  readonly homeDir?: string;
  readonly cloudstackFactory?: CloudStackFactory;
  readonly record?: RunServices['record'];
  /** Resume: job ids the interrupted run submitted, by key. */
  readonly priorJobs?: ReadonlyMap<string, string>;
  /** The operator's terminal, when there is one (the CLI's); absent: nobody can answer a question. */
  readonly ask?: (question: string, signal: AbortSignal) => Promise<string | null>;
}

/** What a CloudStack client factory gets from the run: the services (tunnels), the inventory, the secrets, and where its events go. */
interface CloudStackRun {
  readonly services: StepServices;
  readonly inventory: Inventory;
  readonly secrets: SecretRegistry;
  readonly onEvent?: (event: CloudStackEvent) => void;
}

export type CloudStackFactory = (hostName: string, mode: 'signed' | 'integration', run: CloudStackRun) => Promise<CloudStackClient>;

/** Inventory host → SSH connection settings (hosts not in the inventory fall back to ~/.ssh/config). */
export function sshSettingsLookup(inv: Inventory): (name: string) => SshHostSettings | undefined {
  return (name) => {
    const h = inv.hosts.get(name);
    if (!h) return undefined;
    const known = [h.knownHosts, inv.projectKnownHosts].filter((x): x is string => x !== undefined);
    return {
      name, ...(h.address ? { address: h.address } : {}), ...(h.port ? { port: h.port } : {}), ...(h.user ? { user: h.user } : {}),
      ...(h.keyFile ? { keyFile: h.keyFile } : {}), ...(h.passphrase ? { passphrase: h.passphrase } : {}),
      ...(h.password ? { password: h.password } : {}), ...(h.jump ? { jump: h.jump } : {}), knownHostsFiles: known,
    };
  };
}

export class DefaultRunServices implements RunServices {
  private pool: Promise<SshPool> | null = null;
  private readonly local = new LocalTransport();
  private readonly clients = new Map<string, Promise<CloudStackClient>>();
  private readonly listeners = new Set<TransportListener>();
  /** Hosts the run had an SSH connection to: a new connection to one of them is a reconnect. */
  private readonly connected = new Set<string>();

  constructor(private readonly o: ServiceOptions) {}

  observe(listener: TransportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private forward(host: string, event: TransportEvent | undefined): void {
    if (event === undefined) return;
    for (const l of this.listeners) l(host, event);
  }

  private onSsh = (e: SshEvent): void => {
    if (this.listeners.size > 0) this.forward(e.host, sshEvent(e, this.connected.has(e.host)));
    if (e.type === 'connect-end' && e.ok) this.connected.add(e.host);
  };

  sshPool(): Promise<SshPool> {
    if (this.pool === null) {
      const inv = this.o.inventory;
      this.pool = import('../transports/ssh/index.js').then(({ createSshPool }) =>
        createSshPool({
          hosts: sshSettingsLookup(inv),
          secrets: this.o.secrets,
          ...(this.o.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}),
          ...(this.o.sshConfigPath !== undefined ? { sshConfigPath: this.o.sshConfigPath } : {}),
          ...(this.o.userKnownHosts !== undefined ? { userKnownHosts: this.o.userKnownHosts } : {}),
          ...(this.o.homeDir !== undefined ? { homeDir: this.o.homeDir } : {}),
          onEvent: this.onSsh,
        }),
      );
    }
    return this.pool;
  }

  async ssh(hostName: string): Promise<RemoteTransport> {
    const h = this.o.inventory.hosts.get(hostName);
    if (h?.connection === 'local') return this.local;
    return (await this.sshPool()).get(hostName);
  }

  async connectVia(viaHost: string, host: string, port: number): Promise<Duplex> {
    return (await this.ssh(viaHost)).forwardOut(host, port);
  }

  cloudstack(hostName: string, mode: 'signed' | 'integration' = 'signed'): Promise<CloudStackClient> {
    const key = `${hostName}/${mode}`;
    let c = this.clients.get(key);
    if (!c) {
      if (!this.o.cloudstackFactory) return Promise.reject(new Error('no CloudStack client is configured for this run'));
      const onEvent = (e: CloudStackEvent): void => {
        if (this.listeners.size > 0) this.forward(hostName, apiEvent(e));
      };
      c = this.o.cloudstackFactory(hostName, mode, { services: this, inventory: this.o.inventory, secrets: this.o.secrets, onEvent });
      this.clients.set(key, c);
    }
    return c;
  }

  record(kind: 'job' | 'change', data: Readonly<Record<string, unknown>>): void {
    this.o.record?.(kind, data);
  }

  priorJob(key: string): string | undefined {
    return this.o.priorJobs?.get(key);
  }

  async ask(question: string, signal: AbortSignal): Promise<string | null> {
    return this.o.ask ? this.o.ask(question, signal) : null;
  }

  async armDeadman(hostName: string, timer: DeadmanTimer): Promise<ServiceAnswer> {
    return armTimer(await this.ssh(hostName), timer);
  }

  async disarmDeadman(hostName: string, unit: string): Promise<ServiceAnswer> {
    return disarmTimer(await this.ssh(hostName), unit);
  }

  /** Hosts that will need SSH: checked before the run so unknown host keys fail up front, all at once. */
  async preflight(hostNames: readonly string[]): Promise<void> {
    const remote = hostNames.filter((n) => this.o.inventory.hosts.get(n)?.connection === 'ssh');
    if (remote.length === 0) return;
    await (await this.sshPool()).preflightHostKeys(remote);
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) {
      // clients keep API connections alive; close them with the run
      const client = await c.catch(() => null);
      await Promise.resolve(client?.close()).catch(() => undefined);
    }
    this.clients.clear();
    if (this.pool) await (await this.pool).closeAll();
  }
}

function sshEvent(e: SshEvent, before: boolean): TransportEvent | undefined {
  switch (e.type) {
    case 'connect-start':
      return { kind: 'ssh-connect', address: e.address, port: e.port, via: e.via, ...(e.proxyCommand !== undefined ? { proxyCommand: e.proxyCommand } : {}), reconnect: before };
    case 'connect-end':
      if (e.ok) return { kind: 'ssh-connected', durationMs: e.durationMs };
      return { kind: 'ssh-connect-failed', durationMs: e.durationMs, code: (e.error as { code?: string }).code ?? 'error', message: e.error.message };
    case 'host-key-accepted':
      return { kind: 'ssh-host-key-accepted', keyType: e.keyType, fingerprint: e.fingerprint, file: e.file };
    case 'disconnect':
      return { kind: 'ssh-disconnect', reason: e.reason };
  }
}

function apiEvent(e: CloudStackEvent): TransportEvent {
  switch (e.type) {
    case 'request':
      return { kind: 'api-call', command: e.command, mode: e.mode, method: e.method, attempt: e.attempt, request: e.request };
    case 'response':
      return { kind: 'api-response', command: e.command, status: e.status };
    case 'retry':
      return { kind: 'api-retry', command: e.command, attempt: e.attempt, delayMs: e.delayMs, reason: e.reason };
    case 'login':
      return { kind: 'api-login', username: e.username, relogin: e.relogin };
    case 'job-poll':
      return { kind: 'job-poll', command: e.command, jobid: e.jobid, jobstatus: e.jobstatus, polls: e.polls };
  }
}
