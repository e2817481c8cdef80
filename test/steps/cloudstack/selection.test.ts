// Filters that must name something (issue 12, item 8): a zone, VM name, network or VPC that does not
// exist is an error before anything is done — dry runs too — naming the value, what exists and the
// nearest name; filters of existing things that select nothing together are an error unless
// allow_empty is true; "nothing needs an upgrade any more" stays a run with nothing to do.

import { expect } from 'chai';
import { CsHarness, steps, type CsRun } from './harness.js';

describe('steps: filters that name nothing', function () {
  this.timeout(30_000);
  let h: CsHarness;
  before(async () => {
    h = await CsHarness.start('127.0.0.44', { config: { zones: 2 } });
  });
  after(async () => h.stop());
  let run: CsRun | undefined;
  afterEach(() => {
    if (run) expect(run.leaks()).to.deep.equal([]);
  });

  for (const dryRun of [true, false]) {
    it(`an unknown zone fails cloudstack.systemvms before anything is done (${dryRun ? 'dry run' : 'real run'}), with the zones that exist`, async () => {
      const before = h.state();
      run = await h.run(steps(`
- name: patch
  cloudstack.systemvms: {action: patch, zones: [zoen2]}`), { dryRun });
      const e = run.end('patch');
      expect(e.status).to.equal('failed');
      expect(e.msg).to.equal("zones: no zone 'zoen2' on mgmt — did you mean 'zone2'? (zones: zone1, zone2). Nothing was done.");
      expect(h.state()).to.deep.equal(before);
      expect(run.summary.exitCode).to.equal(1);
    });
  }

  it('routers: every unknown name, network and VPC is reported at once, each with what exists', async () => {
    const before = h.state();
    const real = String(h.lab.state().routers[0]!['name']);
    run = await h.run(steps(`
- name: reboot
  cloudstack.routers: {action: reboot, names: [${real}, r-999-VM], networks: [nosuchnet], vpcs: [nosuchvpc]}`), { dryRun: true });
    const msg = run.end('reboot').msg ?? '';
    expect(msg).to.match(/^names: no router 'r-999-VM' on mgmt — did you mean 'r-\d+-VM'\? \(routers: r-/);
    expect(msg).to.match(/; networks: no network 'nosuchnet' on mgmt \(networks: [^)]+\); vpcs: no VPC 'nosuchvpc' on mgmt \(VPCs: [^)]+\)\. Nothing was done\.$/);
    expect(msg).to.not.include(`'${real}' on`);
    expect(h.state()).to.deep.equal(before);
  });

  it('filters of existing things that select nothing together fail, unless allow_empty is true; no upgrade left is no error', async () => {
    run = await h.run(steps(`
- name: restart
  cloudstack.systemvms: {action: restart, zones: [zone2], names: [s-1-VM]}`), { dryRun: true });
    expect(run.end('restart').status).to.equal('failed');
    expect(run.end('restart').msg).to.match(/^no system VMs on mgmt in zones zone2; names s-1-VM: every value exists, but together they select nothing\. Nothing was done; pass allow_empty: true/);
    run = await h.run(steps(`
- name: restart
  cloudstack.systemvms: {action: restart, zones: [zone2], names: [s-1-VM], allow_empty: true}`), { dryRun: true });
    expect(run.end('restart').status).to.equal('ok');
    expect(run.end('restart').plan).to.match(/^no system VMs on mgmt match/);
    // states and requiresupgrade are no such filters: nothing left to upgrade is a run with nothing to do
    run = await h.run(steps(`
- name: reboot
  cloudstack.routers: {action: reboot, zones: [zone1], requiresupgrade: false}`), { dryRun: true });
    expect(run.end('reboot').status).to.equal('ok');
    expect(run.end('reboot').plan).to.match(/^no routers on mgmt match \(zones zone1; states Running; requiresupgrade false\)/);
  });

  it('cloudstack.selection checks the filters in a read step (it runs in dry runs), and reports what they select', async () => {
    run = await h.run(steps(`
- name: check
  cloudstack.selection: {zones: [zone2], names: []}
- name: check typo
  cloudstack.selection: {names: [s-1-vm]}`), { dryRun: true });
    expect(run.end('check').status).to.equal('ok');
    expect(run.end('check').msg).to.match(/^the filters select 2 system VM\(s\) and \d+ router\(s\) on mgmt \(any state\)$/);
    expect(run.end('check typo').status).to.equal('failed');
    expect(run.end('check typo').msg).to.match(/^names: no system VM or router 's-1-vm' on mgmt — did you mean 's-1-VM'\?/);
  });
});
