import { expect } from 'chai';
import type { RunEvent } from '../../../src/engine/events.js';
import { CsHarness, steps, type CsRun } from './harness.js';

type Subtask = Extract<RunEvent, { type: 'subtask' }>;
interface VmResult { name: string; status: string; message: string; jobs: Array<{ command: string }>; after?: Record<string, unknown> }
interface Summary { total: number; totals: { ok: number; failed: number; skipped: number }; vms: VmResult[]; expected_version: string }

describe('steps: cloudstack.systemvms', function () {
  this.timeout(30_000);
  let h: CsHarness;
  before(async () => {
    h = await CsHarness.start('127.0.0.35', { config: { zones: 2 } });
  });
  after(async () => h.stop());
  let run: CsRun | undefined;
  beforeEach(async () => {
    run = undefined;
    h.lab.setFaults({});
    await h.agentsUp();
  });
  afterEach(() => {
    if (run) expect(run.leaks()).to.deep.equal([]);
  });
  const vm = (name: string): Record<string, unknown> => h.lab.state().systemVms.find((v) => v['name'] === name)!;

  it('dry run lists exactly the VMs and the action per VM, from live state, and changes nothing', async () => {
    const before = h.state();
    run = await h.run(steps(`
- name: plan
  cloudstack.systemvms: {action: patch, types: ssvm, zones: [zone2]}
  register: p
- {name: c, capture: "{{p}}"}`), { dryRun: true });
    expect(h.state()).to.deep.equal(before);
    const e = run.end('plan');
    expect(e.status).to.equal('changed');
    expect(e.plan).to.equal([
      'would patch 1 system VM(s) on mgmt with patchSystemVm (live patch), one at a time, then check Running, agent Up, version 4.20.1.0:',
      '  s-3-VM (secondarystoragevm, zone2): Running, agent Up, version 4.19.0.0 → patch',
    ].join('\n'));
    const p = run.captured[0] as Summary;
    expect(p.vms.map((v) => [v.name, v.status])).to.deep.equal([['s-3-VM', 'planned']]);
  });

  it('restart: stop + start each VM, verify Running / agent Up / the new version, with subtasks per VM', async () => {
    run = await h.run(steps(`
- name: restart
  cloudstack.systemvms: {action: restart, zones: zone1, verify_interval: 1s}
  register: r
- {name: c, capture: "{{r}}"}`));
    expect(run.summary.exitCode).to.equal(0);
    const r = run.captured[0] as Summary;
    expect(r).to.include({ total: 2, expected_version: '4.20.1.0' });
    expect(r.totals).to.deep.equal({ ok: 2, failed: 0, skipped: 0 });
    expect(r.vms.map((v) => [v.name, v.jobs.map((j) => j.command)])).to.deep.equal([
      ['s-1-VM', ['stopSystemVm', 'startSystemVm']], ['v-2-VM', ['stopSystemVm', 'startSystemVm']],
    ]);
    for (const name of ['s-1-VM', 'v-2-VM']) expect(vm(name)).to.include({ state: 'Running', version: '4.20.1.0' });
    expect(vm('s-3-VM')['version']).to.equal('4.19.0.0');
    const subs = run.events.filter((e): e is Subtask => e.type === 'subtask');
    expect(subs.filter((s) => s.title.startsWith('s-1-VM')).map((s) => s.status)).to.include.members(['pending', 'running', 'ok']);
    expect(run.end('restart').msg).to.equal('2 system VM(s) restarted and verified: s-1-VM, v-2-VM (version 4.20.1.0)');
  });

  it('patch: live-patches, then verifies the reconnected agent reports the new version', async () => {
    run = await h.run(steps(`
- name: patch
  cloudstack.systemvms: {action: patch, names: [s-3-VM], verify_interval: 1s}
  register: r
- {name: c, capture: "{{r.vms}}"}`));
    expect(run.summary.exitCode).to.equal(0);
    const [v] = run.captured[0] as VmResult[];
    expect(v!.message).to.include('Successfully patched systemVM s-3-VM');
    expect(vm('s-3-VM')).to.include({ state: 'Running', version: '4.20.1.0' });
  });

  it('a failed patch job fails the step, names the VM and points at the restart playbook', async () => {
    h.lab.setFaults({ failJob: [{ vm: 'v-4-VM', command: 'patchSystemVm' }] });
    run = await h.run(steps(`
- name: patch
  cloudstack.systemvms: {action: patch, zones: zone2, concurrency: 2}
  register: r
  ignore_errors: true
- {name: c, capture: "{{r}}"}`));
    const e = run.end('patch');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.match(/^1 of 2 system VM\(s\) failed to patch \(v-4-VM\): v-4-VM: patchSystemVm job \S+ on mgmt failed \(jobresultcode 530\): Failed to patch systemVM v-4-VM due to .*No space left on device\)/);
    expect(e.msg).to.include('run the restart playbook, or cloudstack.systemvms with action: restart and names: [v-4-VM]');
    const r = run.captured[0] as Summary;
    expect(r.totals).to.deep.equal({ ok: 1, failed: 1, skipped: 0 });
    const subs = run.events.filter((x): x is Subtask => x.type === 'subtask' && x.title.startsWith('v-4-VM'));
    expect(subs.at(-1)!.status).to.equal('failed');
  });

  it('verification catches a VM that comes back on the old version (plain reboot) within verify_timeout', async () => {
    run = await h.run(steps(`
- name: reboot
  cloudstack.systemvms: {action: reboot, names: v-4-VM, verify_timeout: 10s, verify_interval: 2s}`));
    const e = run.end('reboot');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.equal('1 of 1 system VM(s) failed to reboot (v-4-VM): v-4-VM: verification failed after 10s: state Running, agent Up, version 4.19.0.0 (expected Running, agent Up, version 4.20.1.0).');
  });

  it('a failed stop job fails the VM and the step; the other VMs are still handled', async () => {
    h.lab.setFaults({ failJob: [{ vm: 's-3-VM', command: 'stopSystemVm' }] });
    run = await h.run(steps(`
- name: restart
  cloudstack.systemvms: {action: restart, zones: zone2, verify_interval: 1s}`));
    const e = run.end('restart');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.match(/^1 of 2 system VM\(s\) failed to restart \(s-3-VM\): s-3-VM: stopSystemVm job \S+ on mgmt failed \(jobresultcode 530\): Fail to stop system vm\.$/);
    expect(vm('v-4-VM')['version']).to.equal('4.20.1.0');
  });

  it('a wrong secret key fails before any VM is touched', async () => {
    const before = h.state();
    run = await h.run(steps(`
- name: restart
  cloudstack.systemvms: {action: restart}`), { secretKey: 'wrong-secret-key-for-the-systemvm-test' });
    expect(run.end('restart').msg).to.include('HTTP 401');
    expect(h.state()).to.deep.equal(before);
  });

  // last: it patches every VM of the shared lab
  it('rolls through a window: per_zone 1 never patches two VMs of one zone at once, and the plan says so', async () => {
    const zoneOf = new Map(h.lab.state().systemVms.map((v) => [String(v['name']), String(v['zone'])]));
    const plan = await h.run(steps(`
- name: patch
  cloudstack.systemvms: {action: patch, concurrency: 4, per_zone: 1, forced: true}`), { dryRun: true });
    expect(plan.end('patch').plan!.split('\n')[0]).to.equal('would patch 4 system VM(s) on mgmt with patchSystemVm (live patch) (forced), ' +
      'at most 4 VM(s) at a time, the next starting as soon as one finishes; at most 1 per zone, then check Running, agent Up, version 4.20.1.0:');
    const inFlight = new Map<string, string>();
    const seen: string[][] = [];
    run = await h.run(steps(`
- name: patch
  cloudstack.systemvms: {action: patch, concurrency: 4, per_zone: 1, forced: true}`), {
      onEvent: (e) => {
        if (e.type !== 'subtask') return;
        const name = e.title.split(' ')[0]!;
        if (e.status === 'running' && !inFlight.has(name)) {
          inFlight.set(name, zoneOf.get(name)!);
          seen.push([...inFlight.values()]);
        } else if (e.status === 'ok' || e.status === 'failed') inFlight.delete(name);
      },
    });
    expect(run.end('patch').status, run.end('patch').msg).to.equal('changed');
    expect(seen).to.have.length(4);
    for (const zones of seen) expect(new Set(zones).size, zones.join(',')).to.equal(zones.length);
    expect(Math.max(...seen.map((z) => z.length))).to.equal(2);
  });
});

describe('steps: cloudstack.systemvms across a management-server restart', function () {
  this.timeout(30_000);
  let h: CsHarness;
  before(async () => {
    // a stop takes 3 s here, so the restart surely lands while the job runs
    h = await CsHarness.start('127.0.0.36', { durations: { stop: 3_000_000 } });
  });
  after(async () => h.stop());

  it('a job lost in the restart fails the VM with an explanation', async () => {
    let restarted = false;
    const run = await h.run(steps(`
- name: restart
  cloudstack.systemvms: {action: restart, types: secondarystoragevm}`), {
      onEvent: (e) => {
        if (!restarted && e.type === 'step-progress' && e.message.includes('submitted')) {
          restarted = true;
          void h.lab.restartManagementServer({ wait: false });
        }
      },
    });
    expect(restarted).to.equal(true);
    const e = run.end('restart');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.match(/^1 of 1 system VM\(s\) failed to restart \(s-1-VM\): s-1-VM: job lost in a management-server restart: stopSystemVm job \S+ on mgmt was lost in a management-server restart/);
    expect(run.leaks()).to.deep.equal([]);
  });
});
