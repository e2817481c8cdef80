// `cloudstack.management_restart`: restart one management server without losing the API or a job. Its
// peers keep answering while it is drained (4.21+ maintenance, 4.19–4.20 shutdown; before 4.19 its own
// jobs are waited for), then it is restarted as `cloudstack.restart` does and must come back Up at the
// expected version. Run with `serial: 1` over the management servers, it is a rolling restart.

import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown } from '../schema/schema.js';
import { defineStep, StepFailedError } from '../types.js';
import { sameVersion, targetHost } from './common.js';
import { DRAINING, drainModeOf, peerOf, targetRow } from './ms-drain.js';
import { describeDrain, drainedRestart, refuseWithoutPeer } from './ms-drained-restart.js';
import { describeRestart } from './ms-restart.js';
import { listServers, serverHosts } from './ms-cluster.js';
import { text } from './queries.js';
import { RESTART_ARGS } from './restart.js';

export const managementRestartStep = defineStep({
  name: 'cloudstack.management_restart',
  summary: 'Restart one management server while its peers keep the API: drain it (maintenance or shutdown API), restart, wait Up at the version',
  description:
    'Through a peer (another inventory management server that is Up): on 4.21+ prepareForMaintenance, then wait until '
    + 'listManagementServers shows it in Maintenance and readyForShutdown counts no pending job and no agent (its agents moved '
    + 'to the peers); on 4.19–4.20 prepareForShutdown, then wait for readyForShutdown; before 4.19 (no such API) the restart '
    + 'waits for the jobs it executes. Then `systemctl restart` over SSH, and the server must answer and be Up at `version` '
    + '(default: the version it had). On 4.21+ a server that is still in Maintenance after its start is taken out with '
    + 'cancelMaintenance (which also rebalances the agents). Refused before anything changes when no peer is Up: the API would '
    + 'go away with the server (and 4.21 refuses maintenance on the only active server). An interrupt, a failure or '
    + '`drain_timeout` while draining cancels the drain: the server takes jobs again.',
  result: {
    host: ['string', 'the management server restarted'],
    peer: ['string', 'the server whose API was used meanwhile'],
    drain: ['string', '`maintenance`, `shutdown` or `jobs`'],
    drained: ['string or null', 'the state it reached before the restart'],
    version_before: ['string', 'its version before'],
    version_after: ['string', 'its version after'],
    waited: ['list', 'jobs it executed that finished before the restart'],
    broken: ['list', 'jobs the restart cut short'],
  },
  args: {
    host: arg.host('ssh', 'the management server to restart (default: the play\'s host)'),
    servers: arg.list(arg.host('ssh'), 'the management servers a peer is chosen from (default: every host with cloudstack: settings)'),
    drain: arg.oneOf(['auto', 'maintenance', 'shutdown', 'jobs'], 'auto: what the release offers (4.21+ maintenance, 4.19+ shutdown, else jobs)').default('auto'),
    drain_timeout: arg.duration('how long the server may take to drain').default(30 * 60_000),
    version: arg.string('the version it must come back at (default: the version it had)'),
    ...RESTART_ARGS,
  },
  effect: 'write',
  runsOn: 'host',
  async check(ctx, args) {
    if (!allKnown(args)) return { changed: true, unknown: `${firstUnknown(args)!.name} is unknown in a dry run`, plan: 'would restart a management server' };
    const host = targetHost(ctx, args.host);
    const peer = await peerOf(ctx, host, serverHosts(ctx, args.servers));
    if (!peer) return { changed: false, unknown: `no other management server is Up: ${host} cannot be restarted without losing the API`, plan: `would refuse to restart ${host}` };
    const row = await targetRow(ctx, peer, host);
    const mode = args.drain === 'auto' ? drainModeOf(text(row['version'], '0')) : args.drain;
    const how = mode === 'jobs' ? 'wait for the jobs it executes' : `${mode === 'maintenance' ? 'prepareForMaintenance' : 'prepareForShutdown'} through ${peer.host} and wait until it is drained`;
    return { changed: true, plan: `would ${how}, then systemctl restart ${args.service} on ${host} and wait until it is Up at ${args.version || text(row['version'])}` };
  },
  async apply(ctx, args) {
    const host = targetHost(ctx, args.host);
    const peer = await peerOf(ctx, host, serverHosts(ctx, args.servers));
    if (!peer) refuseWithoutPeer(host);
    const row = await targetRow(ctx, peer, host);
    const before = text(row['version']);
    // a server a killed run left draining is taken up again: drained, restarted and taken out of it
    const left = [...DRAINING.maintenance, ...DRAINING.shutdown].includes(text(row['state']));
    if (row['state'] !== 'Up' && !left) throw new StepFailedError(`${host} is ${text(row['state'])}, not Up: nothing was changed`);
    if (left) ctx.warn(`${host} is ${text(row['state'])} (a drain an earlier run did not finish): draining and restarting it now`);
    const d = await drainedRestart(ctx, {
      host, servers: serverHosts(ctx, args.servers), peer, drain: args.drain, drainTimeoutMs: args.drain_timeout, maintenance: true,
      service: args.service, jobsTimeoutMs: args.jobs_timeout, onJobsTimeout: args.on_jobs_timeout, startTimeoutMs: args.start_timeout,
      intervalMs: args.interval, become: args.become, become_user: args.become_user, become_password: args.become_password,
    });
    const { mode, drained, restart: r } = d;
    const after = await targetRow(ctx, peer, host);
    const want = args.version !== undefined && args.version !== '' ? args.version : before;
    const now = text(after['version']);
    if (after['state'] !== 'Up') throw new StepFailedError(`${host} came back ${text(after['state'])}, not Up`);
    if (!sameVersion(now, want)) throw new StepFailedError(`${host} came back at ${now}, not ${want}`);
    const others = (await listServers(peer.client)).filter((s) => s['state'] !== 'Up').map((s) => `${text(s['name'])} ${text(s['state'])}`);
    if (others.length > 0) ctx.warn(`after restarting ${host}, not every management server is Up: ${others.join(', ')}`);
    return {
      changed: true,
      msg: `${describeDrain(d)}${describeRestart(r)}; Up at ${now}`,
      result: { host, peer: peer.host, drain: mode, drained, version_before: before, version_after: now, waited: r.waited, broken: r.broken },
    };
  },
});
