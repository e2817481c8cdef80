// `cloudstack.integration_port`: the unauthenticated port across every management server. `inspect`
// (a read) reports the database value and, server by server, whether it listens, whether the runner
// reaches it, and its start time — the baseline a later close compares with. `closed` puts the value
// back and restarts, one at a time, every server that started while the port was set or still listens,
// then probes them all; as an undo with `deadman: { hosts }` each server gets the same as a script.

import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { CloudDbError, dbLogin, type DbLogin } from './cloud-db.js';
import { DEFAULT_INTEGRATION_PORT } from '../../cloudstack/helpers.js';
import { HOST_ARG, targetHost } from './common.js';
import { serverHosts } from './ms-cluster.js';
import { closePort, closeScript } from './port-close.js';
import { inspectPort } from './port-inspect.js';
import { RESTART_ARGS } from './restart.js';

const PORT_ARGS = {
  state: arg.oneOf(['inspect', 'closed'], 'inspect: report on every server (a read); closed: put the value back and restart what must be').required(),
  servers: arg.list(arg.host('ssh'), 'the management servers (inventory hosts; default: every host with cloudstack: settings)'),
  port: arg.port("the integration port (default: the inventory's integration_port, else 8096)"),
  value: arg.any('closed: the database value to put back (null or "" for no value)'),
  baseline: arg.any('closed: `starts` of an inspect registered before the port was opened (host → lastserverstart)'),
  db: arg.any('closed: the database login ({host, user, password}) for when the API refuses, and for the dead-man script'),
  db_host: arg.host('ssh', 'closed: the host that runs mysql when the API refuses (default: host)'),
  drain: arg.oneOf(['auto', 'shutdown', 'jobs'], "closed: drain each server through a peer before its restart — auto: 4.19–4.20's shutdown API (never 4.21 maintenance: a killed run would leave the server in it across the dead-man's restart), else its own jobs").default('auto'),
  drain_timeout: arg.duration('closed: how long a server may take to drain (then it is restarted anyway)').default(10 * 60_000),
  server_ids: arg.any("closed: `servers` of an inspect registered before the port was opened (each `host` with its mshost `id`): a server's dead-man script then also restarts it when its row shows a shutdown drain a lost run left"),
  deadman_stagger: arg.duration("the dead-man script: how long the n-th server waits after the (n-1)-th before restarting").default(10 * 60_000),
  host: HOST_ARG,
  ...RESTART_ARGS,
  jobs_timeout: RESTART_ARGS.jobs_timeout.describedAs('closed: how long a restart waits for the jobs its server executes (it restarts anyway then)'),
};
type PortArgs = ArgsOf<typeof PORT_ARGS>;

function login(args: PortArgs): DbLogin | undefined {
  if (args.db === undefined || args.db === null) return undefined;
  try {
    return dbLogin(args.db, 'db');
  } catch (err) {
    throw new StepFailedError((err as CloudDbError).message);
  }
}

/** The mshost uuid of `host` in an inspect's `servers`, only when it has a uuid's shape (it goes into SQL as a literal). */
function ownId(servers: unknown, host: string): string | undefined {
  if (!Array.isArray(servers)) return undefined;
  const row = servers.find((s): s is Record<string, unknown> => s !== null && typeof s === 'object' && (s as Record<string, unknown>)['host'] === host);
  const id = row?.['id'];
  return typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? id : undefined;
}

const value = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const portOf = (ctx: StepContext, args: PortArgs, host: string): number =>
  args.port ?? ctx.inventory.hosts.get(host)?.cloudstack?.integrationPort ?? DEFAULT_INTEGRATION_PORT;

async function apply(ctx: StepContext, args: PortArgs): Promise<StepOutcome> {
  const hosts = serverHosts(ctx, args.servers);
  const ask = targetHost(ctx, args.host);
  const port = portOf(ctx, args, ask);
  if (args.state === 'inspect') {
    const r = await inspectPort(ctx, args.host, hosts, port);
    const msg = r.problems.length === 0
      ? `integration port ${port} closed on ${r.servers.map((s) => s.host).join(', ')}; the database holds ${JSON.stringify(r.db_value)}`
      : `${r.problems.length} problem(s): ${r.problems.join('; ')}`;
    return { changed: false, msg, result: { ...r, port } };
  }
  const baseline = args.baseline !== null && typeof args.baseline === 'object' && !Array.isArray(args.baseline) ? (args.baseline as Record<string, unknown>) : undefined;
  if (baseline === undefined) ctx.warn('no baseline of start times: every management server is restarted to be sure its port is closed');
  const r = await closePort(ctx, {
    askHost: ask, hosts, port, value: value(args.value), baseline, db: login(args), dbHost: args.db_host ?? ask,
    restart: {
      service: args.service, jobsTimeoutMs: args.jobs_timeout, startTimeoutMs: args.start_timeout, intervalMs: args.interval,
      become: args.become, become_user: args.become_user, become_password: args.become_password,
    },
    drain: args.drain, drainTimeoutMs: args.drain_timeout,
  });
  return {
    changed: r.restoredVia !== 'unchanged' || r.restarted.length > 0, msg: r.lines.join('; '),
    result: { restored_via: r.restoredVia, restarted: r.restarted, skipped: r.skipped, port },
  };
}

export const integrationPortStep = defineStep({
  name: 'cloudstack.integration_port',
  summary: 'The integration port on every management server: inspect it, or close it (value back, restarts where needed)',
  description:
    'inspect registers db_value, servers (host, name, state, lastserverstart, listening per port, exposed), starts, open, ' +
    'exposed, not_up, unmapped and problems. closed writes `value` back (API first, mysql on db_host with the login on ' +
    "its standard input when the API refuses), restarts one at a time every server whose lastserverstart differs from " +
    '`baseline` or that listens — each drained through a peer first (`drain: auto`: prepareForShutdown on 4.19–4.20, '
    + 'until readyForShutdown; a drain that fails or times out is cancelled and the server restarted anyway; before 4.19, '
    + 'and on 4.21+ where a killed run would leave the server in maintenance across its restart, the jobs it executes are '
    + 'waited for) — and fails while any server still listens. As an ' +
    "undo, `deadman: { after, hosts }` without a command arms on each host a script that writes the value back and " +
    'restarts that server if its port answers.',
  result: {
    port: ['integer', 'the integration port checked'],
    db_value: ['string or null', '`state: inspect`: integration.api.port as the database holds it'],
    servers: ['list', '`state: inspect`: per server `host`, `name`, `id`, `state`, `version`, `lastserverstart`, `listening`, `exposed`'],
    starts: ['mapping', '`state: inspect`: inventory host → lastserverstart (the baseline a later close compares with)'],
    open: ['list of strings', '`state: inspect`: servers whose port listens'],
    exposed: ['list of strings', '`state: inspect`: servers whose port the runner reaches'],
    not_up: ['list of strings', '`state: inspect`: servers not Up'],
    unmapped: ['list', '`state: inspect`: servers no inventory host reaches (`name`, `state`)'],
    problems: ['list of strings', '`state: inspect`: what is wrong'],
    checked_at: ['string', '`state: inspect`: when (ISO time)'],
    restored_via: ['string', '`state: closed`: how the value was put back: `api`, `database`, or `unchanged` when it already was'],
    restarted: ['list of strings', '`state: closed`: servers restarted to close their port'],
    skipped: ['list of strings', '`state: closed`: servers that are down (not Up, service stopped): they read the closed value when they start'],
  },
  args: PORT_ARGS,
  effect: 'write',
  runsOn: 'runner',
  describe: (args) => (args.state === 'inspect' ? 'inspect the integration port on every management server' : 'close the integration port on every management server'),
  validate(args, report) {
    if (args.state === 'closed' && args.value === undefined) report('value', 'missing-argument', "state: closed needs 'value' (the value to put back)");
  },
  async check(ctx, args) {
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      return { changed: true, unknown: `${u.name} is unknown in a dry run: ${u.reason}`, plan: `would ${args.state === 'inspect' ? 'inspect' : 'close'} the integration port` };
    }
    const hosts = serverHosts(ctx, args.servers);
    const ask = targetHost(ctx, args.host);
    if (args.state === 'inspect') return apply(ctx, args);
    const drain = args.drain === 'jobs' ? 'after the jobs it executes' : 'drained through a peer first (4.19–4.20 prepareForShutdown; else after its own jobs)';
    return { changed: true, plan: `would put integration.api.port back to ${JSON.stringify(value(args.value))} and restart, one at a time, those of ${hosts.join(', ')} that started while it was set or listen, each ${drain} (asking ${ask})` };
  },
  apply,
  deadman(args, target) {
    const db = login(args);
    if (db === undefined) throw new StepFailedError("the dead-man script of cloudstack.integration_port needs 'db' (the database login)");
    const port = args.port ?? DEFAULT_INTEGRATION_PORT;
    return closeScript(db, value(args.value), port, args.service, target.index, Math.round(args.deadman_stagger / 1000), ownId(args.server_ids, target.host));
  },
});
