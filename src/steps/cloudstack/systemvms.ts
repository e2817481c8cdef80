// `cloudstack.systemvms`: restart, reboot or live-patch the secondary-storage and console-proxy VMs that
// match a selection, each followed by a check that it came back Running with its agent Up at the
// management server's version, through the rolling window (optional caps per zone and per host).
// Unlike cloudstack-sysvmadm, a failure fails the step and names the VMs.

import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { clientFor, HOST_ARG, MODE_ARG, selection } from './common.js';
import { listSystemVms, managementServerVersion, systemVmSummary, text, type Row } from './queries.js';
import { ACTION_TEXT, newOutcome, runOnVm, type ActionSettings, type VmOutcome } from './systemvm-action.js';
import { SYSTEM_VMS_DOC, SYSTEM_VMS_RESULT } from './reference.js';
import { ALLOW_EMPTY_ARG, requireKnown, requireSelected, universeOf, zoneUniverse } from './selection.js';
import { describeWindow, runWindow, type WindowLimits } from './window.js';

const SYSTEM_VMS_ARGS = {
  action: arg.oneOf(['restart', 'reboot', 'patch'], 'what to do with each selected VM').required(),
  types: arg.list(arg.oneOf(['secondarystoragevm', 'consoleproxy'], '', { aliases: { ssvm: 'secondarystoragevm', cpvm: 'consoleproxy' }, caseless: true }),
    'secondarystoragevm (ssvm) and/or consoleproxy (cpvm) (default both)', { single: true }),
  zones: arg.list(arg.string(), 'zone names or ids (default all)', { single: true }),
  states: arg.list(arg.string(), "VM states to select (default Running; 'any' for all)", { single: true }),
  names: arg.list(arg.string(), 'VM names (s-1-VM) or ids (default all)', { single: true }),
  forced: arg.bool('patch: patch even when the checksum matches; restart/reboot: forced stop'),
  concurrency: arg.int('VMs handled at the same time; the next starts as soon as one finishes', { min: 1 }).default(1),
  per_zone: arg.int('at most this many VMs at once per zone (0 or absent: no cap)', { min: 0 }),
  per_host: arg.int('at most this many VMs at once per hypervisor host (0 or absent: no cap)', { min: 0 }),
  timeout: arg.duration('per job').default(15 * 60_000),
  verify_timeout: arg.duration('how long a VM may take to be Running / agent Up / new version').default(5 * 60_000),
  verify_interval: arg.duration('between verification polls').default(5000),
  verify_version: arg.bool("check the VM's version against the management server's").default(true),
  version: arg.string("expected version (default: the management server's)"),
  allow_empty: ALLOW_EMPTY_ARG,
  host: HOST_ARG,
  mode: MODE_ARG,
};
type SystemVmsArgs = ArgsOf<typeof SYSTEM_VMS_ARGS>;

/** The VMs the step acts on; `types` arrive as the API's names (ssvm and cpvm are read as aliases). */
export function selectSystemVms(vms: readonly Row[], args: Pick<SystemVmsArgs, 'types' | 'zones' | 'names' | 'states'>): Row[] {
  const types: readonly string[] = args.types ?? [];
  const zones = selection(args.zones);
  const names = selection(args.names);
  const states = args.states === undefined ? ['running'] : selection(args.states).map((s) => s.toLowerCase());
  return vms.filter((vm) =>
    (types.length === 0 || types.includes(text(vm['systemvmtype']).toLowerCase())) &&
    (zones.length === 0 || zones.includes(text(vm['zonename'])) || zones.includes(text(vm['zoneid']))) &&
    (names.length === 0 || names.includes(text(vm['name'])) || names.includes(text(vm['id']))) &&
    (states.length === 0 || states.includes('any') || states.includes(text(vm['state']).toLowerCase())));
}

interface Prepared {
  readonly name: string;
  readonly client: Awaited<ReturnType<typeof clientFor>>['client'];
  readonly selected: Row[];
  readonly settings: ActionSettings;
  readonly limits: WindowLimits;
  readonly versionNote: string;
}

async function prepare(ctx: StepContext, args: SystemVmsArgs): Promise<Prepared> {
  const { name, client } = await clientFor(ctx, args.host, args.mode);
  const vms = await listSystemVms(client);
  await requireKnown(name, [
    { arg: 'zones', values: selection(args.zones), universe: () => zoneUniverse(client) },
    { arg: 'names', values: selection(args.names), universe: async () => universeOf(vms, 'system VM', 'system VMs') },
  ]);
  const selected = selectSystemVms(vms, args);
  requireSelected(name, 'system VMs', { zones: selection(args.zones), names: selection(args.names) }, selectSystemVms(vms, { ...args, states: ['any'] }).length, args.allow_empty === true);
  let version = args.version;
  let versionNote = '';
  if (version === undefined && args.verify_version !== false) {
    const ms = await managementServerVersion(client);
    version = ms.version;
    if (version === undefined) {
      versionNote = ' (the management-server version is hidden: the version check is skipped)';
      ctx.warn(`${name}: cannot read the management-server version; system VMs are checked for Running / agent Up only (pass version: to check it)`);
    }
  }
  const settings: ActionSettings = {
    action: args.action,
    forced: args.forced === true,
    jobTimeoutMs: args.timeout,
    verifyTimeoutMs: args.verify_timeout,
    verifyIntervalMs: args.verify_interval,
    version: args.verify_version === false ? undefined : version,
  };
  const limits = { concurrency: args.concurrency, perZone: args.per_zone || undefined, perHost: args.per_host || undefined };
  return { name, client, selected, settings, limits, versionNote };
}

function describeSelection(args: SystemVmsArgs): string {
  const parts = [
    args.types?.length ? `types ${args.types.join(', ')}` : 'all types',
    selection(args.zones).length ? `zones ${selection(args.zones).join(', ')}` : '',
    selection(args.names).length ? `names ${selection(args.names).join(', ')}` : '',
    `states ${args.states === undefined ? 'Running' : selection(args.states).join(', ')}`,
  ];
  return parts.filter((p) => p !== '').join('; ');
}

function vmLine(vm: Row): string {
  return `${text(vm['name'])} (${text(vm['systemvmtype'])}, ${text(vm['zonename'])}): ${text(vm['state'])}, agent ${text(vm['agentstate'])}, version ${text(vm['version'])}`;
}

function summary(outcomes: readonly VmOutcome[], p: Prepared): Record<string, unknown> {
  return {
    action: p.settings.action,
    endpoint: p.name,
    expected_version: p.settings.version ?? null,
    total: outcomes.length,
    // `failed`/`changed` belong to the step itself in a registered result: the counts live here.
    totals: {
      ok: outcomes.filter((o) => o.status === 'ok').length,
      failed: outcomes.filter((o) => o.status === 'failed').length,
      skipped: outcomes.filter((o) => o.status === 'skipped').length,
    },
    vms: outcomes.map((o) => ({ ...o })),
  };
}

export const systemVmsStep = defineStep({
  name: 'cloudstack.systemvms',
  summary: 'Restart, reboot or live-patch SSVMs/CPVMs, then verify Running, agent Up and the new version',
  description: SYSTEM_VMS_DOC,
  result: SYSTEM_VMS_RESULT,
  args: SYSTEM_VMS_ARGS,
  effect: 'write',
  runsOn: 'runner',
  describe: (args) => `${String(args.action)} system VMs${allKnown(args) ? ` (${describeSelection(args)})` : ''}`,
  async check(ctx, args) {
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      return { changed: true, plan: `would ${String(args.action)} system VMs`, unknown: `${u.name} is unknown in a dry run: ${u.reason}` };
    }
    const p = await prepare(ctx, args);
    if (p.selected.length === 0) return { changed: false, plan: `no system VMs on ${p.name} match (${describeSelection(args)})`, result: summary([], p) };
    const outcomes = p.selected.map((vm) => newOutcome(vm, args.action));
    for (const o of outcomes) o.message = 'planned';
    const check = p.settings.version ? `Running, agent Up, version ${p.settings.version}` : 'Running, agent Up';
    const plan = [
      `would ${args.action} ${p.selected.length} system VM(s) on ${p.name} with ${ACTION_TEXT[args.action]}${args.forced ? ' (forced)' : ''}, ` +
        `${p.limits.concurrency === 1 && p.limits.perZone === undefined && p.limits.perHost === undefined ? 'one at a time' : describeWindow(p.limits, 'VM(s)')}, then check ${check}${p.versionNote}:`,
      ...p.selected.map((vm) => `  ${vmLine(vm)} → ${args.action}`),
    ].join('\n');
    return { changed: true, plan, msg: `would ${args.action} ${p.selected.map((v) => text(v['name'])).join(', ')}`, result: { ...summary(outcomes, p), vms: outcomes.map((o) => ({ ...o, status: 'planned' })), selected: p.selected.map(systemVmSummary) } };
  },
  async apply(ctx, args): Promise<StepOutcome> {
    const p = await prepare(ctx, args);
    if (p.selected.length === 0) return { changed: false, msg: `no system VMs on ${p.name} match (${describeSelection(args)})`, result: summary([], p) };
    const outcomes = p.selected.map((vm) => newOutcome(vm, args.action));
    const subs = outcomes.map((o) => ctx.subtask(o.id, `${o.name} (${o.type}, ${o.zone}): ${args.action}`));
    let done = 0;
    const index = new Map(outcomes.map((o, i) => [o, i]));
    const placeOf = new Map(p.selected.map((vm, i) => [outcomes[i]!, { zone: text(vm['zonename']), hosts: typeof vm['hostname'] === 'string' ? [vm['hostname']] : [] }]));
    await runWindow(outcomes.map((o) => [o]), p.limits, {
      place: (o) => placeOf.get(o)!,
      run: async (o) => {
        await runOnVm(ctx, p.client, o, p.settings, subs[index.get(o)!]!);
        done++;
        ctx.progress(`${done}/${outcomes.length} system VM(s) done`);
        return 'continue';
      },
      left: (o) => {
        o.message = 'not started: the run was interrupted';
        subs[index.get(o)!]!.update('skipped', o.message);
      },
    }, ctx.signal);
    const result = summary(outcomes, p);
    const failed = outcomes.filter((o) => o.status === 'failed');
    const skipped = outcomes.filter((o) => o.status === 'skipped');
    const acted = outcomes.some((o) => o.jobs.length > 0);
    if (failed.length > 0 || skipped.length > 0) {
      const lines = failed.map((o) => `${o.name}: ${o.message}`);
      const restartHint = args.action === 'patch' && failed.length > 0
        ? ` The failed VM(s) can be restarted instead (stop + start rebuilds them from the new template): run the restart playbook, or cloudstack.systemvms with action: restart and names: [${failed.map((o) => o.name).join(', ')}].`
        : '';
      const skippedText = skipped.length > 0 ? ` ${skipped.length} not started (interrupted): ${skipped.map((o) => o.name).join(', ')}.` : '';
      throw new StepFailedError(
        `${failed.length} of ${outcomes.length} system VM(s) failed to ${args.action}${failed.length ? ` (${failed.map((o) => o.name).join(', ')})` : ''}: ${lines.join('; ')}.${skippedText}${restartHint}`,
        { ...result, changed: acted },
      );
    }
    const took = `${outcomes.length} system VM(s) ${args.action === 'patch' ? 'patched' : args.action === 'reboot' ? 'rebooted' : 'restarted'} and verified`;
    return { changed: acted, msg: `${took}: ${outcomes.map((o) => o.name).join(', ')}${p.settings.version ? ` (version ${p.settings.version})` : ''}`, result };
  },
});

