// One system VM through one action: restart (stopSystemVm then startSystemVm, which rebuilds it from the
// current template), reboot, or live patch (patchSystemVm, 4.17+); then poll listSystemVms until it is
// Running with its agent Up and reporting the management server's version (the agent reconnects after
// the job ends, docs/cloudstack-facts.md §11.14).

import { CloudStackJobError } from '../../cloudstack/errors.js';
import type { CloudStackClient } from '../../cloudstack/types.js';
import { formatDuration } from '../../util/durations.js';
import { Budget } from '../../util/budget.js';
import type { StepContext, SubtaskHandle } from '../types.js';
import { errorText, sameVersion } from './common.js';
import { runJob } from './jobs.js';
import { listSystemVms, text, type Row } from './queries.js';

export type SystemVmAction = 'restart' | 'reboot' | 'patch';

export interface ActionSettings {
  readonly action: SystemVmAction;
  readonly forced: boolean;
  readonly jobTimeoutMs: number;
  readonly verifyTimeoutMs: number;
  readonly verifyIntervalMs: number;
  /** Expected agent version; undefined skips the version check. */
  readonly version: string | undefined;
}

export interface VmOutcome {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly zone: string;
  readonly action: SystemVmAction;
  status: 'ok' | 'failed' | 'skipped';
  message: string;
  readonly jobs: Array<{ command: string; jobid: string }>;
  readonly before: Row;
  after?: Row;
  details?: string;
}

export const ACTION_TEXT: Readonly<Record<SystemVmAction, string>> = {
  restart: 'stopSystemVm then startSystemVm',
  reboot: 'rebootSystemVm',
  patch: 'patchSystemVm (live patch)',
};

function stateOf(vm: Row): Row {
  return { state: vm['state'], agentstate: vm['agentstate'], version: vm['version'] };
}

function describeState(vm: Row | undefined): string {
  if (!vm) return 'gone from listSystemVms';
  return `state ${text(vm['state'])}, agent ${text(vm['agentstate'])}, version ${text(vm['version'])}`;
}

export function newOutcome(vm: Row, action: SystemVmAction): VmOutcome {
  return {
    id: text(vm['id']), name: text(vm['name']), type: text(vm['systemvmtype']), zone: text(vm['zonename']), action,
    status: 'skipped', message: 'not started', jobs: [], before: stateOf(vm),
  };
}

/** Runs the action and the verification for one VM; never throws (the outcome says what happened). */
export async function runOnVm(ctx: StepContext, client: CloudStackClient, o: VmOutcome, s: ActionSettings, sub: SubtaskHandle): Promise<void> {
  const job = async (command: string, params: Record<string, string | boolean>): Promise<Record<string, unknown>> => {
    sub.update('running', `${command}`);
    const { jobid, result } = await runJob(ctx, client, params, {
      command, timeoutMs: s.jobTimeoutMs, what: `${o.name}: ${command}`,
      onProgress: (m) => {
        ctx.progress(m);
        sub.update('running', m);
      },
    });
    o.jobs.push({ command, jobid });
    return result;
  };
  try {
    const forced: Record<string, boolean> = s.forced ? { forced: true } : {};
    if (s.action === 'restart') {
      await job('stopSystemVm', { id: o.id, ...forced });
      await job('startSystemVm', { id: o.id });
    } else if (s.action === 'reboot') {
      await job('rebootSystemVm', { id: o.id, ...forced });
    } else {
      const r = await job('patchSystemVm', { id: o.id, ...forced });
      // The success text is `details` inside jobresult, not displaytext (§6.1).
      if (typeof r['details'] === 'string') o.details = r['details'].trim();
    }
  } catch (err) {
    const lost = err instanceof CloudStackJobError && err.lostInRestart;
    o.status = 'failed';
    o.message = lost ? `job lost in a management-server restart: ${errorText(err)}` : errorText(err);
    sub.update('failed', o.message);
    return;
  }
  sub.update('running', 'verifying');
  const v = await verify(ctx, client, o, s);
  o.after = v.vm ? stateOf(v.vm) : undefined;
  if (v.ok) {
    o.status = 'ok';
    o.message = `${describeState(v.vm)}${o.details ? ` (${o.details})` : ''}`;
    sub.update('ok', o.message);
  } else {
    o.status = 'failed';
    const unchanged = o.details?.startsWith('No change') ? ' — the patch found no change in the scripts checksum: are the hypervisor hosts upgraded (on KVM the payload comes from the host)? Use forced: true or restart the VM' : '';
    o.message = `verification failed after ${formatDuration(s.verifyTimeoutMs)}: ${describeState(v.vm)}${s.version ? ` (expected Running, agent Up, version ${s.version})` : ' (expected Running, agent Up)'}${unchanged}`;
    sub.update('failed', o.message);
  }
}

function verified(vm: Row | undefined, s: ActionSettings): boolean {
  return vm !== undefined && vm['state'] === 'Running' && vm['agentstate'] === 'Up' && (s.version === undefined || sameVersion(vm['version'], s.version));
}

async function verify(ctx: StepContext, client: CloudStackClient, o: VmOutcome, s: ActionSettings): Promise<{ ok: boolean; vm: Row | undefined }> {
  const budget = new Budget(ctx, s.verifyTimeoutMs);
  let vm: Row | undefined;
  for (;;) {
    try {
      vm = (await listSystemVms(client, { id: o.id }))[0];
    } catch (err) {
      // The management server may be busy or restarting; keep polling until the deadline.
      ctx.progress(`${o.name}: listSystemVms failed (${errorText(err)}); retrying`);
    }
    if (verified(vm, s)) return { ok: true, vm };
    ctx.progress(`${o.name}: waiting for Running / agent Up${s.version ? ` / version ${s.version}` : ''} — now ${describeState(vm)} (${budget.describe()})`);
    if (budget.expired) return { ok: false, vm };
    if (!(await budget.sleep(s.verifyIntervalMs))) return { ok: false, vm };
  }
}
