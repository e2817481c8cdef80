// `cloudstack.restart`: restart one management server without breaking the jobs it runs — wait (bounded)
// for the jobs that server is executing (listAsyncJobs managementserverid, 4.19+; every pending job
// before), ignore the rest of the cloud's, restart the unit over SSH and wait until its own API answers
// and it is Up again. Registers which jobs it waited for and which it broke.

import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown } from '../schema/schema.js';
import { BECOME_ARGS } from '../remote/command.js';
import { defineStep } from '../types.js';
import { targetHost } from './common.js';
import { describeDrain, drainedRestart } from './ms-drained-restart.js';
import { serverHosts } from './ms-cluster.js';
import { describeRestart } from './ms-restart.js';

export const RESTART_ARGS = {
  service: arg.string('systemd unit of the management server').default('cloudstack-management'),
  jobs_timeout: arg.duration('how long to wait for the jobs the server is executing').default(10 * 60_000),
  on_jobs_timeout: arg.oneOf(['fail', 'restart'], 'jobs still running when the wait ends: fail without restarting, or restart anyway').default('fail'),
  start_timeout: arg.duration('how long the API may take to come back').default(15 * 60_000),
  interval: arg.duration('time between polls').default(5000),
  ...BECOME_ARGS,
};

export const restartStep = defineStep({
  name: 'cloudstack.restart',
  summary: 'Restart a management server after the jobs it executes have finished; wait for its API (registers waited, broken)',
  description:
    'Jobs a restart would fail are the ones the server itself executes (listAsyncJobs managementserverid, 4.19+); ' +
    'before 4.19 a job does not say where it runs, so every pending job is waited for. The restart is `systemctl ' +
    'restart` over SSH (the play\'s host, or host:); the step ends when that server\'s own API (its cloudstack.url, ' +
    'not a load balancer) answers signed calls and listManagementServers shows it Up.',
  result: {
    host: ['string', 'the management server restarted'],
    waited: ['list', 'jobs it executed that finished while the step waited'],
    broken: ['list', 'jobs the restart cut short (submitted meanwhile, or still running at the deadline)'],
    jobs_scope: ['string', '`server`, `cloud` or `none`: whose jobs were waited for (by release)'],
    previous_start: ['string or null', 'lastserverstart before the restart'],
    last_start: ['string or null', 'lastserverstart after it'],
  },
  args: {
    host: arg.host('ssh', 'the management server to restart (default: the play\'s host)'),
    ...RESTART_ARGS,
    drain: arg.oneOf(['jobs', 'auto', 'shutdown'], "jobs: wait for the jobs it executes (the default); auto: drain it through a peer first where the release has the shutdown API (4.19–4.20; never 4.21 maintenance, which a killed run would leave across a restart)").default('jobs'),
    drain_timeout: arg.duration('how long it may take to drain (then: as on_jobs_timeout says)').default(10 * 60_000),
    servers: arg.list(arg.host('ssh'), 'the management servers a peer is chosen from (default: every host with cloudstack: settings)'),
  },
  effect: 'write',
  runsOn: 'host',
  describe: (args) => `restart ${String(args.service)} on ${String(args.host ?? 'the host')} once its jobs are done`,
  async check(ctx, args) {
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      return { changed: true, unknown: `${u.name} is unknown in a dry run: ${u.reason}`, plan: 'would restart a management server' };
    }
    const host = targetHost(ctx, args.host);
    const how = args.drain === 'jobs' ? `wait for the jobs ${host} executes (up to ${Math.round(args.jobs_timeout / 1000)}s)`
      : `drain ${host} through a peer (prepareForShutdown, 4.19–4.20; else wait for its jobs)`;
    return { changed: true, plan: `would ${how}, then systemctl restart ${args.service} on ${host}` };
  },
  async apply(ctx, args) {
    const host = targetHost(ctx, args.host);
    const d = await drainedRestart(ctx, {
      host, service: args.service, jobsTimeoutMs: args.jobs_timeout, onJobsTimeout: args.on_jobs_timeout, startTimeoutMs: args.start_timeout,
      intervalMs: args.interval, become: args.become, become_user: args.become_user, become_password: args.become_password,
      servers: args.drain === 'jobs' ? [] : serverHosts(ctx, args.servers), drain: args.drain, drainTimeoutMs: args.drain_timeout, maintenance: false,
      onDrainFailure: args.on_jobs_timeout,
    });
    const r = d.restart;
    return {
      changed: true, msg: `${describeDrain(d)}${describeRestart(r)}`,
      result: { host, waited: r.waited, broken: r.broken, jobs_scope: r.jobsScope, previous_start: r.previousStart, last_start: r.lastStart },
    };
  },
});
