// plugins/shutdown (4.19.0–4.20.x): prepareForShutdown, triggerShutdown, cancelShutdown and
// readyForShutdown. The API server sends the command to the target server, which stops taking jobs and runs
// a task that marks it ReadyToShutDown, or exits, once its jobs are done.
// Source: plugins/shutdown/.../ShutdownManagerImpl.java and ClusteredAgentManagerImpl
// .handleShutdownManagementServerHostCommand at 4.19.0.0 and 4.20.1.0.

import type { LabCore } from '../core.js';
import { ApiError, CS } from '../api/errors.js';
import { compact, type JsonObject } from '../api/render/compact.js';
import { apiFacts } from '../world/profiles.js';
import type { ManagementServer, MsHostState } from './management-server.js';

const SHUTDOWN_STATES: readonly MsHostState[] = ['ShuttingDown', 'PreparingForShutDown', 'ReadyToShutDown'];

/** clusterManager.execute(target, …): the target's answer, or what the caller makes of a target that is gone. */
function execute(target: ManagementServer, onTarget: () => string): void {
  // A stopped peer never answers; the waiting call ends with a null result once the cluster drops the
  // peer, and `result.contains("Success")` throws (Java 17 helpful NPE text).
  if (target.state !== 'running') {
    throw new ApiError(530, 'Cannot invoke "String.contains(java.lang.CharSequence)" because "result" is null', CS.CLOUD_RUNTIME);
  }
  const result = onTarget();
  if (!result.includes('Success')) throw new ApiError(530, result, CS.CLOUD_RUNTIME);
}

/** ShutdownManagerImpl.prepareForShutdown(postTrigger) on the target itself. */
function prepareOnTarget(core: LabCore, target: ManagementServer, postTrigger: boolean): string {
  if (!postTrigger && target.drain.preparingForShutdown) return 'A shutdown has already been triggered';
  target.drain.preparingForShutdown = true;
  target.asyncJobsEnabled = false;
  target.cancelDrainTimer();
  const facts = apiFacts(core.world.msVersion);
  const tick = (): void => {
    target.drain.timer = core.time.after(facts.drainPeriodMs, tick);
    shutdownTask(core, target);
  };
  target.drain.timer = core.time.after(facts.drainFirstCheckMs, tick);
  return 'Successfully prepared for shutdown';
}

/** ShutdownTask.run(): every 30 s on the target until cancelled. */
function shutdownTask(core: LabCore, target: ManagementServer): void {
  if (!target.drain.preparingForShutdown) {
    target.cancelDrainTimer();
    return;
  }
  if (core.jobs.countPending([target.msid]) > 0) return;
  if (target.drain.shutdownTriggered) {
    target.log('INFO  [o.a.c.s.ShutdownManagerImpl] (ShutdownTask:null) Shutting down now');
    void target.exit();
    return;
  }
  target.hostState = 'ReadyToShutDown';
}

export function prepareForShutdown(core: LabCore, target: ManagementServer): JsonObject {
  execute(target, () => prepareOnTarget(core, target, false));
  target.hostState = 'PreparingForShutDown';
  return readyForShutdown(core, target);
}

export function triggerShutdown(core: LabCore, target: ManagementServer): JsonObject {
  execute(target, () => {
    if (target.drain.shutdownTriggered) return 'A shutdown has already been triggered';
    target.drain.shutdownTriggered = true;
    prepareOnTarget(core, target, true);
    return 'Successfully triggered shutdown';
  });
  target.hostState = 'ShuttingDown';
  return readyForShutdown(core, target);
}

export function cancelShutdown(core: LabCore, target: ManagementServer): JsonObject {
  execute(target, () => {
    if (!target.drain.preparingForShutdown) return 'A shutdown has not been triggered';
    target.drain.preparingForShutdown = false;
    target.drain.shutdownTriggered = false;
    target.asyncJobsEnabled = true;
    target.cancelDrainTimer();
    // (sic: the 4.19/4.20 handler answers a cancel with this text too)
    return 'Successfully prepared for shutdown';
  });
  target.hostState = 'Up';
  return readyForShutdown(core, target);
}

/**
 * ReadyForShutdownResponse: readyforshutdown, shutdowntriggered, pendingjobscount, managementserverid. Without
 * a server it counts the jobs of every server in a shutdown state (all pending jobs when there is none).
 */
export function readyForShutdown(core: LabCore, target: ManagementServer | undefined): JsonObject {
  const servers = target ? [target] : core.cluster.servers.filter((s) => SHUTDOWN_STATES.includes(s.hostState));
  const triggered = servers.some((s) => SHUTDOWN_STATES.includes(s.hostState));
  const pending = core.jobs.countPending(servers.length ? servers.map((s) => s.msid) : undefined);
  const byUuid = apiFacts(core.world.msVersion).shutdownResponseId === 'uuid';
  return compact([
    ['readyforshutdown', pending === 0], ['shutdowntriggered', triggered], ['pendingjobscount', pending],
    ['managementserverid', target ? (byUuid ? target.record.id : target.record.internalId) : undefined],
  ]);
}
