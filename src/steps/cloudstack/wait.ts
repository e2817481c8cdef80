// `cloudstack.wait`: wait for a management server to answer signed API calls again (after a restart),
// or for its integration port to open or close (probed through `via` when the inventory routes the API
// through a jump host). `for: exposure` probes the integration port directly from the runner, once.

import net from 'node:net';
import { CloudStackApiError, CloudStackConnectionError, CloudStackResponseError } from '../../cloudstack/errors.js';
import { DEFAULT_INTEGRATION_PORT, isIntegrationPortOpen, type PortState } from '../../cloudstack/helpers.js';
import { connectThrough } from '../../transports/connect-via.js';
import { formatDuration } from '../../util/durations.js';
import { Budget } from '../../util/budget.js';
import { arg } from '../schema/arg.js';
import type { ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { clientFor, errorText, HOST_ARG, targetHost } from './common.js';

const WAIT_ARGS = {
  for: arg.oneOf(['api', 'integration-open', 'integration-closed', 'exposure'], 'what to wait for').default('api'),
  timeout: arg.duration('give up after this long').default(15 * 60_000),
  interval: arg.duration('time between attempts').default(5000),
  port: arg.port("integration port (default: the inventory's integration_port, else 8096)"),
  address: arg.string('address of the management server as the runner sees it, for the exposure check'),
  on_exposed: arg.oneOf(['ignore', 'warn', 'fail'], 'when the integration port is reachable from the runner (default warn; ignore for for: exposure)'),
  host: HOST_ARG,
};
type WaitArgs = ArgsOf<typeof WAIT_ARGS>;

interface Target {
  readonly name: string;
  /** Management-server host as the API URL names it (seen from `via` when set). */
  readonly msHost: string;
  readonly port: number;
  readonly via: string | undefined;
  /** Where the runner itself would reach the management server. */
  readonly directHost: string;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

function target(ctx: StepContext, args: WaitArgs): Target {
  const name = targetHost(ctx, args.host);
  const entry = ctx.inventory.hosts.get(name)!;
  const cs = entry.cloudstack!;
  const url = cs.url ?? `http://${entry.address ?? name}:8080/client/api`;
  const msHost = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  const via = cs.via;
  // With `via`, a loopback URL means "the jump host itself": from the runner that is its address.
  const viaAddress = via ? ctx.inventory.hosts.get(via)?.address : undefined;
  const directHost = args.address ?? (via && isLoopback(msHost) && viaAddress ? viaAddress : msHost);
  const port = args.port ?? cs.integrationPort ?? DEFAULT_INTEGRATION_PORT;
  return { name, msHost, port, via, directHost };
}

function probe(ctx: StepContext, t: Target): Promise<PortState> {
  const via = t.via;
  return via ? isIntegrationPortOpen(t.msHost, t.port, (h, p) => connectThrough(ctx.services, via, h, p)) : isIntegrationPortOpen(t.msHost, t.port);
}

/** Is the unauthenticated port reachable straight from the runner (no tunnel)? */
async function exposure(t: Target): Promise<{ exposed: boolean; state: PortState; address: string }> {
  const state = await isIntegrationPortOpen(t.directHost, t.port);
  return { exposed: state === 'open', state, address: `${net.isIPv6(t.directHost) ? `[${t.directHost}]` : t.directHost}:${t.port}` };
}

function reportExposure(ctx: StepContext, t: Target, e: { exposed: boolean; address: string }, action: NonNullable<WaitArgs['on_exposed']>): void {
  if (!e.exposed || action === 'ignore') return;
  const text = `the unauthenticated integration port of ${t.name} is reachable directly from this runner at ${e.address}: anyone who can reach it has root-admin API access`;
  if (action === 'fail') throw new StepFailedError(text, { exposed: true, address: e.address });
  ctx.warn(text);
}

/** An unauthenticated listCapabilities on the port (through `via` when set) answers 200. */
async function answers(ctx: StepContext, t: Target): Promise<boolean> {
  const via = t.via;
  const host = net.isIPv6(t.msHost) ? `[${t.msHost}]` : t.msHost;
  try {
    const { httpRequest } = await import('../../transports/http.js'); // on first use (start-up cost)
    const res = await httpRequest({
      method: 'GET', url: `http://${host}:${t.port}/client/api`, query: { command: 'listCapabilities', response: 'json' }, timeoutMs: 10_000,
      ...(via ? { connect: (h: string, p: number) => connectThrough(ctx.services, via, h, p) } : {}),
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Errors that mean "not up yet" rather than "will never work". */
function notReadyYet(err: unknown): string | undefined {
  if (err instanceof CloudStackConnectionError) return `connection ${err.code}`;
  if (err instanceof CloudStackApiError && (err.httpStatus === 503 || err.httpStatus === 502 || err.httpStatus === 404)) return `HTTP ${err.httpStatus}`;
  if (err instanceof CloudStackResponseError) return `not a CloudStack answer yet (HTTP ${err.httpStatus})`;
  return undefined;
}

async function waitApi(ctx: StepContext, args: WaitArgs, budget: Budget, intervalMs: number): Promise<StepOutcome> {
  const { name, client } = await clientFor(ctx, args.host, 'signed');
  let attempts = 0;
  let last = 'no answer yet';
  for (;;) {
    attempts++;
    ctx.progress(`waiting for the API of ${name} (listCapabilities): ${budget.describe()}, ${last}`);
    try {
      const caps = await client.call('listCapabilities');
      const capability = caps['capability'] as Record<string, unknown> | undefined;
      const version = typeof capability?.['cloudstackversion'] === 'string' ? capability['cloudstackversion'] : null;
      return { changed: false, msg: `${name} answers API calls (after ${formatDuration(budget.elapsedMs)}, ${attempts} attempt(s))`, result: { ready: true, attempts, waited_s: Math.round(budget.elapsedMs / 1000), version } };
    } catch (err) {
      const why = notReadyYet(err);
      if (why === undefined) throw err;
      last = why;
    }
    if (budget.expired) break;
    if (!(await budget.sleep(intervalMs))) throw new StepFailedError(`interrupted while waiting for the API of ${name}`);
  }
  throw new StepFailedError(`${name} did not answer API calls within ${formatDuration(budget.limitMs)} (${attempts} attempts, last: ${last})`, { ready: false, attempts });
}

async function waitPort(ctx: StepContext, args: WaitArgs, t: Target, budget: Budget, intervalMs: number, want: 'open' | 'closed'): Promise<StepOutcome> {
  const where = `${t.msHost}:${t.port}${t.via ? ` via ${t.via}` : ''}`;
  let attempts = 0;
  let state: PortState | 'answering' | 'not answering' = 'closed';
  for (;;) {
    attempts++;
    ctx.progress(`waiting for the integration port of ${t.name} (${where}) to ${want === 'open' ? 'open' : 'close'}: ${budget.describe()}, now ${state}`);
    state = await probe(ctx, t);
    if (want === 'open' && state === 'open') {
      // TCP alone is not enough: the listener may accept before the API behind it answers.
      if (await answers(ctx, t)) break;
      state = 'not answering';
    }
    if (want === 'closed' && state !== 'open') break;
    if (budget.expired) {
      throw new StepFailedError(`the integration port of ${t.name} (${where}) is still ${state} after ${formatDuration(budget.limitMs)}`, { state, attempts });
    }
    if (!(await budget.sleep(intervalMs))) throw new StepFailedError(`interrupted while waiting for the integration port of ${t.name}`);
  }
  const e = await exposure(t);
  reportExposure(ctx, t, e, args.on_exposed ?? 'warn');
  return {
    changed: false,
    msg: `integration port of ${t.name} (${where}) is ${state === 'open' ? 'open' : state} after ${formatDuration(budget.elapsedMs)}${e.exposed ? ` — EXPOSED at ${e.address}` : ''}`,
    result: { ready: true, state: state === 'open' ? 'open' : state, attempts, waited_s: Math.round(budget.elapsedMs / 1000), exposed: e.exposed, exposure_state: e.state, port: t.port },
  };
}

export const waitStep = defineStep({
  name: 'cloudstack.wait',
  summary: 'Wait for a management server API, or its integration port to open/close; or check the port\'s exposure',
  description: [
    '`for: api` (the default) waits until a signed `listCapabilities` succeeds: refused connections, resets, 502/503/404 and answers '
      + 'that are not CloudStack\'s mean "not yet"; a 401 fails at once. `integration-open` / `integration-closed` probe the '
      + 'integration port over TCP (through `via` when the inventory has one; `open` also needs an unauthenticated `listCapabilities` '
      + 'to answer). `exposure` probes once, directly from the runner, whether the port can be reached from outside, and does not wait.',
    '',
    'Progress shows what is awaited, how long it has waited of the timeout, and the last reason. A waiting budget counts the larger '
      + 'of wall-clock time and the sum of the intervals slept, so `timeout: 20s, interval: 5s` means 5 attempts even when the '
      + 'run\'s clock makes sleeps instant (tests). It runs for real in a dry run.',
  ].join('\n'),
  result: {
    ready: ['boolean', 'what was awaited happened'],
    attempts: ['integer', 'probes made'],
    waited_s: ['integer', 'seconds waited'],
    version: ['string', '`api`: the CloudStack version that answered'],
    state: ['string', 'port waits and `exposure`: open or closed'],
    exposed: ['boolean', 'port waits and `exposure`: the port answers directly from the runner'],
    exposure_state: ['string', 'port waits: the exposure probe\'s state'],
    port: ['integer', 'port waits and `exposure`: the integration port'],
    address: ['string', '`exposure`: the address probed'],
  },
  args: WAIT_ARGS,
  effect: 'read',
  runsOn: 'runner',
  async apply(ctx, args) {
    const what = args.for;
    const budget = new Budget(ctx, args.timeout);
    const intervalMs = args.interval;
    if (what === 'api') return waitApi(ctx, args, budget, intervalMs);
    const t = target(ctx, args);
    if (what === 'exposure') {
      const e = await exposure(t);
      reportExposure(ctx, t, e, args.on_exposed ?? 'ignore');
      return {
        changed: false,
        msg: e.exposed ? `integration port of ${t.name} is EXPOSED: reachable from this runner at ${e.address}` : `integration port of ${t.name} is not reachable from this runner at ${e.address} (${e.state})`,
        result: { exposed: e.exposed, state: e.state, address: e.address, port: t.port },
      };
    }
    try {
      return await waitPort(ctx, args, t, budget, intervalMs, what === 'integration-open' ? 'open' : 'closed');
    } catch (err) {
      if (err instanceof StepFailedError) throw err;
      throw new StepFailedError(`probing the integration port of ${t.name}: ${errorText(err)}`);
    }
  },
});
