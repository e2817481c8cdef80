// Tenant jobs that come and go on a production cloud (world.background_jobs): deployVirtualMachine,
// createSnapshot, … by the tenant accounts while the management server takes jobs, each ending by itself;
// listed by listAsyncJobs listall=true, failed by a restart like any job, seeded like the rest of the world.

import { seededUuid } from '../ids.js';
import type { LabCore } from '../core.js';
import type { Account } from '../world/types.js';
import { traitsOf } from '../world/traits.js';
import { DurationDraws, uniforms } from './durations.js';
import type { JobOutcome } from './jobs.js';

interface UserJobKind {
  readonly command: string;
  readonly cmdClass: string;
  readonly instanceType: string;
  /** Nominal lab duration. */
  readonly ms: number;
  /** The job result's object name and the state of the entity it returns. */
  readonly result: readonly [string, string];
}

const USER = 'org.apache.cloudstack.api.command.user';
const KINDS: readonly UserJobKind[] = [
  { command: 'deployVirtualMachine', cmdClass: `${USER}.vm.DeployVMCmd`, instanceType: 'VirtualMachine', ms: 90_000, result: ['virtualmachine', 'Running'] },
  { command: 'startVirtualMachine', cmdClass: `${USER}.vm.StartVMCmd`, instanceType: 'VirtualMachine', ms: 40_000, result: ['virtualmachine', 'Running'] },
  { command: 'stopVirtualMachine', cmdClass: `${USER}.vm.StopVMCmd`, instanceType: 'VirtualMachine', ms: 20_000, result: ['virtualmachine', 'Stopped'] },
  { command: 'rebootVirtualMachine', cmdClass: `${USER}.vm.RebootVMCmd`, instanceType: 'VirtualMachine', ms: 45_000, result: ['virtualmachine', 'Running'] },
  { command: 'createSnapshot', cmdClass: `${USER}.snapshot.CreateSnapshotCmd`, instanceType: 'Snapshot', ms: 180_000, result: ['snapshot', 'BackedUp'] },
  { command: 'attachVolume', cmdClass: `${USER}.volume.AttachVolumeCmd`, instanceType: 'Volume', ms: 10_000, result: ['volume', 'Ready'] },
];

const MEAN_MS = KINDS.reduce((a, k) => a + k.ms, 0) / KINDS.length;

/** Whether the management server takes new jobs now (not restarting, not in a shutdown grace). */
function takesJobs(core: LabCore): boolean {
  const ms = core.ms as LabCore['ms'] | undefined;
  return ms !== undefined && ms.state === 'running' && ms.acceptingJobs;
}

/**
 * Starts the stream: `background_jobs` jobs already in flight, then arrivals at the rate that keeps
 * about that many running (Little's law: one per mean duration / N, exponential gaps).
 */
export function startBackgroundJobs(core: LabCore): void {
  const w = core.world;
  const { backgroundJobs: inFlight, durationsSpread } = traitsOf(w);
  const tenants = [...w.accounts.values()].filter((a) => a.type === 'user');
  if (inFlight <= 0 || tenants.length === 0) return;
  const draws = new DurationDraws(w.seed, durationsSpread);
  let n = 0;
  const submit = (): void => {
    const k = ++n;
    const [u1, u2, u3] = uniforms(`${w.seed}\u0000user-job\u0000${k}`);
    const kind = KINDS[Math.floor(u1 * KINDS.length)]!;
    const account = tenants[Math.floor(u2 * tenants.length)]!;
    const entity = seededUuid(w.seed, `user-job-entity:${k}`);
    const ms = draws.draw(kind.ms, `${kind.command}:${k}`);
    core.jobs.submit({
      command: kind.command, cmdClass: kind.cmdClass, caller: callerOf(core, account), instanceType: kind.instanceType, instanceId: entity,
      work: async (ctl): Promise<JobOutcome> => {
        await ctl.sleep(ms);
        if (kind.command === 'deployVirtualMachine' && u3 < 0.05) {
          return { ok: false, code: 533, text: `Unable to create a deployment for VM instance {"instanceName":"i-${2 + (k % 5)}-${1000 + k}-VM","uuid":"${entity}"}` };
        }
        const [name, state] = kind.result;
        return { ok: true, result: { [name]: { id: entity, name: `${name === 'virtualmachine' ? 'vm' : name}-${1000 + k}`, account: account.name, domainid: account.domainId, state } } };
      },
    });
  };
  const next = (): void => {
    const [u] = uniforms(`${w.seed}\u0000user-job-gap\u0000${n}`);
    core.time.after(-Math.log(u) * (MEAN_MS / inFlight), () => {
      if (takesJobs(core)) submit();
      next();
    });
  };
  for (let i = 0; i < Math.round(inFlight); i++) submit();
  next();
}

function callerOf(core: LabCore, account: Account): Parameters<LabCore['jobs']['submit']>[0]['caller'] {
  const domain = core.world.domains.get(account.domainId) ?? core.world.rootDomain;
  return { userId: seededUuid(core.world.seed, `user:${account.name}`), userName: account.name, account, domain, port: 'api' };
}
