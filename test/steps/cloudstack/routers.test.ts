import { expect } from 'chai';
import type { RunEvent } from '../../../src/engine/events.js';
import { CsHarness, steps, type CsRun } from './harness.js';

type Subtask = Extract<RunEvent, { type: 'subtask' }>;
interface Unit { kind: string; name: string; status: string; message: string; jobs: Array<{ command: string }> }
interface Summary {
  totals: { ok: number; failed: number; skipped: number }; units: Unit[]; order: string[][]; failed_routers: string[]; warnings: string[];
  window: { concurrency: number; per_zone: number | null; per_host: number | null }; not_patchable_routers: string[];
}

// World (zone1): net-z1-1 (r-3), net-z1-2 (r-4), rnet-z1-1 (r-5 PRIMARY, r-6 BACKUP), vpc-z1-1 with two
// tiers (r-7), evpc-z1-1 without tiers (r-8) and a project network prj-net-z1-1 (r-9). All routers run
// the old template and require an upgrade.
describe('steps: cloudstack.routers', function () {
  this.timeout(30_000);
  let h: CsHarness;
  before(async () => {
    h = await CsHarness.start('127.0.0.37', { config: { emptyVpcs: 1 } });
  });
  after(async () => h.stop());
  let run: CsRun | undefined;
  beforeEach(() => {
    run = undefined;
    h.lab.setFaults({});
  });
  afterEach(() => {
    if (run) expect(run.leaks()).to.deep.equal([]);
  });
  const router = (name: string): Record<string, unknown> => h.lab.state().routers.find((r) => r['name'] === name)!;
  const jobs = (command: string): Array<Record<string, unknown>> => h.lab.state().jobs.filter((j) => j['command'] === command);

  it('dry run lists the window, networks, VPCs and routers in order from live state, names the VPC without tiers, and changes nothing', async () => {
    const before = h.state();
    run = await h.run(steps(`
- name: plan
  cloudstack.routers: {action: restart-network, livepatch: true, concurrency: 2}
  register: p
- {name: c, capture: "{{p}}"}`), { dryRun: true });
    expect(h.state()).to.deep.equal(before);
    const e = run.end('plan');
    expect(e.status).to.equal('changed');
    const plan = e.plan!.split('\n');
    expect(plan[0]).to.equal('would restart-network 6 router(s) on mgmt in 5 unit(s) with restartNetwork / restartVPC (each network and VPC once) livepatch=true cleanup=false, ' +
      'at most 2 unit(s) at a time, the next starting as soon as one finishes, then check each router is Running and no longer requires an upgrade:');
    expect(plan[1]).to.match(/^ {2}1\. network net-z1-1 \(zone1; kvm0[12]\): restartNetwork id=\S+ cleanup=false livepatch=true; routers: r-3-VM Running, requires upgrade$/);
    expect(plan.find((l) => l.includes('network rnet-z1-1'))).to.match(/routers: r-5-VM Running PRIMARY, requires upgrade; r-6-VM Running BACKUP, requires upgrade$/);
    expect(plan.find((l) => l.includes('VPC vpc-z1-1'))).to.include('restartVPC');
    expect(plan.at(-2)).to.match(/^ {2}not live-patchable: VPC evpc-z1-1 \(zone1\): VPC evpc-z1-1 has no tiers, .*r-8-VM cannot be live-patched; reboot it instead/);
    expect(plan.at(-1)).to.equal('  warning: not live-patchable (VPC without tiers): evpc-z1-1 (r-8-VM): reboot those routers instead');
    const p = run.captured[0] as Summary;
    expect(p.order).to.deep.equal([['network net-z1-1'], ['network net-z1-2'], ['network rnet-z1-1'], ['VPC vpc-z1-1'], ['network prj-net-z1-1']]);
    expect(p.window).to.deep.equal({ concurrency: 2, per_zone: null, per_host: null });
    expect(p.not_patchable_routers).to.deep.equal(['r-8-VM']);
    expect(run.events.some((x) => x.type === 'warning' && x.message.includes('evpc-z1-1'))).to.equal(true);
  });

  it('warns that cleanup: true silently disables livepatch', async () => {
    run = await h.run(steps(`
- name: plan
  cloudstack.routers: {action: restart-network, livepatch: true, cleanup: true, names: r-3-VM}`), { dryRun: true });
    expect(run.events.some((x) => x.type === 'warning' && x.message.startsWith('cleanup: true makes CloudStack ignore livepatch'))).to.equal(true);
  });

  it('a live patch that fails silently (job succeeds, router still requires upgrade) fails the step naming the router', async () => {
    h.lab.setFaults({ silentPatchFailure: ['r-4-VM'] });
    run = await h.run(steps(`
- name: patch
  cloudstack.routers: {action: restart-network, livepatch: true, networks: [net-z1-2]}
  register: r
  ignore_errors: true
- {name: c, capture: "{{r}}"}`));
    const e = run.end('patch');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.equal('1 of 1 unit(s) failed (routers r-4-VM): network net-z1-2: restartNetwork succeeded, but verification failed: ' +
      'r-4-VM still requires an upgrade (template 4.19.0, software 4.19.0.0) — the live patch failed silently (the restart job succeeded); check the router, or restart the network with cleanup');
    const r = run.captured[0] as Summary;
    expect(r.failed_routers).to.deep.equal(['r-4-VM']);
    expect(jobs('restartNetwork').map((j) => j['status'])).to.deep.equal([1]);
  });

  it('restart-network with livepatch: each network once, each VPC once (not once per tier), every router verified', async () => {
    run = await h.run(steps(`
- name: patch
  cloudstack.routers: {action: restart-network, livepatch: true, requiresupgrade: true, vpcs: [vpc-z1-1], concurrency: 3}
  register: r
- {name: c, capture: "{{r}}"}
- name: networks
  cloudstack.routers: {action: restart-network, livepatch: true, requiresupgrade: true, networks: [net-z1-1, net-z1-2, rnet-z1-1, prj-net-z1-1], concurrency: 3}`));
    expect(run.summary.exitCode, run.end('patch').msg ?? run.end('networks').msg).to.equal(0);
    const r = run.captured[0] as Summary;
    expect(r.units.map((u) => [u.kind, u.name, u.status, u.jobs.map((j) => j.command)])).to.deep.equal([['vpc', 'vpc-z1-1', 'ok', ['restartVPC']]]);
    expect(jobs('restartVPC')).to.have.length(1);
    for (const n of ['r-3-VM', 'r-4-VM', 'r-5-VM', 'r-6-VM', 'r-7-VM', 'r-9-VM']) expect(router(n), n).to.include({ requiresUpgrade: false, state: 'Running' });
    expect(router('r-8-VM')['requiresUpgrade']).to.equal(true);
  });

  it('reboot: a redundant pair goes BACKUP first, then PRIMARY, never both at once', async () => {
    run = await h.run(steps(`
- name: reboot
  cloudstack.routers: {action: reboot, networks: rnet-z1-1, concurrency: 5}
  register: r
- {name: c, capture: "{{r}}"}`));
    expect(run.summary.exitCode).to.equal(0);
    const running = run.events.filter((e): e is Subtask => e.type === 'subtask' && e.status === 'running');
    const order = [...new Set(running.map((s) => s.title.split(' ')[1]))];
    expect(order).to.deep.equal(['r-6-VM', 'r-5-VM']);
    // r-5 starts only after r-6 is done
    const firstR5 = run.events.findIndex((e) => e.type === 'subtask' && e.title.startsWith('router r-5-VM') && e.status === 'running');
    const r6ok = run.events.findIndex((e) => e.type === 'subtask' && e.title.startsWith('router r-6-VM') && e.status === 'ok');
    expect(r6ok).to.be.greaterThan(-1).and.lessThan(firstR5);
    expect((run.captured[0] as Summary).order).to.deep.equal([['router r-6-VM (BACKUP)', 'router r-5-VM (PRIMARY)']]);
  });

  it('reboot: when the BACKUP fails, the PRIMARY is left alone and the step names the router', async () => {
    h.lab.setFaults({ failJob: [{ vm: 'r-6-VM', command: 'rebootRouter', times: 1 }] });
    run = await h.run(steps(`
- name: reboot
  cloudstack.routers: {action: reboot, names: [r-5-VM, r-6-VM]}
  register: r
  ignore_errors: true
- {name: c, capture: "{{r}}"}`));
    const e = run.end('reboot');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.match(/^1 of 2 unit\(s\) failed \(routers r-6-VM\): router r-6-VM: rebootRouter job \S+ on mgmt failed \(jobresultcode 530\): Failed to reboot router; not done: r-5-VM$/);
    const units = (run.captured[0] as Summary).units;
    expect(units.map((u) => [u.name, u.status])).to.deep.equal([['r-6-VM', 'failed'], ['r-5-VM', 'skipped']]);
    expect(units[1]!.message).to.include('its redundant peer r-6-VM failed');
    expect(router('r-5-VM')['state']).to.equal('Running');
    // bring r-6 back for the tests after this one
    await h.run(steps(`
- {name: start, cloudstack: {command: startRouter, params: {id: "${String(router('r-6-VM')['id'])}"}}}`));
  });

  it('upgrade-template: upgradeRouterTemplate per router, waits for the reboot jobs it submitted, verifies', async () => {
    // r-8 serves the VPC without tiers, which a live patch cannot reach
    run = await h.run(steps(`
- name: upgrade
  cloudstack.routers: {action: upgrade-template, requiresupgrade: true}
  register: r
- {name: c, capture: "{{r.units}}"}`));
    expect(run.summary.exitCode, run.end('upgrade').msg).to.equal(0);
    const [u] = run.captured[0] as Unit[];
    expect(u!.jobs.map((j) => j.command)).to.deep.equal(['rebootRouter']);
    expect(router('r-8-VM')).to.include({ version: '4.20.1', requiresUpgrade: false });
  });

  it('a failed restart job and a wrong key fail the step', async () => {
    h.lab.setFaults({ failJob: [{ vm: 'net-z1-1', command: 'restartNetwork', errortext: 'Failed to restart network' }] });
    run = await h.run(steps(`
- name: restart
  cloudstack.routers: {action: restart-network, networks: net-z1-1}`));
    expect(run.end('restart').msg).to.match(/^1 of 1 unit\(s\) failed \(routers r-3-VM\): network net-z1-1: restartNetwork job \S+ on mgmt failed \(jobresultcode 530\): Failed to restart network$/);
    expect(run.leaks()).to.deep.equal([]);
    run = await h.run(steps(`
- name: restart
  cloudstack.routers: {action: reboot}`), { secretKey: 'wrong-secret-key-for-the-routers-test' });
    expect(run.end('restart').msg).to.include('HTTP 401');
  });
});
