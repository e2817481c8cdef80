// All SSH-served hosts of a lab: the management-server host on sshPort and the KVM hosts on their own
// ports (sshPort+1… when sshPort is fixed, ephemeral otherwise), one shared host key, one root key.

import type { LabCore } from '../core.js';
import type { HostActivity } from '../snapshot.js';
import { csDate } from '../clock.js';
import { labKeys, type LabKeys } from './keys.js';
import { kvmHost, mgmtHost, type MgmtHostState } from './hosts.js';
import { SshHostServer } from './ssh-server.js';

export interface HostEndpoint {
  readonly name: string;
  readonly role: 'management' | 'kvm';
  readonly address: string;
  readonly port: number;
  /** World host id for KVM hosts. */
  readonly hostId?: string | undefined;
}

export class LabHosts {
  private keys: LabKeys | undefined;
  private readonly servers: Array<{ ep: Omit<HostEndpoint, 'port'>; server: SshHostServer }> = [];
  readonly mgmtState: MgmtHostState = { timers: new Map(), runs: [] };

  constructor(
    private readonly core: LabCore,
    private readonly stateDir: string,
  ) {}

  get privateKeyPath(): string {
    return this.keys?.clientPrivatePath ?? '';
  }

  get fingerprint(): string {
    return this.keys?.fingerprint ?? '';
  }

  get hostPublicKey(): string {
    return this.keys?.hostPublic ?? '';
  }

  get mgmtPort(): number {
    return this.servers[0]?.server.port ?? 0;
  }

  async start(sshPort: number, kvmCount?: number): Promise<void> {
    const keys = (this.keys = labKeys(this.stateDir));
    const core = this.core;
    const mgmt = new SshHostServer(core, keys, mgmtHost(core, this.mgmtState), true);
    this.servers.push({ ep: { name: core.world.ms.name, role: 'management', address: core.address }, server: mgmt });
    await mgmt.listen(core.address, sshPort);
    const kvms = core.world.hosts.slice(0, kvmCount ?? 8);
    for (let i = 0; i < kvms.length; i++) {
      const h = kvms[i]!;
      const s = new SshHostServer(core, keys, kvmHost(core, h), false);
      this.servers.push({ ep: { name: h.name, role: 'kvm', address: core.address, hostId: h.id }, server: s });
      await s.listen(core.address, sshPort ? sshPort + 1 + i : 0);
    }
  }

  endpoints(): HostEndpoint[] {
    return this.servers.map((s) => ({ ...s.ep, port: s.server.port }));
  }

  activity(): HostActivity {
    return {
      sysvmadmRuns: this.mgmtState.runs.map((r) => ({ ...r })),
      timers: [...this.mgmtState.timers.values()].map((t) => ({ unit: t.unit, command: t.argv.join(' '), state: t.state, dueAt: csDate(t.dueAt) })),
    };
  }

  async stop(): Promise<void> {
    for (const t of this.mgmtState.timers.values()) if (t.handle) this.core.time.cancel(t.handle);
    await Promise.all(this.servers.map((s) => s.server.close()));
  }
}
