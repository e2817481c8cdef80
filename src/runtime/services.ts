// Per-run services behind the StepContext: the SSH pool (loaded only when a step needs SSH), the
// local transport for the implicit localhost, tunnels for `via:`, CloudStack clients per
// management-server host, and dead-man timers on hosts. Everything opened here is closed when the run
// ends, whatever happened.

import type { Duplex } from 'node:stream';
import type { Inventory } from '../inventory/types.js';
import type { SecretRegistry } from '../secrets/masker.js';
import type { DeadmanTimer, RunServices, ServiceAnswer, StepServices } from '../steps/types.js';
import { LocalTransport } from '../transports/local.js';
import type { RemoteTransport } from '../transports/types.js';
import type { SshHostSettings, SshPool } from '../transports/ssh/index.js';
import { armTimer, disarmTimer } from './deadman.js';

export interface ServiceOptions {
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
}

/** What a CloudStack client factory gets from the run: the services (tunnels), the inventory and the secrets. */
export interface CloudStackRun {
  readonly services: StepServices;
  readonly inventory: Inventory;
  readonly secrets: SecretRegistry;
}

export type CloudStackFactory = (hostName: string, mode: 'signed' | 'integration', run: CloudStackRun) => Promise<unknown>;

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
  private readonly clients = new Map<string, Promise<unknown>>();

  constructor(private readonly o: ServiceOptions) {}

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

  cloudstack(hostName: string, mode: 'signed' | 'integration' = 'signed'): Promise<unknown> {
    const key = `${hostName}/${mode}`;
    let c = this.clients.get(key);
    if (!c) {
      if (!this.o.cloudstackFactory) return Promise.reject(new Error('no CloudStack client is configured for this run'));
      c = this.o.cloudstackFactory(hostName, mode, { services: this, inventory: this.o.inventory, secrets: this.o.secrets });
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
      const client = (await c.catch(() => null)) as { close?: () => unknown } | null;
      await Promise.resolve(client?.close?.()).catch(() => undefined);
    }
    this.clients.clear();
    if (this.pool) await (await this.pool).closeAll();
  }
}
