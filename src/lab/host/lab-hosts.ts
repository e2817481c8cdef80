// All SSH-served hosts of a lab: one host per management server (mgmt1, mgmt2, … each on its own
// address and sshPort) and the KVM hosts on their own ports of the lab address (sshPort+1… when sshPort is
// fixed, ephemeral otherwise); one shared host key, one root key.

import type { LabCore } from '../core.js';
import type { HostActivity, SysvmadmRunInfo, TimerInfo } from '../snapshot.js';
import { csDate } from '../clock.js';
import { labKeys, type LabKeys } from './keys.js';
import { kvmHost, mgmtHost, type MgmtHostState } from './hosts.js';
import { SshHostServer } from './ssh-server.js';
import { Interpreter, newShell } from './shell/interpreter.js';
import type { HostContext } from './shell/types.js';
import { maskText } from '../log.js';
import { hostCore } from '../ms/host-view.js';

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
  /** Timers and sysvmadm runs of each management host, by host name. */
  readonly mgmtStates = new Map<string, MgmtHostState>();
  /** Host contexts by name: the management hosts and every KVM host of the world. */
  readonly contexts = new Map<string, HostContext>();
  /** The core as each host sees it (a management host's own server is its `ms`). */
  private readonly views = new Map<string, LabCore>();
  private readonly background = new Set<Promise<number>>();

  constructor(
    private readonly core: LabCore,
    private readonly stateDir: string,
  ) {
    for (const s of core.cluster.servers) {
      const state: MgmtHostState = { timers: new Map(), runs: [] };
      const view = hostCore(core, s);
      this.mgmtStates.set(s.name, state);
      this.views.set(s.name, view);
      this.contexts.set(s.name, mgmtHost(view, state));
    }
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

  /** SSH port of mgmt1. */
  get mgmtPort(): number {
    return this.servers[0]?.server.port ?? 0;
  }

  /** SSH port of a host (0 when it is not served). */
  portOf(name: string): number {
    return this.servers.find((s) => s.ep.name === name)?.server.port ?? 0;
  }

  async start(sshPort: number, kvmCount?: number): Promise<void> {
    const keys = (this.keys = labKeys(this.stateDir));
    const core = this.core;
    for (const ms of core.cluster.servers) {
      // Each management host has an address of its own: the same port number on each, like real hosts.
      const s = new SshHostServer(this.views.get(ms.name)!, keys, this.contexts.get(ms.name)!, true);
      this.servers.push({ ep: { name: ms.name, role: 'management', address: ms.address }, server: s });
      await s.listen(ms.address, sshPort);
    }
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
    const byHost: Record<string, { sysvmadmRuns: SysvmadmRunInfo[]; timers: TimerInfo[] }> = {};
    for (const [host, st] of this.mgmtStates) {
      byHost[host] = {
        sysvmadmRuns: st.runs.map((r) => ({ ...r })),
        timers: [...st.timers.values()].map((t) => ({ unit: t.unit, command: t.argv.join(' '), state: t.state, dueAt: csDate(t.dueAt) })),
      };
    }
    const all = Object.values(byHost);
    return { sysvmadmRuns: all.flatMap((a) => a.sysvmadmRuns), timers: all.flatMap((a) => a.timers), byHost };
  }

  async stop(): Promise<void> {
    for (const st of this.mgmtStates.values()) for (const t of st.timers.values()) if (t.handle) this.core.time.cancel(t.handle);
    await Promise.all(this.servers.map((s) => s.server.close()));
  }
}
