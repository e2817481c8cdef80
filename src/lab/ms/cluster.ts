// The management-server cluster: mgmt1…mgmtN sharing one database, which agent (KVM host, SSVM/CPVM)
// each server holds, and what happens when a server leaves or comes back. A peer that sees a server leave
// takes its agents over; its pending jobs stay pending until that server starts again (see onStopped).

import type { LabCore } from '../core.js';
import type { ManagementServerRecord } from '../world/world.js';
import type { Job } from '../jobs/jobs.js';
import type { SystemVm } from '../world/types.js';
import { ManagementServer, type ServerHandlers } from './management-server.js';
import { settleAfterCancel } from './settle.js';

export class Cluster {
  readonly servers: ManagementServer[];
  /** Agent (host uuid) → msid of the server it is connected to; unset agents use their default server. */
  private readonly agentOwner = new Map<string, number>();
  /** host.last_mgmt_server_id: set for a server's agents when it stops (4.21 lastagents). */
  private readonly agentLastOwner = new Map<string, number>();

  constructor(
    private readonly core: LabCore,
    records: readonly ManagementServerRecord[],
    handlers: (server: ManagementServer) => ServerHandlers,
  ) {
    this.servers = records.map((r) => new ManagementServer(core, this, r, handlers));
    core.jobs.fallbackSubmitter = () => this.running()[0];
  }

  get primary(): ManagementServer {
    return this.servers[0]!;
  }

  running(): ManagementServer[] {
    return this.servers.filter((s) => s.state === 'running');
  }

  byName(name: string): ManagementServer | undefined {
    return this.servers.find((s) => s.name === name);
  }

  byId(uuid: string): ManagementServer | undefined {
    return this.servers.find((s) => s.record.id === uuid);
  }

  byMsid(msid: number): ManagementServer | undefined {
    return this.servers.find((s) => s.msid === msid);
  }

  /** Every agent of the world: the KVM hosts and the agent hosts of the SSVMs/CPVMs, in listHosts order. */
  private agents(): string[] {
    const w = this.core.world;
    return [...w.hosts.map((h) => h.id), ...w.systemVms.map((vm) => w.agentHostId(vm))];
  }

  /** The server an agent is connected to (agents start spread over the servers in turn). */
  ownerOf(agentId: string): ManagementServer {
    const msid = this.agentOwner.get(agentId);
    const owner = msid !== undefined ? this.byMsid(msid) : undefined;
    if (owner) return owner;
    const i = this.agents().indexOf(agentId);
    return this.servers[Math.max(0, i) % this.servers.length]!;
  }

  /** host.mgmt_server_id = msid: the agents (host uuids) a server is responsible for. */
  agentsOf(server: ManagementServer): string[] {
    return this.agents().filter((a) => this.ownerOf(a) === server);
  }

  /** The agents that were connected to this server when it last stopped. */
  lastAgentsOf(server: ManagementServer): string[] {
    return this.agents().filter((a) => this.agentLastOwner.get(a) === server.msid);
  }

  /** Moves agents off `from` to the running servers in `to`, in turn (an agent reconnecting elsewhere). */
  moveAgents(from: ManagementServer, to: readonly ManagementServer[]): number {
    if (to.length === 0) return 0;
    const moving = this.agentsOf(from);
    moving.forEach((a, i) => this.agentOwner.set(a, to[i % to.length]!.msid));
    this.reconnectSystemVmAgents(new Set(moving));
    return moving.length;
  }

  /** cancelMaintenance rebalance=true: the agents spread over the running servers again. */
  rebalance(): void {
    const up = this.running();
    if (up.length === 0) return;
    this.agents().forEach((a, i) => this.agentOwner.set(a, up[i % up.length]!.msid));
  }

  /**
   * A server left the cluster. Its peers mark its agents disconnected and the agents reconnect to a peer
   * (ClusteredAgentManagerImpl.onManagementNodeLeft). Its jobs are not cancelled by the peers: at 4.20.1.0
   * AsyncJobManagerImpl.onManagementNodeLeft calls cleanupLeftOverJobs(msHost.getId()) with the mshost DB
   * id, while jobs carry the msid, so nothing matches. They stay pending until the server starts again.
   */
  onStopped(server: ManagementServer, orphans: readonly Job[]): void {
    const peers = this.running().filter((s) => s !== server);
    for (const a of this.agentsOf(server)) this.agentLastOwner.set(a, server.msid);
    const moved = this.moveAgents(server, peers);
    const left = peers.length
      ? `; ${peers.map((p) => p.name).join(', ')} took over ${moved} agent(s) and leave its ${orphans.length} job(s) pending`
      : '';
    this.core.emit({ kind: 'ms', time: this.core.time.now(), message: `${server.name}: ${server.state} (listeners closed, ${orphans.length} job(s) interrupted)${left}` });
  }

  /** A server started: it failed its own left-over jobs; the VMs those jobs held are settled. */
  onStarted(server: ManagementServer, failed: readonly Job[], booting: boolean): void {
    const others = this.running().filter((s) => s !== server);
    if (others.length === 0) {
      // The whole cluster was down: every agent reconnects to the first server back (at lab start they
      // keep their spread over the servers).
      if (!booting) for (const a of this.agents()) this.agentOwner.set(a, server.msid);
      this.core.vmOps.afterManagementServerStart();
      return;
    }
    settleAfterCancel(this.core, failed);
  }

  /** SSVM/CPVM agents that reconnect to another server: Disconnected, then Up after the agent delay. */
  private reconnectSystemVmAgents(agentIds: ReadonlySet<string>): void {
    const w = this.core.world;
    for (const vm of w.systemVms) {
      if (!agentIds.has(w.agentHostId(vm)) || vm.state !== 'Running') continue;
      reconnect(this.core, vm);
    }
  }
}

export function reconnect(core: LabCore, vm: SystemVm): void {
  vm.agentState = 'Disconnected';
  core.time.after(core.durations.agentConnect, () => {
    if (vm.state === 'Running' && vm.agentState === 'Disconnected') vm.agentState = 'Up';
  });
}
