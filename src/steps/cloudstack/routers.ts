// `cloudstack.routers`: reboot routers, restart their networks/VPCs (live patch or cleanup), or move them
// to the new template with upgradeRouterTemplate — in batches, redundant pairs BACKUP first, each router
// verified afterwards (Running, no longer requiring an upgrade). A dry run shows the batches from live state.

import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { clientFor, HOST_ARG, MODE_ARG, selection } from './common.js';
import { listRouters, listVpcs, text } from './queries.js';
import { batches, buildChains, planLines, ROUTER_SELECTION_ARGS, selectRouters, unitLabel, type Chain, type RouterAction } from './router-plan.js';
import { ROUTERS_DOC, ROUTERS_RESULT } from './reference.js';
import { ALLOW_EMPTY_ARG, networkUniverse, requireKnown, requireSelected, universeOf, vpcUniverse, zoneUniverse } from './selection.js';
import { newUnitOutcome, runUnit, type RunSettings, type UnitOutcome } from './router-run.js';

const ROUTERS_ARGS = {
  action: arg.oneOf(['reboot', 'restart-network', 'upgrade-template'], 'what to do').required(),
  ...ROUTER_SELECTION_ARGS,
  livepatch: arg.bool('restart-network: live-patch the routers (4.17+; default false)'),
  cleanup: arg.bool('restart-network: recreate the routers (default false; disables livepatch)'),
  forced: arg.bool('reboot: forced'),
  concurrency: arg.int('routers / networks per batch; a redundant pair counts once', { min: 1 }).default(5),
  timeout: arg.duration('per job').default(30 * 60_000),
  verify_timeout: arg.duration('how long routers may take to be Running again').default(5 * 60_000),
  verify_interval: arg.duration('between verification polls').default(5000),
  verify_upgrade: arg.bool('require requiresupgrade=false afterwards').default(true),
  allow_empty: ALLOW_EMPTY_ARG,
  host: HOST_ARG,
  mode: MODE_ARG,
};
type RoutersArgs = ArgsOf<typeof ROUTERS_ARGS>;

const ACTION_TEXT: Readonly<Record<RouterAction, string>> = {
  reboot: 'rebootRouter (stop + start)',
  'restart-network': 'restartNetwork / restartVPC (each network and VPC once)',
  'upgrade-template': 'upgradeRouterTemplate per router',
};

interface Prepared {
  readonly name: string;
  readonly client: Awaited<ReturnType<typeof clientFor>>['client'];
  readonly chains: Chain[];
  readonly batches: Chain[][];
  readonly settings: RunSettings;
  readonly selectedCount: number;
  readonly warnings: string[];
}

function selectionText(a: RoutersArgs): string {
  const parts: string[] = [];
  for (const k of ['zones', 'networks', 'vpcs', 'names'] as const) if (selection(a[k]).length) parts.push(`${k} ${selection(a[k]).join(', ')}`);
  parts.push(`states ${a.states === undefined ? 'Running' : selection(a.states).join(', ')}`);
  if (a.requiresupgrade !== 'any') parts.push(`requiresupgrade ${a.requiresupgrade}`);
  return parts.join('; ');
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
  const selected = selectRouters(routers, args);
  requireSelected(name, 'routers', filters, selectRouters(routers, { ...args, states: ['any'], requiresupgrade: 'any' }).length, args.allow_empty === true);
  const flags = { livepatch: args.livepatch === true, cleanup: args.cleanup === true };
  const chains = buildChains(selected, args.action, { forced: args.forced === true, flags });
  const warnings: string[] = [];
  if (args.action === 'restart-network') {
    if (flags.cleanup && flags.livepatch) {
      warnings.push(`cleanup: true makes CloudStack ignore livepatch: the routers will be destroyed and recreated from the new template (downtime), not live-patched`);
    }
    const vpcUnits = chains.flat().filter((u) => u.kind === 'vpc');
    if (flags.livepatch && !flags.cleanup && vpcUnits.length > 0) {
      // restartVPC live-patches through its tiers: a VPC without tiers is not patched at all (docs/cloudstack-facts.md §6.4).
      const vpcs = new Map((await listVpcs(client)).map((v) => [text(v['id']), v]));
      const empty = vpcUnits.filter((u) => {
        const v = vpcs.get(u.id);
        return v !== undefined && (!Array.isArray(v['network']) || v['network'].length === 0);
      });
      if (empty.length > 0) warnings.push(`restartVPC with livepatch does not patch the routers of a VPC without tiers: ${empty.map((u) => u.name).join(', ')} (verification will fail for them; use cleanup or reboot them)`);
    }
  } else if (args.livepatch !== undefined || args.cleanup !== undefined) {
    warnings.push(`livepatch and cleanup apply to action restart-network only; ignored for ${args.action}`);
  }
  const settings: RunSettings = {
    jobTimeoutMs: args.timeout,
    verifyTimeoutMs: args.verify_timeout,
    verifyIntervalMs: args.verify_interval,
    verifyUpgrade: args.verify_upgrade,
    livepatch: flags.livepatch && !flags.cleanup,
  };
  const concurrency = args.concurrency;
  return { name, client, chains, batches: batches(chains, concurrency), settings, selectedCount: selected.length, warnings };
}

function summarize(p: Prepared, args: RoutersArgs, outcomes: readonly UnitOutcome[]): Record<string, unknown> {
  const count = (s: UnitOutcome['status']): number => outcomes.filter((o) => o.status === s).length;
  return {
    action: args.action, endpoint: p.name, routers_selected: p.selectedCount, total: outcomes.length,
    // `failed`/`changed` belong to the step itself in a registered result: the counts live here.
    totals: { ok: count('ok'), failed: count('failed'), skipped: count('skipped') },
    failed_routers: [...new Set(outcomes.flatMap((o) => o.failedRouters))],
    batches: p.batches.map((b) => b.map((chain) => chain.map(unitLabel))),
    units: outcomes.map((o) => ({ ...o })),
    warnings: p.warnings,
  };
}

export const routersStep = defineStep({
  name: 'cloudstack.routers',
  summary: 'Reboot routers, restart their networks/VPCs (live patch) or upgrade their template; verify each router',
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
    const outcomes = p.chains.flat().map((u) => newUnitOutcome(u, 'planned', 'planned'));
    if (outcomes.length === 0) return { changed: false, plan: `no routers on ${p.name} match (${selectionText(args)})`, result: summarize(p, args, outcomes) };
    const flags = args.action === 'restart-network' ? ` livepatch=${args.livepatch === true} cleanup=${args.cleanup === true}` : '';
    const plan = [
      `would ${args.action} ${p.selectedCount} router(s) on ${p.name} in ${outcomes.length} unit(s), ${p.batches.length} batch(es), with ${ACTION_TEXT[args.action]}${flags}, ` +
        `then check each router is Running${p.settings.verifyUpgrade ? ' and no longer requires an upgrade' : ''}:`,
      ...planLines(p.batches),
      ...p.warnings.map((w) => `  warning: ${w}`),
    ].join('\n');
    return { changed: true, plan, result: summarize(p, args, outcomes) };
  },
  async apply(ctx, args): Promise<StepOutcome> {
    const p = await prepare(ctx, args);
    for (const w of p.warnings) ctx.warn(w);
    const all = p.chains.flat();
    if (all.length === 0) return { changed: false, msg: `no routers on ${p.name} match (${selectionText(args)})`, result: summarize(p, args, []) };
    const outcomes = new Map(all.map((u) => [u, newUnitOutcome(u)]));
    const subs = new Map(all.map((u) => [u, ctx.subtask(`${u.kind}:${u.id}`, `${unitLabel(u)} (${u.zone}): ${u.command}`)]));
    let done = 0;
    for (const [bi, batch] of p.batches.entries()) {
      if (ctx.signal.aborted) break;
      ctx.progress(`batch ${bi + 1}/${p.batches.length}: ${batch.map((c) => c.map(unitLabel).join(' then ')).join(', ')}`);
      await Promise.all(batch.map(async (chain) => {
        for (const [i, u] of chain.entries()) {
          const o = outcomes.get(u)!;
          if (ctx.signal.aborted) return;
          await runUnit(ctx, p.client, u, o, p.settings, subs.get(u)!);
          done++;
          ctx.progress(`${done}/${all.length} unit(s) done`);
          if (o.status === 'failed') {
            // Its redundant peer keeps the network up: leave it alone.
            for (const rest of chain.slice(i + 1)) {
              const ro = outcomes.get(rest)!;
              ro.message = `not done: its redundant peer ${u.name} failed, and taking ${rest.name} down too would leave the network without a router`;
              subs.get(rest)!.update('skipped', ro.message);
            }
            return;
          }
        }
      }));
    }
    for (const u of all) {
      const o = outcomes.get(u)!;
      if (o.status === 'skipped' && o.message === 'not started') {
        o.message = 'not started: the run was interrupted';
        subs.get(u)!.update('skipped', o.message);
      }
    }
    const list = all.map((u) => outcomes.get(u)!);
    const result = summarize(p, args, list);
    const failed = list.filter((o) => o.status === 'failed');
    const skipped = list.filter((o) => o.status === 'skipped');
    const acted = list.some((o) => o.jobs.length > 0);
    if (failed.length > 0 || skipped.length > 0) {
      const names = [...new Set(failed.flatMap((o) => o.failedRouters))];
      throw new StepFailedError(
        `${failed.length} of ${list.length} unit(s) failed${names.length ? ` (routers ${names.join(', ')})` : ''}: ` +
          `${failed.map((o) => `${o.kind} ${o.name}: ${o.message}`).join('; ')}${skipped.length ? `; not done: ${skipped.map((o) => o.name).join(', ')}` : ''}`,
        { ...result, changed: acted },
      );
    }
    return { changed: acted, msg: `${args.action}: ${list.length} unit(s) done and verified (${list.map((o) => o.name).join(', ')})`, result };
  },
});
