// `cloudstack.routers`: reboot routers, restart their networks/VPCs (live patch or cleanup), or move them
// to the new template with upgradeRouterTemplate — through a rolling window (the next unit starts as soon
// as any finishes), redundant pairs BACKUP first, each router verified afterwards (Running, no longer
// requiring an upgrade). Routers that are not Running are reported and left alone. A dry run shows the plan.

import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { clientFor, HOST_ARG, MODE_ARG, selection } from './common.js';
import { listNetworks, listRouters, listVpcs, text, type Row } from './queries.js';
import { buildChains, isRunning, ROUTER_SELECTION_ARGS, selectRouters, skippedRouter, unitLabel, type Chain, type Unit } from './router-plan.js';
import { blocking, failureText, notPatchableOutcome, planText, summarize, type NotPatchable, type RouterPlanView } from './router-report.js';
import { ROUTERS_DOC, ROUTERS_RESULT } from './reference.js';
import { ALLOW_EMPTY_ARG, networkUniverse, requireKnown, requireSelected, universeOf, vpcUniverse, zoneUniverse } from './selection.js';
import { newUnitOutcome, runUnit, type RunSettings } from './router-run.js';
import { describeWindow, runWindow } from './window.js';

const ROUTERS_ARGS = {
  action: arg.oneOf(['reboot', 'restart-network', 'upgrade-template'], 'what to do').required(),
  ...ROUTER_SELECTION_ARGS,
  livepatch: arg.bool('restart-network: live-patch the routers (4.17+; default false)'),
  cleanup: arg.bool('restart-network: recreate the routers (default false; disables livepatch)'),
  forced: arg.bool('reboot: forced'),
  concurrency: arg.int('units (routers, networks, VPCs) in flight at once; the next starts as soon as one finishes; a redundant pair is one chain', { min: 1 }).default(5),
  per_zone: arg.int('at most this many units in flight per zone (0 or absent: no cap)', { min: 0 }),
  per_host: arg.int('at most this many units in flight per hypervisor host of their routers (0 or absent: no cap)', { min: 0 }),
  timeout: arg.duration('per job').default(30 * 60_000),
  verify_timeout: arg.duration('how long routers may take to be Running again').default(5 * 60_000),
  verify_interval: arg.duration('between verification polls').default(5000),
  verify_upgrade: arg.bool('require requiresupgrade=false afterwards').default(true),
  allow_empty: ALLOW_EMPTY_ARG,
  host: HOST_ARG,
  mode: MODE_ARG,
};
type RoutersArgs = ArgsOf<typeof ROUTERS_ARGS>;

interface Prepared extends RouterPlanView {
  readonly client: Awaited<ReturnType<typeof clientFor>>['client'];
  readonly settings: RunSettings;
}

function selectionText(a: RoutersArgs): string {
  const parts: string[] = [];
  for (const k of ['zones', 'networks', 'vpcs', 'names'] as const) if (selection(a[k]).length) parts.push(`${k} ${selection(a[k]).join(', ')}`);
  parts.push(`states ${a.states === undefined ? 'Running' : selection(a.states).join(', ')}`);
  if (a.requiresupgrade !== 'any') parts.push(`requiresupgrade ${a.requiresupgrade}`);
  return parts.join('; ');
}

/** restartVPC livepatch=true patches through the VPC's tiers: a VPC without tiers is not patched at all (docs/cloudstack-facts.md §6.4). */
async function vpcsWithoutTiers(client: Prepared['client'], chains: readonly Chain[]): Promise<Set<string>> {
  const ids = chains.flat().filter((u) => u.kind === 'vpc').map((u) => u.id);
  if (ids.length === 0) return new Set();
  const vpcs = new Map((await listVpcs(client)).map((v) => [text(v['id']), v]));
  const tiersKnown = ids.every((id) => Array.isArray(vpcs.get(id)?.['network']));
  const tiers = tiersKnown ? [] : await listNetworks(client);
  return new Set(ids.filter((id) => {
    const v = vpcs.get(id);
    if (v === undefined) return false;
    return Array.isArray(v['network']) ? v['network'].length === 0 : !tiers.some((n) => n['vpcid'] === id);
  }));
}

async function prepare(ctx: StepContext, args: RoutersArgs): Promise<Prepared> {
  const { name, client } = await clientFor(ctx, args.host, args.mode);
  const routers = await listRouters(client);
  const filters = { zones: selection(args.zones), names: selection(args.names), networks: selection(args.networks), vpcs: selection(args.vpcs) };
  await requireKnown(name, [
    { arg: 'zones', values: filters.zones, universe: () => zoneUniverse(client) },
    { arg: 'names', values: filters.names, universe: async () => universeOf(routers, 'router', 'routers') },
    { arg: 'networks', values: filters.networks, universe: () => networkUniverse(client) },
    { arg: 'vpcs', values: filters.vpcs, universe: () => vpcUniverse(client) },
  ]);
  const matching = selectRouters(routers, { ...args, states: ['any'] });
  requireSelected(name, 'routers', filters, selectRouters(routers, { ...args, states: ['any'], requiresupgrade: 'any' }).length, args.allow_empty === true);
  // Only Running routers are acted on: a router down before the run is reported, never started or waited for.
  const selected = selectRouters(routers, args).filter(isRunning);
  const down = matching.filter((r) => !isRunning(r)).map((r) => skippedRouter(r, `${text(r['state'])} before the run`));
  const flags = { livepatch: args.livepatch === true, cleanup: args.cleanup === true };
  const planned = buildChains(selected, routers, args.action, { forced: args.forced === true, flags });
  let chains = planned.chains;
  const notPatchable: NotPatchable[] = [];
  const warnings: string[] = [];
  if (args.action === 'restart-network') {
    if (flags.cleanup && flags.livepatch) {
      warnings.push(`cleanup: true makes CloudStack ignore livepatch: the routers will be destroyed and recreated from the new template (downtime), not live-patched`);
    }
    if (flags.livepatch && !flags.cleanup) {
      const empty = await vpcsWithoutTiers(client, chains);
      const isEmpty = (u: Unit): boolean => u.kind === 'vpc' && empty.has(u.id);
      for (const u of chains.flat().filter(isEmpty)) {
        const rs = u.routers.map((r) => text(r['name'])).join(', ');
        notPatchable.push({ unit: u, reason: `VPC ${u.name} has no tiers, and restartVPC with livepatch patches routers through the tiers: ${rs} cannot be live-patched; reboot ${u.routers.length > 1 ? 'them' : 'it'} instead (no tier, so no guest VM behind ${u.routers.length > 1 ? 'them' : 'it'})` });
      }
      chains = chains.filter((c) => !c.some(isEmpty));
      if (notPatchable.length > 0) warnings.push(`not live-patchable (VPC without tiers): ${notPatchable.map((n) => `${n.unit.name} (${n.unit.routers.map((r) => text(r['name'])).join(', ')})`).join('; ')}: reboot those routers instead`);
    }
  } else if (args.livepatch !== undefined || args.cleanup !== undefined) {
    warnings.push(`livepatch and cleanup apply to action restart-network only; ignored for ${args.action}`);
  }
  const skipped = [...down, ...planned.skipped];
  if (skipped.length > 0) warnings.push(`left alone: ${skipped.map((r) => `${r.name} (${r.state === 'Running' ? r.reason : `${r.state} before the run`})`).join('; ')}`);
  const notRunningBefore = new Map(routers.filter((r) => !isRunning(r)).map((r): [string, string] => [text(r['id']), text(r['state'])]));
  const settings: RunSettings = {
    jobTimeoutMs: args.timeout,
    verifyTimeoutMs: args.verify_timeout,
    verifyIntervalMs: args.verify_interval,
    verifyUpgrade: args.verify_upgrade,
    livepatch: flags.livepatch && !flags.cleanup,
    notRunningBefore,
  };
  const limits = { concurrency: args.concurrency, perZone: args.per_zone || undefined, perHost: args.per_host || undefined };
  const units = chains.flat();
  const selectedCount = new Set(units.flatMap((u) => u.routers.map((r: Row) => text(r['id'])))).size;
  return { endpoint: name, action: args.action, client, chains, limits, settings, selectedCount, skipped, notPatchable, warnings };
}

export const routersStep = defineStep({
  name: 'cloudstack.routers',
  summary: 'Reboot routers, restart their networks/VPCs (live patch) or upgrade their template, in a rolling window; verify each router',
  description: ROUTERS_DOC,
  result: ROUTERS_RESULT,
  args: ROUTERS_ARGS,
  effect: 'write',
  runsOn: 'runner',
  describe: (args) => `${String(args.action)} routers${allKnown(args) ? ` (${selectionText(args)})` : ''}`,
  async check(ctx, args) {
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      return { changed: true, plan: `would ${String(args.action)} routers`, unknown: `${u.name} is unknown in a dry run: ${u.reason}` };
    }
    const p = await prepare(ctx, args);
    for (const w of p.warnings) ctx.warn(w);
    const outcomes = [
      ...p.chains.flat().map((u) => newUnitOutcome(u, 'planned', 'planned')),
      ...p.notPatchable.map((n) => notPatchableOutcome(n, newUnitOutcome(n.unit))),
    ];
    if (p.chains.length === 0) {
      return { changed: false, plan: `no routers on ${p.endpoint} match (${selectionText(args)})${p.skipped.length + p.notPatchable.length ? `:\n${planText(p, '', false).split('\n').slice(1).join('\n')}` : ''}`, result: summarize(p, outcomes) };
    }
    const flags = args.action === 'restart-network' ? ` livepatch=${args.livepatch === true} cleanup=${args.cleanup === true}` : '';
    return { changed: true, plan: planText(p, flags, p.settings.verifyUpgrade), result: summarize(p, outcomes) };
  },
  async apply(ctx, args): Promise<StepOutcome> {
    const p = await prepare(ctx, args);
    for (const w of p.warnings) ctx.warn(w);
    const all = p.chains.flat();
    const outcomes = new Map(all.map((u) => [u, newUnitOutcome(u)]));
    const subs = new Map(all.map((u) => [u, ctx.subtask(`${u.kind}:${u.id}`, `${unitLabel(u)} (${u.zone}): ${u.command}`)]));
    const notPatched = p.notPatchable.map((n) => {
      const o = notPatchableOutcome(n, newUnitOutcome(n.unit));
      ctx.subtask(`${n.unit.kind}:${n.unit.id}`, `${unitLabel(n.unit)} (${n.unit.zone}): ${n.unit.command}`).update('skipped', o.message);
      return o;
    });
    const left = p.skipped.length + p.notPatchable.length > 0
      ? `; left alone: ${[...p.skipped.map((r) => `${r.name} (${r.state === 'Running' ? 'peer down' : r.state})`), ...p.notPatchable.map((n) => `${n.unit.name} (no tiers)`)].join(', ')}`
      : '';
    if (all.length === 0) {
      const result = summarize(p, notPatched);
      return { changed: false, msg: `no routers on ${p.endpoint} match (${selectionText(args)})${left}`, result };
    }
    let done = 0;
    let inFlight = 0;
    ctx.progress(`${all.length} unit(s), ${describeWindow(p.limits, 'unit(s)')}`);
    await runWindow(p.chains, p.limits, {
      place: (u) => ({ zone: u.zone, hosts: u.hosts }),
      run: async (u) => {
        const o = outcomes.get(u)!;
        inFlight++;
        await runUnit(ctx, p.client, u, o, p.settings, subs.get(u)!);
        inFlight--;
        done++;
        ctx.progress(`${done}/${all.length} unit(s) done, ${inFlight} in flight`);
        return o.status === 'failed' ? 'stop' : 'continue';
      },
      left: (u, why, cause) => {
        const o = outcomes.get(u)!;
        o.status = 'skipped';
        o.reason = why === 'chain-stopped' ? 'peer-failed' : 'interrupted';
        // Its redundant peer keeps the network up: taking this one down too would leave it without a router.
        o.message = why === 'chain-stopped'
          ? `not done: its redundant peer ${cause ? cause.name : ''} failed, and taking ${u.name} down too would leave the network without a router`
          : 'not started: the run was interrupted';
        subs.get(u)!.update('skipped', o.message);
      },
    }, ctx.signal);
    const list = [...all.map((u) => outcomes.get(u)!), ...notPatched];
    const result = summarize(p, list);
    const acted = list.some((o) => o.jobs.length > 0);
    const { failed, undone } = blocking(list);
    if (failed.length > 0 || undone.length > 0) throw new StepFailedError(failureText(list), { ...result, changed: acted });
    return { changed: acted, msg: `${args.action}: ${all.length} unit(s) done and verified (${all.map((u) => u.name).join(', ')})${left}`, result };
  },
});
