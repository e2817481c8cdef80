// The async-job object of queryAsyncJobResult and listAsyncJobs, field for field as each release
// serialises AsyncJobResponse (the version facts in world/profiles.ts say which layout applies).

import { csDate } from '../clock.js';
import { compact, type Json, type JsonObject } from '../api/render/compact.js';
import type { World } from '../world/world.js';
import { apiFacts } from '../world/profiles.js';
import type { Job } from './jobs.js';

type Entries = Array<[string, Json | undefined]>;

/**
 * 4.18: accountid, userid, cmd, jobstatus, …, created, completed, jobid (no server id).
 * 4.19–4.20: account, domainid, domainpath after accountid; managementserverid = executing msid (a number).
 * 4.21+: jobstatus last; managementserverid = the executing server's uuid, plus managementservername.
 * The server fields disappear when the job completes (executing msid cleared); a job cancelled by a restart keeps them.
 */
export function renderJob(world: World, job: Job): JsonObject {
  const layout = apiFacts(world.msVersion).jobJson;
  const c = job.caller;
  const ms = job.executingMsid !== undefined ? world.managementServers.find((m) => m.msid === job.executingMsid) : undefined;
  const v419 = layout !== 'v4.18';
  const head: Entries = [
    ['accountid', c.account.id],
    ['account', v419 ? c.account.name : undefined],
    ['domainid', v419 ? c.domain.id : undefined],
    ['domainpath', v419 ? c.domain.path : undefined],
    ['userid', c.userId],
    ['cmd', job.cmdClass],
  ];
  const serverFields: Entries = layout === 'v4.21'
    ? [['managementserverid', ms?.id], ['managementservername', ms?.name]]
    : layout === 'v4.19' ? [['managementserverid', job.executingMsid]] : [];
  const body: Entries = [
    ['jobprocstatus', 0],
    ['jobresultcode', job.resultCode],
    ['jobresulttype', job.result ? 'object' : undefined],
    ['jobresult', job.result],
    ['jobinstancetype', job.instanceType],
    ['jobinstanceid', job.instanceId],
    ...serverFields,
    ['created', csDate(job.created)],
    ['completed', job.completed !== undefined ? csDate(job.completed) : undefined],
    ['jobid', job.id],
  ];
  if (layout === 'v4.21') return compact([...head, ...body, ['jobstatus', job.status]]);
  return compact([...head, ['jobstatus', job.status], ...body]);
}
