// `service`: start/stop/restart/reload a systemd unit, or just read its state, and check that the unit
// really ends in the wanted state (`systemctl is-active`), waiting out activating/deactivating. A dry
// run reads the current state for real and predicts the action.

import { formatDuration } from '../../util/durations.js';
import type { RemoteTransport } from '../../transports/types.js';
import { shellQuote } from '../../util/shell-quote.js';
import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext } from '../types.js';
import { BECOME_ARGS, ENV_ARG, execShell, lastLine } from './command.js';

const STATES = ['started', 'stopped', 'restarted', 'reloaded', 'status'] as const;
export type ServiceState = (typeof STATES)[number];

const SERVICE_ARGS = {
  name: arg.string('unit name, e.g. cloudstack-management').required(),
  state: arg.oneOf(STATES, 'wanted state, or status to only read it').required(),
  env: ENV_ARG.describedAs('environment for the systemctl commands (e.g. PATH, SYSTEMD_* settings)'),
  settle: arg.duration('how long to wait for the unit to leave activating/deactivating').default(30_000),
  ...BECOME_ARGS,
};
type ServiceArgs = ArgsOf<typeof SERVICE_ARGS>;

type Action = 'start' | 'stop' | 'restart' | 'reload';

/** States systemd passes through; the final state is read again until it leaves them. */
const TRANSITIONAL = new Set(['activating', 'deactivating', 'reloading', 'refreshing']);
const SETTLE_POLL_MS = 500;

function isRunning(state: string): boolean {
  return state === 'active' || state === 'activating' || state === 'reloading' || state === 'refreshing';
}

async function activeState(ctx: StepContext, t: RemoteTransport, args: ServiceArgs): Promise<string> {
  // is-active needs no privileges: no sudo, so no password prompt just to read.
  const r = await execShell(ctx, t, { command: `systemctl is-active -- ${shellQuote(args.name)}`, ...(args.env ? { env: args.env } : {}) });
  const state = r.stdout.trim().split('\n')[0] ?? '';
  if (state === '') throw new StepFailedError(`cannot read the state of ${args.name}: ${lastLine(r) || `systemctl exit code ${r.rc}`}`);
  return state;
}

/** The action needed to go from `current` to the wanted state, or null when there is nothing to do. */
export function actionFor(wanted: ServiceState, current: string): Action | null {
  switch (wanted) {
    case 'status': return null;
    case 'started': return current === 'active' ? null : 'start';
    case 'stopped': return isRunning(current) || current === 'deactivating' ? 'stop' : null;
    case 'restarted': return 'restart';
    case 'reloaded': return current === 'active' ? 'reload' : 'start';
  }
}

function satisfied(wanted: ServiceState, state: string): boolean {
  return wanted === 'stopped' ? !isRunning(state) && state !== 'deactivating' : state === 'active';
}

export const serviceStep = defineStep({
  name: 'service',
  summary: 'Start, stop, restart or reload a systemd unit (or read its state); registers state',
  description: [
    '`started` and `stopped` change the unit only when needed; `restarted` and `reloaded` always act (`reloaded` starts a stopped '
      + 'unit); `status` only reads. Reading the state never uses sudo; `become` applies to the action.',
    '',
    'After acting, the step reads `systemctl is-active` until the unit leaves activating/deactivating (up to `settle`) and fails '
      + 'unless it is in the wanted state (`active`, or not running for `stopped`): a start that exits 0 but leaves the unit `failed` '
      + 'fails the step. A dry run reads the state and predicts the action and the resulting state.',
    '',
    '```yaml',
    '- name: Restart the management server',
    '  service: {name: cloudstack-management, state: restarted, become: true}',
    '```',
  ].join('\n'),
  result: {
    state: ['string', 'the final `systemctl is-active` word'],
    was: ['string', 'the state before the step'],
    action: ['string or null', 'start, stop, restart, reload, or null when nothing was done'],
  },
  args: SERVICE_ARGS,
  effect: 'write',
  runsOn: 'host',
  describe: (args) => `${args.state === 'status' ? 'read the state of' : `make sure ${String(args.name)} is`} ${String(args.state === 'status' ? args.name : args.state)}`,
  async check(ctx, args) {
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      return { changed: true, unknown: `${u.name} is unknown in a dry run: ${u.reason}`, plan: `would manage a service (${u.name} not known yet)` };
    }
    const t = await ctx.services.ssh(ctx.hostName);
    const was = await activeState(ctx, t, args);
    const action = actionFor(args.state, was);
    const predicted = action === null ? was : action === 'stop' ? 'inactive' : 'active';
    const plan = action === null ? `${args.name} is ${was}: nothing to do` : `would systemctl ${action} ${args.name} (now ${was})`;
    return { changed: action !== null, plan, result: { state: predicted, was, action } };
  },
  async apply(ctx, args) {
    const t = await ctx.services.ssh(ctx.hostName);
    const was = await activeState(ctx, t, args);
    const action = actionFor(args.state, was);
    if (action === null) return { changed: false, msg: `${args.name} is ${was}`, result: { state: was, was, action: null } };
    ctx.progress(`systemctl ${action} ${args.name}`);
    const r = await execShell(ctx, t, { ...args, command: `systemctl ${action} -- ${shellQuote(args.name)}` }, { stream: true });
    if (r.rc !== 0) {
      const state = await activeState(ctx, t, args).catch(() => 'unknown');
      throw new StepFailedError(`systemctl ${action} ${args.name} failed (exit code ${r.rc})${lastLine(r) ? `: ${lastLine(r)}` : ''}`, { state, was, action });
    }
    ctx.services.record('change', { kind: 'service', host: ctx.hostName, name: args.name, action, was });
    const settleMs = args.settle;
    let state = await activeState(ctx, t, args);
    for (let waited = 0; TRANSITIONAL.has(state) && waited < settleMs && !ctx.signal.aborted; waited += SETTLE_POLL_MS) {
      ctx.progress(`${args.name} is ${state}`);
      await ctx.sleep(SETTLE_POLL_MS);
      state = await activeState(ctx, t, args);
    }
    if (!satisfied(args.state, state)) {
      const why = TRANSITIONAL.has(state) ? ` (still ${state} after ${formatDuration(settleMs)})` : '';
      throw new StepFailedError(`${args.name} is ${state} after systemctl ${action}${why}`, { state, was, action });
    }
    return { changed: true, msg: `${action}: ${was} → ${state}`, result: { state, was, action } };
  },
});
