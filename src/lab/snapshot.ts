// JSON-able snapshot of a running lab for tests, `stackplay lab status` and state.json: settings with
// DB values, what each management server actually uses, listeners, VMs, routers, jobs, host activity.

import { csDate } from './clock.js';
import type { LabCore } from './core.js';
import { trimVersion } from './world/versions.js';
import { stateName, type ManagementServer } from './ms/management-server.js';

export interface HostActivity {
  /** Every management host's runs and timers together (mgmt1's first). */
  readonly sysvmadmRuns: readonly SysvmadmRunInfo[];
  readonly timers: readonly TimerInfo[];
  /** The same, by management host (mgmt1, mgmt2, …). */
  readonly byHost?: Readonly<Record<string, { readonly sysvmadmRuns: readonly SysvmadmRunInfo[]; readonly timers: readonly TimerInfo[] }>>;
}

export interface SysvmadmRunInfo {
  readonly id: number;
  readonly args: readonly string[];
  readonly state: 'running' | 'done';
  readonly exitCode?: number | undefined;
  readonly logFile: string;
}

export interface TimerInfo {
  readonly unit: string;
  readonly command: string;
  readonly state: 'waiting' | 'ran' | 'stopped';
  readonly dueAt: string;
}

export interface ServerSnapshot {
  readonly name: string;
  readonly address: string;
  /** Process state: running, restarting or stopped. */
  readonly state: string;
  /** mshost state as listManagementServers shows it (Up, Down, PreparingToShutDown, Maintenance, …). */
  readonly clusterState: string;
  readonly version: string;
  readonly acceptingJobs: boolean;
  readonly apiPort: number;
  readonly apiListening: boolean;
  readonly integrationPort: { readonly dbValue: string | null; readonly effective: number; readonly listening: boolean };
  readonly agents: number;
  readonly pendingJobs: number;
}

export interface LabStateSnapshot {
  readonly time: string;
  /** mgmt1 (kept for single-server callers). */
  readonly managementServer: ServerSnapshot;
  /** Every server of the cluster, mgmt1 first. */
  readonly managementServers: readonly ServerSnapshot[];
  readonly settings: Readonly<Record<string, string | null>>;
  readonly systemVms: ReadonlyArray<Record<string, unknown>>;
  readonly routers: ReadonlyArray<Record<string, unknown>>;
  readonly jobs: ReadonlyArray<Record<string, unknown>>;
  readonly sysvmadmRuns: readonly SysvmadmRunInfo[];
  readonly timers: readonly TimerInfo[];
  readonly hostActivity: NonNullable<HostActivity['byHost']>;
}

/**
 * Summary for state.json: everything but the per-router list is kept; routers are summarised so a
 * benchmark world of thousands of routers does not turn every change into a large file write.
 */
export function summary(core: LabCore, host: HostActivity | undefined): Record<string, unknown> {
  const full = snapshot(core, host, 200);
  const w = core.world;
  const byState: Record<string, number> = {};
  let requiresUpgrade = 0;
  for (const r of w.routers) {
    byState[r.state] = (byState[r.state] ?? 0) + 1;
    if (w.requiresUpgrade(r)) requiresUpgrade++;
  }
  return {
    ...full,
    routerSummary: { total: w.routers.length, byState, requiresUpgrade },
    jobs: full.jobs.filter((j) => j.status === 0).concat(full.jobs.filter((j) => j.status !== 0).slice(-50)),
  };
}

export function snapshot(core: LabCore, host: HostActivity | undefined, maxRouters = Infinity): LabStateSnapshot {
  const w = core.world;
  const servers = core.cluster.servers.map((s) => serverSnapshot(core, s));
  return {
    time: csDate(core.time.now()),
    managementServer: servers[0]!,
    managementServers: servers,
    settings: w.config.snapshot(),
    systemVms: w.systemVms.map((v) => ({
      id: v.id, name: v.name, type: v.kind, zone: w.zone(v.zoneId)?.name, state: v.state, agentState: v.agentState,
      version: v.agentVersion, templateVersion: v.template.version, scriptsVersion: v.scriptsVersion.slice(0, 12), patchCount: v.patchCount,
      linkLocalIp: v.linkLocalIp, host: w.host(v.lastHostId)?.name,
    })),
    routers: w.routers.slice(0, maxRouters).map((r) => ({
      id: r.id, name: r.name, zone: w.zone(r.zoneId)?.name, state: r.state, version: trimVersion(r.template.version),
      softwareVersion: r.softwareVersion, requiresUpgrade: w.requiresUpgrade(r), redundantState: r.redundantState,
      owner: w.owner(r.ownerId).account.name, networks: r.networkIds.map((id) => w.network(id)?.name), vpc: r.vpcId ? w.vpc(r.vpcId)?.name : undefined,
      patchCount: r.patchCount, linkLocalIp: r.linkLocalIp, host: w.host(r.lastHostId)?.name,
    })),
    jobs: core.jobs.all().map((j) => ({
      id: j.id, command: j.command, account: j.caller.account.name, status: j.status, resultCode: j.resultCode,
      instanceId: j.instanceId, created: csDate(j.created), completed: j.completed !== undefined ? csDate(j.completed) : undefined,
    })),
    sysvmadmRuns: host?.sysvmadmRuns ?? [],
    timers: host?.timers ?? [],
    hostActivity: host?.byHost ?? {},
  };
}

export function serverSnapshot(core: LabCore, s: ManagementServer): ServerSnapshot {
  return {
    name: s.name, address: s.address, state: s.state, clusterState: stateName(core, s.hostState), version: core.world.msVersion,
    acceptingJobs: s.acceptingJobs, apiPort: s.api.port, apiListening: s.api.isOpen,
    integrationPort: { dbValue: core.world.config.get('integration.api.port'), effective: s.effectiveIntegrationPort, listening: s.integration.isOpen },
    agents: core.cluster.agentsOf(s).length, pendingJobs: core.jobs.countPending([s.msid]),
  };
}
