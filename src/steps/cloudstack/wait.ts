// `cloudstack.wait`: wait for a management server to answer signed API calls again (after a restart),
// or for its integration port to open or close (probed through `via` when the inventory routes the API
// through a jump host). `for: exposure` probes the integration port directly from the runner, once.

import type { PortState } from '../../cloudstack/helpers.js';
import { formatDuration } from '../../util/durations.js';
import { Budget } from '../../util/budget.js';
import { arg } from '../schema/arg.js';
import type { ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { errorText, HOST_ARG, targetHost } from './common.js';
import { answers, exposure, portTarget, probePort, waitForApi, type PortTarget } from './ms-probe.js';

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

function reportExposure(ctx: StepContext, t: PortTarget, e: { exposed: boolean; address: string }, action: NonNullable<WaitArgs['on_exposed']>): void {
  if (!e.exposed || action === 'ignore') return;
  const text = `the unauthenticated integration port of ${t.name} is reachable directly from this runner at ${e.address}: anyone who can reach it has root-admin API access`;
  if (action === 'fail') throw new StepFailedError(text, { exposed: true, address: e.address });
  ctx.warn(text);
}

async function waitApi(ctx: StepContext, args: WaitArgs, budget: Budget, intervalMs: number): Promise<StepOutcome> {
  const name = targetHost(ctx, args.host);
  const back = await waitForApi(ctx, args.host, budget, intervalMs);
  return {
    changed: false, msg: `${name} answers API calls (after ${formatDuration(budget.elapsedMs)}, ${back.attempts} attempt(s))`,
    result: { ready: true, attempts: back.attempts, waited_s: Math.round(budget.elapsedMs / 1000), version: back.version },
  };
}

async function waitPort(ctx: StepContext, args: WaitArgs, t: PortTarget, budget: Budget, intervalMs: number, want: 'open' | 'closed'): Promise<StepOutcome> {
  const where = `${t.msHost}:${t.port}${t.via ? ` via ${t.via}` : ''}`;
  let attempts = 0;
  let state: PortState | 'answering' | 'not answering' = 'closed';
  for (;;) {
    attempts++;
    ctx.progress(`waiting for the integration port of ${t.name} (${where}) to ${want === 'open' ? 'open' : 'close'}: ${budget.describe()}, now ${state}`);
    state = await probePort(ctx, t);
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
    const t = portTarget(ctx, args.host, args.port, args.address);
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
