// Version profiles, API side: what the lab's API answers differently by CloudStack release. `world.version`
// picks the facts; every fact names the CloudStack file and tag it was read at. The release buckets
// (PROFILES) are shared with the per-release cloudstack-sysvmadm, which lives in its own module.

import { compareVersions } from './versions.js';

export type ProfileId = '4.18' | '4.19.0' | '4.19.1' | '4.19.2' | '4.20.0' | '4.20.3' | '4.21' | '4.22';

export interface Profile {
  readonly id: ProfileId;
  /** Versions the bucket covers, as operators name them. */
  readonly label: string;
  /** First version of the bucket; a bucket ends where the next one starts. */
  readonly from: string;
  /** A version to start a lab of this bucket with. */
  readonly example: string;
}

export const PROFILES: readonly Profile[] = [
  { id: '4.18', label: '4.18.x', from: '0', example: '4.18.2.5' },
  { id: '4.19.0', label: '4.19.0.x', from: '4.19.0', example: '4.19.0.0' },
  { id: '4.19.1', label: '4.19.1.x', from: '4.19.1', example: '4.19.1.0' },
  { id: '4.19.2', label: '4.19.2+', from: '4.19.2', example: '4.19.3.0' },
  { id: '4.20.0', label: '4.20.0–4.20.2', from: '4.20.0', example: '4.20.1.0' },
  { id: '4.20.3', label: '4.20.3+', from: '4.20.3', example: '4.20.3.0' },
  { id: '4.21', label: '4.21', from: '4.21.0', example: '4.21.0.0' },
  { id: '4.22', label: '4.22', from: '4.22.0', example: '4.22.0.0' },
];

/** The bucket a management-server version falls in (versions before 4.18 use the 4.18 bucket). */
export function profileOf(version: string): ProfileId {
  let id: ProfileId = '4.18';
  for (const p of PROFILES) if (compareVersions(version, p.from) >= 0) id = p.id;
  return id;
}

const at = (v: string, min: string): boolean => compareVersions(v, min) >= 0;
/** A fix that went into two maintenance branches (e.g. 4.19.3 and 4.20.1). */
const fixedIn = (v: string, onOlderBranch: string, onNewerBranch: string): boolean =>
  at(v, onNewerBranch) || (at(v, onOlderBranch) && !at(v, onNewerBranch.split('.').slice(0, 2).join('.')));

export interface ApiFacts {
  readonly version: string;
  readonly profile: ProfileId;
  /**
   * queryAsyncJobResult / listAsyncJobs object. 'v4.18': accountid, userid, cmd, jobstatus, …, no server id;
   * 'v4.19': account/domainid/domainpath added and managementserverid = the numeric msid of the executing
   * server; 'v4.21': jobstatus last, managementserverid = server uuid plus managementservername.
   * Source: api/.../response/AsyncJobResponse.java at 4.18.2.5, 4.19.0.0, 4.21.0.0; AsyncJobJoinDaoImpl.java.
   */
  readonly jobJson: 'v4.18' | 'v4.19' | 'v4.21';
  /**
   * The management-server shutdown API. 'shutdown': plugins/shutdown (since 4.19.0, PR #6755) with
   * ReadyForShutdownResponse; 'maintenance': plugins/maintenance (4.21.0, PR #9854), which also has
   * prepareForMaintenance/cancelMaintenance and answers with ManagementServerMaintenanceResponse.
   */
  readonly shutdownApi: 'none' | 'shutdown' | 'maintenance';
  /**
   * plugins/shutdown answered with the mshost DB id (a number) until apache/cloudstack#10717 (4.19.3.0,
   * 4.20.1.0) made it the uuid. Source: ReadyForShutdownResponse.java at 4.19.0.0 and 4.20.1.0.
   */
  readonly shutdownResponseId: 'db-id' | 'uuid';
  /**
   * First check of the shutdown task after prepare/trigger: at once in 4.19.0, after 15 s from 4.19.1
   * (#9276); then every 30 s. plugins/maintenance checks after 1 s, then every 3 s.
   * Source: ShutdownManagerImpl.java at 4.19.0.0 and 4.19.1.0; ManagementServerMaintenanceManagerImpl.java at 4.21.0.0.
   */
  readonly drainFirstCheckMs: number;
  readonly drainPeriodMs: number;
  /**
   * State names in the mshost table: PreparingToShutDown until 4.20, PreparingForShutDown from 4.21 (which
   * also adds PreparingForMaintenance and Maintenance). Source: ManagementServerHost.java at 4.20.1.0, 4.21.0.0.
   */
  readonly preparingShutdownName: 'PreparingToShutDown' | 'PreparingForShutDown';
  /**
   * An async command on a server that stopped taking jobs: until 4.20 AsyncJobManagerImpl.submitAsyncJob
   * throws a CloudRuntimeException (530, after the parameters were processed); from 4.21
   * ApiServer.queueCommand refuses first with 503. Source: AsyncJobManagerImpl.java at 4.20.1.0, ApiServer.java at 4.21.0.0.
   */
  readonly jobRefusal: { readonly code: 530 | 503; readonly text: string; readonly early: boolean };
  /**
   * listManagementServers: ipaddress and the `peers` parameter from 4.20.1; lastagents, agents,
   * agentscount and pendingjobscount from 4.21. No release sets kernelversion.
   * Source: QueryManagerImpl.createManagementServerResponse at 4.20.0.0, 4.20.1.0, 4.21.0.0.
   */
  readonly msIpAddress: boolean;
  readonly msAgents: boolean;
  /** loginresponse carries the answering server's uuid for root admins from 4.21 (ApiServer.java at 4.21.0.0). */
  readonly loginServerId: boolean;
  /** listHosts adds managementservername in 4.21 (HostResponse.java at 4.21.0.0). */
  readonly hostServerName: boolean;
  /** The XML root attribute cloud-stack-version is hidden from unauthenticated callers from 4.21 (ApiServlet). */
  readonly xmlVersionForAnonymous: boolean;
  /**
   * listVirtualMachines: templatetype from 4.19; domainpath, templateformat, deleteprotection and arch from
   * 4.20. Source: UserVmResponse.java at 4.18.2.5, 4.19.0.0, 4.20.0.0.
   */
  readonly vmTemplateType: boolean;
  readonly vmFields420: boolean;
}

const SHUTDOWN_530 = 'A shutdown has been triggered. Can not accept new jobs';
const SHUTDOWN_503 = 'Maintenance or Shutdown has been initiated on this management server. Can not accept new jobs';

export function apiFacts(version: string): ApiFacts {
  const v421 = at(version, '4.21');
  return {
    version,
    profile: profileOf(version),
    jobJson: v421 ? 'v4.21' : at(version, '4.19') ? 'v4.19' : 'v4.18',
    shutdownApi: v421 ? 'maintenance' : at(version, '4.19') ? 'shutdown' : 'none',
    shutdownResponseId: fixedIn(version, '4.19.3', '4.20.1') ? 'uuid' : 'db-id',
    drainFirstCheckMs: v421 ? 1_000 : at(version, '4.19.1') ? 15_000 : 0,
    drainPeriodMs: v421 ? 3_000 : 30_000,
    preparingShutdownName: v421 ? 'PreparingForShutDown' : 'PreparingToShutDown',
    jobRefusal: v421 ? { code: 503, text: SHUTDOWN_503, early: true } : { code: 530, text: SHUTDOWN_530, early: false },
    msIpAddress: at(version, '4.20.1'),
    msAgents: v421,
    loginServerId: v421,
    hostServerName: v421,
    xmlVersionForAnonymous: !v421,
    vmTemplateType: at(version, '4.19'),
    vmFields420: at(version, '4.20'),
  };
}

/**
 * API commands that exist only from some release on (an unknown command is a 401 on the API port and a 432
 * on the integration port). Everything else the lab serves exists in every supported release.
 */
export const COMMAND_SINCE: Readonly<Record<string, string>> = {
  // PatchSystemVMCmd.java `since = "4.17.0"` (commit 830f3061, PR #5831)
  patchSystemVm: '4.17.0',
  // plugins/shutdown at 4.19.0.0 (PR #6755), carried into plugins/maintenance at 4.21.0.0
  prepareForShutdown: '4.19.0',
  cancelShutdown: '4.19.0',
  readyForShutdown: '4.19.0',
  triggerShutdown: '4.19.0',
  // plugins/maintenance at 4.21.0.0 (PR #9854)
  prepareForMaintenance: '4.21.0',
  cancelMaintenance: '4.21.0',
};

export function hasCommand(version: string, name: string): boolean {
  const since = COMMAND_SINCE[name];
  return since === undefined || at(version, since);
}
