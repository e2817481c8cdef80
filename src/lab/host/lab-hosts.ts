// All SSH-served hosts of a lab: the management-server host on sshPort and the KVM hosts on their own
// ports (sshPort+1… when sshPort is fixed, ephemeral otherwise), one shared host key, one root key.

import type { LabCore } from '../core.js';
import type { HostActivity } from '../snapshot.js';
import { csDate } from '../clock.js';
import { labKeys, type LabKeys } from './keys.js';
import { kvmHost, mgmtHost, type MgmtHostState } from './hosts.js';
import { SshHostServer } from './ssh-server.js';
import { Interpreter, newShell } from './shell/interpreter.js';
import type { HostContext } from './shell/types.js';
import { maskText } from '../log.js';

export interface HostEndpoint {
  readonly name: string;
  readonly role: 'management' | 'kvm';
  readonly address: string;
  readonly port: number;
  /** World host id for KVM hosts. */
  readonly hostId?: string | undefined;
}

export interface ExecOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class LabHosts {
  private keys: LabKeys | undefined;
  private readonly servers: Array<{ ep: Omit<HostEndpoint, 'port'>; server: SshHostServer }> = [];
  readonly mgmtState: MgmtHostState = { timers: new Map(), runs: [] };
  /** Host contexts by name: the management host and every KVM host of the world. */
  readonly contexts = new Map<string, HostContext>();
  private readonly background = new Set<Promise<number>>();

  constructor(
    private readonly core: LabCore,
    private readonly stateDir: string,
  ) {
    this.contexts.set(core.world.ms.name, mgmtHost(core, this.mgmtState));
    for (const h of core.world.hosts) this.contexts.set(h.name, kvmHost(core, h));
  }

  /** Runs a command on an emulated host exactly as an SSH exec would, without SSH. */
  async exec(hostName: string, command: string): Promise<ExecOutcome> {
    const host = this.contexts.get(hostName);
    if (!host) throw new Error(`no lab host named ${hostName} (hosts: ${[...this.contexts.keys()].join(', ')})`);
    let stdout = '';
    let stderr = '';
    const it = new Interpreter(host, newShell(host), (p) => {
      this.background.add(p);
      void p.finally(() => this.background.delete(p));
    });
    const code = await it.runScript(command, { stdin: '', out: (s) => void (stdout += s), err: (s) => void (stderr += s) });
    this.core.emit({ kind: 'host', time: this.core.time.now(), host: host.name, command: maskText(command, this.core.secrets()), exitCode: code });
    return { code, stdout, stderr };
  }

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
    const mgmt = new SshHostServer(core, keys, this.contexts.get(core.world.ms.name)!, true);
    this.servers.push({ ep: { name: core.world.ms.name, role: 'management', address: core.address }, server: mgmt });
    await mgmt.listen(core.address, sshPort);
    const kvms = core.world.hosts.slice(0, kvmCount ?? 8);
    for (let i = 0; i < kvms.length; i++) {
      const h = kvms[i]!;
      const s = new SshHostServer(core, keys, this.contexts.get(h.name)!, false);
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
