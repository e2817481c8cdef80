// `cloudstack.routers`: reboot routers, restart their networks/VPCs (live patch or cleanup), or move them
// to the new template with upgradeRouterTemplate — in batches, redundant pairs BACKUP first, each router
// verified afterwards (Running, no longer requiring an upgrade). A dry run shows the batches from live state.

import { defineStep, StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { clientFor, durationMs, HOST_ARG, MODE_ARG, stringList, type TargetArgs } from './common.js';
import { listRouters, listVpcs, text } from './queries.js';
import { batches, buildChains, planLines, selectRouters, unitLabel, type Chain, type RouterAction, type RouterSelection } from './router-plan.js';
import { newUnitOutcome, runUnit, type RunSettings, type UnitOutcome } from './router-run.js';
import { ALLOW_EMPTY_ARG, networkUniverse, requireKnown, requireSelected, universeOf, vpcUniverse, zoneUniverse } from './selection.js';

interface RoutersArgs extends TargetArgs, RouterSelection {
  action: RouterAction;
  livepatch?: boolean;
  cleanup?: boolean;
  forced?: boolean;
  concurrency?: number;
  timeout?: unknown;
  verify_timeout?: unknown;
  verify_interval?: unknown;
  verify_upgrade?: boolean;
  allow_empty?: boolean;
}

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
  for (const k of ['zones', 'networks', 'vpcs', 'names'] as const) if (stringList(a[k]).length) parts.push(`${k} ${stringList(a[k]).join(', ')}`);
  parts.push(`states ${a.states === undefined ? 'Running' : stringList(a.states).join(', ')}`);
  if (a.requiresupgrade !== undefined && a.requiresupgrade !== 'any') parts.push(`requiresupgrade ${String(a.requiresupgrade)}`);
  return parts.join('; ');
}

async function prepare(ctx: StepContext, args: RoutersArgs): Promise<Prepared> {
  const { name, client } = await clientFor(ctx, args.host, args.mode);
  const routers = await listRouters(client);
  const filters = { zones: stringList(args.zones), names: stringList(args.names), networks: stringList(args.networks), vpcs: stringList(args.vpcs) };
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
    jobTimeoutMs: durationMs(args.timeout, 'timeout', 30 * 60_000),
    verifyTimeoutMs: durationMs(args.verify_timeout, 'verify_timeout', 5 * 60_000),
    verifyIntervalMs: durationMs(args.verify_interval, 'verify_interval', 5000),
    verifyUpgrade: args.verify_upgrade !== false,
    livepatch: flags.livepatch && !flags.cleanup,
  };
  const concurrency = Math.max(1, Math.floor(args.concurrency ?? 5));
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

export const routersStep = defineStep<RoutersArgs>({
  name: 'cloudstack.routers',
  summary: 'Reboot routers, restart their networks/VPCs (live patch) or upgrade their template; verify each router',
  description:
    'Redundant pairs are never handled at once: BACKUP first, then PRIMARY, and the PRIMARY is skipped if its BACKUP failed. ' +
    'After each unit every affected router must be Running with requiresupgrade=false (a silently failed live patch is caught here).',
  args: {
    action: { type: 'string', required: true, enum: ['reboot', 'restart-network', 'upgrade-template'], description: 'what to do' },
    zones: { type: 'string-list', description: 'zone names or ids (default all)' },
    networks: { type: 'string-list', description: 'guest network names or ids (VPC tiers select their VPC)' },
    vpcs: { type: 'string-list', description: 'VPC names or ids' },
    names: { type: 'string-list', description: 'router names (r-4-VM) or ids' },
    states: { type: 'string-list', description: "router states to select (default Running; 'any' for all)" },
    requiresupgrade: { type: 'any', description: 'true, false or any (default any)' },
    livepatch: { type: 'boolean', description: 'restart-network: live-patch the routers (4.17+; default false)' },
    cleanup: { type: 'boolean', description: 'restart-network: recreate the routers (default false; disables livepatch)' },
    forced: { type: 'boolean', description: 'reboot: forced' },
    concurrency: { type: 'integer', description: 'routers / networks per batch (default 5); a redundant pair counts once' },
    timeout: { type: 'duration', description: 'per job (default 30m)' },
    verify_timeout: { type: 'duration', description: 'how long routers may take to be Running again (default 5m)' },
    verify_interval: { type: 'duration', description: 'between verification polls (default 5s)' },
    verify_upgrade: { type: 'boolean', description: 'require requiresupgrade=false afterwards (default true)' },
    allow_empty: ALLOW_EMPTY_ARG,
    host: HOST_ARG,
    mode: MODE_ARG,
  },
  effect: 'write',
  runsOn: 'runner',
  validate(args, report) {
    const ru = args['requiresupgrade'];
    if (ru !== undefined && ![true, false, 'true', 'false', 'any'].includes(ru as string | boolean) && !(typeof ru === 'string' && ru.includes('{{'))) {
      report('requiresupgrade', 'bad-value', "'cloudstack.routers' argument 'requiresupgrade' must be true, false or any");
    }
  },
  describe: (args) => `${args.action} routers (${selectionText(args)})`,
  async check(ctx, args) {
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
