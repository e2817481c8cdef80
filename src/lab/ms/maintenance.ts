// plugins/maintenance (4.21+): the shutdown API of 4.19 plus prepareForMaintenance/cancelMaintenance, with
// state checks on the calling side and a pending-jobs task on the target (after 1 s, every 3 s) that moves
// the server to ReadyToShutDown, exits it, or migrates its agents and puts it in Maintenance.
// Source: plugins/maintenance/.../ManagementServerMaintenanceManagerImpl.java at 4.21.0.0 (apache/cloudstack#9854).

import type { LabCore } from '../core.js';
import { ApiError, CS } from '../api/errors.js';
import { compact, type JsonObject } from '../api/render/compact.js';
import { apiFacts } from '../world/profiles.js';
import { stateName, type ManagementServer, type MsHostState } from './management-server.js';

const fail = (text: string): ApiError => new ApiError(530, text, CS.CLOUD_RUNTIME);
const PREPARING: readonly MsHostState[] = ['PreparingForMaintenance', 'PreparingForShutDown'];
/** IndirectAgentLBServiceImpl's algorithm map, in its HashMap iteration order. */
const ALGORITHMS = ['static', 'roundrobin', 'shuffle'];

/** executeCmd(): the target's answer must start with "Success". */
function execute(target: ManagementServer, what: string, onTarget: () => string): void {
  if (target.state !== 'running') throw fail(`Unable to reach or execute ${what} on the management server node: ${target.name}`);
  const result = onTarget();
  if (!result.startsWith('Success')) throw fail(result);
}

function checkNonePreparing(core: LabCore, operation: string): void {
  if (core.cluster.servers.some((s) => PREPARING.includes(s.hostState))) {
    throw fail(`Cannot ${operation}, there are other management servers preparing for maintenance/shutdown`);
  }
}

/** waitForPendingJobs(forced): CheckPendingJobsTask on the target. */
function waitForPendingJobs(core: LabCore, target: ManagementServer): void {
  target.cancelDrainTimer();
  const facts = apiFacts(core.world.msVersion);
  let agentsTransferred = false;
  const tick = (): void => {
    target.drain.timer = core.time.after(facts.drainPeriodMs, tick);
    const d = target.drain;
    if (!d.preparingForMaintenance && !d.preparingForShutdown) return target.cancelDrainTimer();
    const timeoutMin = Number.parseInt(core.world.config.get('management.server.maintenance.timeout') ?? '60', 10) || 60;
    if (d.preparingForMaintenance && core.time.now() - d.maintenanceStart >= core.time.scale(timeoutMin * 60_000)) {
      if (d.forcedMaintenance) target.hostState = 'Maintenance';
      else cancelPreparing(target);
      return target.cancelDrainTimer();
    }
    if (core.jobs.countPending([target.msid]) > 0) return;
    if (d.shutdownTriggered) {
      target.log('INFO  [o.a.c.m.ManagementServerMaintenanceManagerImpl] (PendingJobsCheck:null) MS is Shutting Down Now');
      void target.exit();
      return;
    }
    if (d.preparingForMaintenance) {
      if (core.cluster.agentsOf(target).length === 0) {
        target.hostState = 'Maintenance';
        return target.cancelDrainTimer();
      }
      if (agentsTransferred) return;
      agentsTransferred = true;
      const to = core.cluster.running().filter((s) => s !== target && s.hostState === 'Up');
      if (core.cluster.moveAgents(target, to) === 0) {
        cancelPreparing(target);
        target.cancelDrainTimer();
      }
      return;
    }
    target.hostState = 'ReadyToShutDown';
    target.cancelDrainTimer();
  };
  target.drain.timer = core.time.after(facts.drainFirstCheckMs, tick);
}

function cancelPreparing(target: ManagementServer): void {
  target.drain = { ...target.drain, preparingForMaintenance: false, preparingForShutdown: false, shutdownTriggered: false };
  target.asyncJobsEnabled = true;
  target.hostState = 'Up';
}

function prepareShutdownOnTarget(core: LabCore, target: ManagementServer, postTrigger: boolean): string | undefined {
  if (!postTrigger && target.drain.preparingForMaintenance) return 'Maintenance has already been initiated, cancel maintenance and try again';
  if (!postTrigger && target.drain.preparingForShutdown) return 'Shutdown has already been triggered';
  target.drain.preparingForShutdown = true;
  target.asyncJobsEnabled = false;
  waitForPendingJobs(core, target);
  return undefined;
}

export function prepareForShutdown(core: LabCore, target: ManagementServer): JsonObject {
  if (target.hostState !== 'Up') throw fail('Management server is not in the right state to prepare for shutdown');
  checkNonePreparing(core, 'prepare for shutdown');
  execute(target, 'PrepareForShutdownManagementServerHostCommand', () => {
    const refused = prepareShutdownOnTarget(core, target, false);
    if (refused) return refused;
    target.hostState = 'PreparingForShutDown';
    return 'Successfully prepared for shutdown';
  });
  return maintenanceResponse(core, target);
}

export function triggerShutdown(core: LabCore, target: ManagementServer): JsonObject {
  if (!(['Up', 'Maintenance', 'PreparingForShutDown', 'ReadyToShutDown'] as MsHostState[]).includes(target.hostState)) {
    throw fail('Management server is not in the right state to trigger shutdown');
  }
  if (target.hostState === 'Up') {
    checkNonePreparing(core, 'trigger shutdown');
    target.hostState = 'PreparingForShutDown';
  }
  execute(target, 'TriggerShutdownManagementServerHostCommand', () => {
    if (target.drain.shutdownTriggered) return 'Shutdown has already been triggered';
    target.drain.shutdownTriggered = true;
    prepareShutdownOnTarget(core, target, true);
    target.hostState = 'ShuttingDown';
    return 'Successfully triggered shutdown';
  });
  return maintenanceResponse(core, target);
}

export function cancelShutdown(core: LabCore, target: ManagementServer): JsonObject {
  if (target.hostState !== 'PreparingForShutDown' && target.hostState !== 'ReadyToShutDown') {
    throw fail('Management server is not in the right state to cancel shutdown');
  }
  execute(target, 'CancelShutdownManagementServerHostCommand', () => {
    target.cancelDrainTimer();
    cancelPreparing(target);
    return 'Successfully cancelled shutdown';
  });
  return maintenanceResponse(core, target);
}

export function prepareForMaintenance(core: LabCore, target: ManagementServer, algorithm: string | undefined, forced: boolean): JsonObject {
  if (algorithm !== undefined && algorithm.trim() !== '' && !ALGORITHMS.includes(algorithm)) {
    throw fail(`Invalid algorithm ${algorithm}, valid values are: [${ALGORITHMS.join(', ')}]`);
  }
  const up = core.cluster.servers.filter((s) => s.hostState === 'Up');
  if (up.length === 0) throw fail('Cannot prepare for maintenance, no active management servers found');
  if (up.length === 1) throw fail('Prepare for maintenance not supported, there is only one active management server');
  if (target.hostState !== 'Up') throw fail('Management server is not in the right state to prepare for maintenance');
  checkNonePreparing(core, 'prepare for maintenance');
  execute(target, 'PrepareForMaintenanceManagementServerHostCommand', () => {
    if (target.drain.preparingForShutdown) return 'Shutdown has already been triggered, cancel shutdown and try again';
    if (target.drain.preparingForMaintenance) return 'Maintenance has already been initiated';
    target.drain = { ...target.drain, preparingForMaintenance: true, maintenanceStart: core.time.now(), forcedMaintenance: forced };
    target.asyncJobsEnabled = false;
    waitForPendingJobs(core, target);
    target.hostState = 'PreparingForMaintenance';
    return 'Successfully prepared for maintenance';
  });
  return maintenanceResponse(core, target);
}

export function cancelMaintenance(core: LabCore, target: ManagementServer, rebalance: boolean): JsonObject {
  if (target.hostState !== 'Maintenance' && target.hostState !== 'PreparingForMaintenance') {
    throw fail('Management server is not in the right state to cancel maintenance');
  }
  execute(target, 'CancelMaintenanceManagementServerHostCommand', () => {
    target.cancelDrainTimer();
    cancelPreparing(target);
    return 'Successfully cancelled maintenance';
  });
  if (rebalance) core.cluster.rebalance();
  return maintenanceResponse(core, target);
}

/** ManagementServerMaintenanceResponse for one server. */
export function maintenanceResponse(core: LabCore, target: ManagementServer): JsonObject {
  const s = target.hostState;
  const agents = core.cluster.agentsOf(target);
  const pending = core.jobs.countPending([target.msid]);
  return compact([
    ['managementserverid', target.record.id], ['state', stateName(core, s)],
    ['maintenanceinitiated', s === 'PreparingForMaintenance' || s === 'Maintenance'],
    ['shutdowntriggered', s === 'ShuttingDown' || s === 'PreparingForShutDown' || s === 'ReadyToShutDown'],
    ['readyforshutdown', pending === 0], ['pendingjobscount', pending], ['agentscount', agents.length], ['agents', agents],
  ]);
}
