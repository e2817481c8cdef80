// Running one unit of `cloudstack.routers` and checking its routers afterwards. A restart job can
// succeed while a router's live patch failed (the orchestrator only logs it, docs/cloudstack-facts.md §6.4), so every
// affected router is read back: it must be Running and no longer require an upgrade. A router that was
// not Running before the run is named in the outcome and never waited for.

import { CloudStackJobError } from '../../cloudstack/errors.js';
import type { CloudStackClient } from '../../cloudstack/types.js';
import { isObject } from '../../cloudstack/response.js';
import { formatDuration } from '../../util/durations.js';
import { Budget } from '../../util/budget.js';
import type { StepContext, SubtaskHandle } from '../types.js';
import { errorText } from './common.js';
import { runJob, waitJob } from './jobs.js';
import { listRouters, routerSummary, text, type Row } from './queries.js';
import { unitLabel, type Unit } from './router-plan.js';

export interface RunSettings {
  readonly jobTimeoutMs: number;
  readonly verifyTimeoutMs: number;
  readonly verifyIntervalMs: number;
  readonly verifyUpgrade: boolean;
  readonly livepatch: boolean;
  /** Routers that were not Running before the run (id → state then): never waited for. */
  readonly notRunningBefore: ReadonlyMap<string, string>;
}

/** Why a unit did not run: never started (interrupted), its redundant peer failed, or it cannot do what was asked. */
export type SkipReason = 'interrupted' | 'peer-failed' | 'not-patchable';

export interface UnitOutcome {
  readonly kind: Unit['kind'];
  readonly id: string;
  readonly name: string;
  readonly zone: string;
  readonly command: string;
  readonly params: Readonly<Record<string, string | boolean>>;
  status: 'ok' | 'failed' | 'skipped' | 'planned';
  message: string;
  reason?: SkipReason;
  readonly jobs: Array<{ command: string; jobid: string }>;
  routers: Row[];
  /** Routers that failed verification, by name. */
  failedRouters: string[];
  /** Routers of the network or VPC that were not Running before the run: not waited for, by name and state. */
  notWaitedFor: string[];
}

export function newUnitOutcome(u: Unit, status: UnitOutcome['status'] = 'skipped', message = 'not started'): UnitOutcome {
  return {
    kind: u.kind, id: u.id, name: u.name, zone: u.zone, command: u.command, params: u.params, status, message, jobs: [],
    routers: u.routers.map(routerSummary), failedRouters: [], notWaitedFor: [],
  };
}

async function act(ctx: StepContext, client: CloudStackClient, u: Unit, o: UnitOutcome, s: RunSettings, sub: SubtaskHandle): Promise<string> {
  const progress = (m: string): void => {
    ctx.progress(m);
    sub.update('running', m);
  };
  if (u.command !== 'upgradeRouterTemplate') {
    const { jobid } = await runJob(ctx, client, u.params, { command: u.command, timeoutMs: s.jobTimeoutMs, what: `${unitLabel(u)}: ${u.command}`, onProgress: progress });
    o.jobs.push({ command: u.command, jobid });
    return `${u.command} succeeded`;
  }
  // Synchronous: it answers with the rebootRouter jobs it submitted, or nothing when no router qualifies (§5.2).
  const res = await client.call('upgradeRouterTemplate', u.params);
  const jobs = (Array.isArray(res['asyncjobs']) ? res['asyncjobs'] : []).filter(isObject);
  if (jobs.length === 0) return 'upgradeRouterTemplate had nothing to do (template not below the minimum version, or router.version.check is off)';
  for (const j of jobs) {
    const jobid = text(j['jobid']);
    await waitJob(ctx, client, jobid, { command: 'rebootRouter', timeoutMs: s.jobTimeoutMs, what: `${unitLabel(u)}: upgradeRouterTemplate`, onProgress: progress });
    o.jobs.push({ command: 'rebootRouter', jobid });
  }
  return `upgradeRouterTemplate rebooted the router onto the new template (${jobs.length} job(s))`;
}

/** The routers to check after the unit: a restart with cleanup replaces them, so re-list by network/VPC. */
async function affected(client: CloudStackClient, u: Unit): Promise<Row[]> {
  if (u.kind === 'router') return listRouters(client, { id: u.id });
  return listRouters(client, u.kind === 'vpc' ? { vpcid: u.id } : { networkid: u.id });
}

function routerProblem(r: Row, s: RunSettings, u: Unit): string | undefined {
  if (r['state'] !== 'Running') return `${text(r['name'])} is ${text(r['state'])}`;
  if (s.verifyUpgrade && r['requiresupgrade'] === true) {
    const silent = u.kind !== 'router' && s.livepatch
      ? ' — the live patch failed silently (the restart job succeeded); check the router, or restart the network with cleanup'
      : '';
    return `${text(r['name'])} still requires an upgrade (template ${text(r['version'])}, software ${text(r['softwareversion'])})${silent}`;
  }
  return undefined;
}

export async function verifyUnit(ctx: StepContext, client: CloudStackClient, u: Unit, o: UnitOutcome, s: RunSettings): Promise<string[]> {
  const budget = new Budget(ctx, s.verifyTimeoutMs);
  let routers: Row[] = [];
  for (;;) {
    try {
      const listed = await affected(client, u);
      // A router that was down before the run stays down: waiting for it would hold the unit (and its
      // slot in the window) for the whole verify_timeout.
      o.notWaitedFor = listed.filter((r) => s.notRunningBefore.has(text(r['id']))).map((r) => `${text(r['name'])} (${s.notRunningBefore.get(text(r['id']))} before the run)`);
      routers = listed.filter((r) => !s.notRunningBefore.has(text(r['id'])));
    } catch (err) {
      ctx.progress(`${unitLabel(u)}: listRouters failed (${errorText(err)}); retrying`);
    }
    o.routers = routers.map(routerSummary);
    const notRunning = routers.filter((r) => r['state'] !== 'Running');
    // Waiting helps only for state; requiresupgrade is final once the job is done and the router runs.
    if (routers.length > 0 && notRunning.length === 0) break;
    ctx.progress(`${unitLabel(u)}: waiting for ${routers.length === 0 ? 'its routers to be listed' : notRunning.map((r) => `${text(r['name'])} (${text(r['state'])})`).join(', ')} to be Running (${budget.describe()})`);
    if (budget.expired || !(await budget.sleep(s.verifyIntervalMs))) {
      if (routers.length === 0) return [`no routers of ${unitLabel(u)} listed after ${formatDuration(budget.elapsedMs)}`];
      break;
    }
  }
  const problems = routers.map((r) => routerProblem(r, s, u)).filter((p): p is string => p !== undefined);
  o.failedRouters = routers.filter((r) => routerProblem(r, s, u) !== undefined).map((r) => text(r['name']));
  return problems;
}

/** Runs one unit and its verification; never throws (the outcome says what happened). */
export async function runUnit(ctx: StepContext, client: CloudStackClient, u: Unit, o: UnitOutcome, s: RunSettings, sub: SubtaskHandle): Promise<void> {
  sub.update('running', u.command);
  let done: string;
  try {
    done = await act(ctx, client, u, o, s, sub);
  } catch (err) {
    const lost = err instanceof CloudStackJobError && err.lostInRestart;
    o.status = 'failed';
    o.message = lost ? `job lost in a management-server restart: ${errorText(err)}` : errorText(err);
    o.failedRouters = u.routers.map((r) => text(r['name']));
    sub.update('failed', o.message);
    return;
  }
  sub.update('running', 'verifying');
  const problems = await verifyUnit(ctx, client, u, o, s);
  const notWaited = o.notWaitedFor.length > 0 ? `; not waited for: ${o.notWaitedFor.join(', ')}` : '';
  if (problems.length === 0) {
    o.status = 'ok';
    o.message = `${done}; verified ${o.routers.map((r) => text(r['name'])).join(', ')}${notWaited}`;
    sub.update('ok', o.message);
  } else {
    o.status = 'failed';
    o.message = `${done}, but verification failed: ${problems.join('; ')}${notWaited}`;
    sub.update('failed', o.message);
  }
}
