// Async-job queries: queryAsyncJobResult (fields directly under the response key) and
// listAsyncJobs (only unfinished jobs), the job object as jobs/job-json.ts renders it per release.

import { ApiError, CS } from '../errors.js';
import { listOf, type CommandDef } from '../types.js';
import type { Job } from '../../jobs/jobs.js';
import { renderJob } from '../../jobs/job-json.js';
import type { ManagementServer } from '../../ms/management-server.js';

const queryAsyncJobResult: CommandDef = {
  name: 'queryAsyncJobResult', async: false, legacyIds: true,
  params: [{ name: 'jobid', type: 'uuid', entity: 'job', required: true }],
  handler: (ctx, args) => {
    const job = args.ref<Job>('jobid')!;
    const root = ctx.caller.account.type === 'admin' || ctx.caller.account.type === 'system';
    if (!root && job.caller.account.id !== ctx.caller.account.id) {
      throw new ApiError(531, `Account ${ctx.caller.account.name} does not have permission to view job ${job.id}`, CS.PERMISSION);
    }
    return { kind: 'raw', body: renderJob(ctx.core.world, job) };
  },
};

/**
 * listAsyncJobs: pending jobs. From 4.19 `managementserverid` (a server's uuid) keeps the jobs that server
 * is executing (ListAsyncJobsCmd since="4.19"; QueryManagerImpl.searchForAsyncJobsInternal matches the
 * job's executing msid); before, the parameter is unknown and ignored like any other.
 */
function listAsyncJobs(byServer: boolean): CommandDef {
  return {
    name: 'listAsyncJobs', async: false, list: true, versions: byServer ? { from: '4.19' } : { before: '4.19' },
    params: [
      { name: 'listall', type: 'boolean' }, { name: 'account', type: 'string' }, { name: 'keyword', type: 'string' },
      ...(byServer ? [{ name: 'managementserverid', type: 'uuid', entity: 'ms' } as const] : []),
    ],
    handler: (ctx, args) => {
      const all = args.bool('listall');
      const account = args.str('account');
      const server = byServer ? args.ref<ManagementServer>('managementserverid') : undefined;
      const jobs = ctx.core.jobs.pending().filter((j) =>
        (account !== undefined ? j.caller.account.name === account : all || j.caller.account.id === ctx.caller.account.id)
        && (server === undefined || j.executingMsid === server.msid));
      return listOf('asyncjobs', jobs, (j: Job) => renderJob(ctx.core.world, j));
    },
  };
}

export const JOB_COMMANDS: readonly CommandDef[] = [queryAsyncJobResult, listAsyncJobs(false), listAsyncJobs(true)];
