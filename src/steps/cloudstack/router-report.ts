// What `cloudstack.routers` tells: the plan text of a dry run (the window, the units in order, what is
// left alone and why), the registered result, and the failure message that names every failed unit.

import type { SkippedRouter, Chain, RouterAction, Unit } from './router-plan.js';
import { planLines, unitLabel } from './router-plan.js';
import type { UnitOutcome } from './router-run.js';
import { describeWindow, type WindowLimits } from './window.js';

export const ACTION_TEXT: Readonly<Record<RouterAction, string>> = {
  reboot: 'rebootRouter (stop + start)',
  'restart-network': 'restartNetwork / restartVPC (each network and VPC once)',
  'upgrade-template': 'upgradeRouterTemplate per router',
};

/** A VPC whose routers restartVPC livepatch=true does not reach: it has no tiers (docs/cloudstack-facts.md §6.4). */
export interface NotPatchable {
  readonly unit: Unit;
  readonly reason: string;
}

export interface RouterPlanView {
  readonly endpoint: string;
  readonly action: RouterAction;
  readonly selectedCount: number;
  readonly chains: readonly Chain[];
  readonly limits: WindowLimits;
  readonly skipped: readonly SkippedRouter[];
  readonly notPatchable: readonly NotPatchable[];
  readonly warnings: readonly string[];
}

export function notPatchableOutcome(n: NotPatchable, base: UnitOutcome): UnitOutcome {
  return { ...base, status: 'skipped', reason: 'not-patchable', message: n.reason };
}

export function skippedLines(p: RouterPlanView): string[] {
  return [
    ...p.skipped.map((r) => `  not touched: router ${r.name} (${r.zone}): ${r.state === 'Running' ? r.reason : `${r.state} before the run: not acted on, not waited for`}`),
    ...p.notPatchable.map((n) => `  not live-patchable: ${unitLabel(n.unit)} (${n.unit.zone}): ${n.reason}`),
  ];
}

export function planText(p: RouterPlanView, flags: string, verifyUpgrade: boolean): string {
  const units = p.chains.flat().length;
  return [
    `would ${p.action} ${p.selectedCount} router(s) on ${p.endpoint} in ${units} unit(s) with ${ACTION_TEXT[p.action]}${flags}, ` +
      `${describeWindow(p.limits, 'unit(s)')}, then check each router is Running${verifyUpgrade ? ' and no longer requires an upgrade' : ''}:`,
    ...planLines(p.chains),
    ...skippedLines(p),
    ...p.warnings.map((w) => `  warning: ${w}`),
  ].join('\n');
}

export function summarize(p: RouterPlanView, outcomes: readonly UnitOutcome[]): Record<string, unknown> {
  const count = (s: UnitOutcome['status']): number => outcomes.filter((o) => o.status === s).length;
  return {
    action: p.action, endpoint: p.endpoint, routers_selected: p.selectedCount, total: outcomes.length,
    // `failed`/`changed` belong to the step itself in a registered result: the counts live here.
    totals: { ok: count('ok'), failed: count('failed'), skipped: count('skipped') },
    failed_routers: [...new Set(outcomes.flatMap((o) => o.failedRouters))],
    window: { concurrency: p.limits.concurrency, per_zone: p.limits.perZone ?? null, per_host: p.limits.perHost ?? null },
    order: p.chains.map((chain) => chain.map(unitLabel)),
    skipped_routers: p.skipped.map((r) => ({ ...r })),
    not_patchable: p.notPatchable.map((n) => ({ kind: n.unit.kind, name: n.unit.name, zone: n.unit.zone, routers: n.unit.routers.map((r) => r['name']), reason: n.reason })),
    not_patchable_routers: p.notPatchable.flatMap((n) => n.unit.routers.map((r) => r['name'])),
    units: outcomes.map((o) => ({ ...o })),
    warnings: [...p.warnings],
  };
}

/** Units that make the step fail: failed ones, and ones left undone by a failed peer or an interrupt. */
export function blocking(outcomes: readonly UnitOutcome[]): { failed: UnitOutcome[]; undone: UnitOutcome[] } {
  return {
    failed: outcomes.filter((o) => o.status === 'failed'),
    undone: outcomes.filter((o) => o.status === 'skipped' && o.reason !== 'not-patchable'),
  };
}

export function failureText(outcomes: readonly UnitOutcome[]): string {
  const { failed, undone } = blocking(outcomes);
  const names = [...new Set(failed.flatMap((o) => o.failedRouters))];
  return `${failed.length} of ${outcomes.length} unit(s) failed${names.length ? ` (routers ${names.join(', ')})` : ''}: ` +
    `${failed.map((o) => `${o.kind} ${o.name}: ${o.message}`).join('; ')}${undone.length ? `; not done: ${undone.map((o) => o.name).join(', ')}` : ''}`;
}
