// LabCore: the shared state of one running lab (world, jobs, the management-server cluster, faults) and
// the log fan-out. API handlers, the job engine and the SSH hosts all work on this one object; `ms` is the
// server a piece of code stands on (mgmt1 here, the host's own server in a host's view, ms/host-view.ts).

import { LabTime, type LabClock } from './clock.js';
import { seededUuid } from './ids.js';
import { FaultState, type LabFaults } from './faults.js';
import { JobEngine } from './jobs/jobs.js';
import { DEFAULT_DURATIONS, type Durations } from './jobs/durations.js';
import type { LabLogEvent, LabLogListener } from './log.js';
import type { ManagementServer, ServerHandlers } from './ms/management-server.js';
import { Cluster } from './ms/cluster.js';
import { VmOps } from './ops/vm-ops.js';
import { NetworkOps } from './ops/network-ops.js';
import type { World } from './world/world.js';
import type { Caller } from './api/types.js';

export interface CoreSettings {
  readonly address: string;
  readonly clock: LabClock;
  readonly speed: number;
  readonly apiKey: string;
  readonly secretKey: string;
  readonly adminPassword: string;
  readonly dbUser: string;
  readonly dbPassword: string;
  readonly restartDelayMs: number;
  readonly restartGraceMs: number;
  readonly durations: Durations;
  readonly faults: LabFaults;
}

export interface LabUser {
  readonly id: string;
  readonly name: string;
  readonly caller: Caller;
}

export class LabCore {
  readonly time: LabTime;
  readonly address: string;
  readonly jobs: JobEngine;
  readonly faults: FaultState;
  readonly vmOps: VmOps;
  readonly netOps: NetworkOps;
  readonly admin: LabUser;
  readonly system: LabUser;
  readonly durations: Durations;
  cluster!: Cluster;
  private readonly listeners = new Set<LabLogListener>();

  constructor(
    readonly world: World,
    readonly settings: CoreSettings,
  ) {
    this.time = new LabTime(settings.clock, settings.speed);
    this.address = settings.address;
    this.durations = { ...DEFAULT_DURATIONS, ...settings.durations };
    this.faults = new FaultState(settings.faults);
    this.jobs = new JobEngine(this.time, world, (job) =>
      this.emit({ kind: 'job', time: this.time.now(), jobId: job.id, cmd: job.command, status: job.status }),
    );
    this.vmOps = new VmOps(this);
    this.netOps = new NetworkOps(this);
    const root = world.rootDomain;
    const mk = (name: string, account: typeof world.adminAccount, port: Caller['port']): LabUser => {
      const id = seededUuid(world.seed, `user:${name}`);
      return { id, name, caller: { userId: id, userName: name, account, domain: root, port } };
    };
    this.admin = mk('admin', world.adminAccount, 'api');
    this.system = mk('system', world.systemAccount, 'integration');
  }

  get restartDelayMs(): number {
    return this.settings.restartDelayMs;
  }

  get restartGraceMs(): number {
    return this.settings.restartGraceMs;
  }

  /** mgmt1 (a host's view answers with that host's own server instead). */
  get ms(): ManagementServer {
    return this.cluster.primary;
  }

  /** mgmt1's files (each server's host has its own: `server.fs`). */
  get mgmtFs(): ManagementServer['fs'] {
    return this.ms.fs;
  }

  attachCluster(handlers: (server: ManagementServer) => ServerHandlers): void {
    this.cluster = new Cluster(this, this.world.managementServers, handlers);
  }

  on(listener: LabLogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: LabLogEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A failing log sink must not break the lab.
      }
    }
  }

  /** Values that must never appear in logs. */
  secrets(): string[] {
    return [this.settings.apiKey, this.settings.secretKey, this.settings.adminPassword, this.settings.dbPassword];
  }
}
