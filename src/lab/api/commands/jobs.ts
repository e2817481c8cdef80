// Async-job queries: queryAsyncJobResult (fields directly under the response key) and
// listAsyncJobs (only unfinished jobs), the job object as jobs/job-json.ts renders it per release.

import { ApiError, CS } from '../errors.js';
import { listOf, type CommandDef } from '../types.js';
import type { Job } from '../../jobs/jobs.js';
import { renderJob } from '../../jobs/job-json.js';

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

const listAsyncJobs: CommandDef = {
  name: 'listAsyncJobs', async: false, list: true,
  params: [{ name: 'listall', type: 'boolean' }, { name: 'account', type: 'string' }, { name: 'keyword', type: 'string' }],
  handler: (ctx, args) => {
    const all = args.bool('listall');
    const account = args.str('account');
    const jobs = ctx.core.jobs.pending().filter((j) =>
      account !== undefined ? j.caller.account.name === account : all || j.caller.account.id === ctx.caller.account.id);
    return listOf('asyncjobs', jobs, (j: Job) => renderJob(ctx.core.world, j));
  },
};

export const JOB_COMMANDS: readonly CommandDef[] = [queryAsyncJobResult, listAsyncJobs];
