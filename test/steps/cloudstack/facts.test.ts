import { expect } from 'chai';
import { CsHarness, steps, type CsRun } from './harness.js';

interface Facts {
  version: string | null;
  ms_version: string | null;
  management_servers: unknown[];
  zones: unknown[];
  system_vms: Array<Record<string, unknown>>;
  routers: Array<Record<string, unknown>>;
  networks: Array<{ name: string; routers: Array<{ name: string }> }>;
  vpcs: Array<{ name: string; tiers: number; routers: Array<{ name: string }> }>;
  counts: Record<string, number>;
  routers_requiring_upgrade: number;
  system_vms_outdated: number;
}

describe('steps: cloudstack.facts', function () {
  this.timeout(30_000);
  let h: CsHarness;
  before(async () => {
    // one management server: the assertions below count one
    h = await CsHarness.start('127.0.0.34', { config: { emptyVpcs: 1, managementServers: 1 } });
  });
  after(async () => h.stop());
  let run: CsRun | undefined;
  beforeEach(() => {
    run = undefined;
  });
  afterEach(() => {
    if (run) expect(run.leaks()).to.deep.equal([]);
  });

  it('gathers version, servers, zones, system VMs, every router (project ones too), networks, VPCs and counts', async () => {
    run = await h.run(steps(`
- name: facts
  cloudstack.facts: {}
  register: f
- {name: c, capture: "{{f}}"}
- name: use
  log: "{{f.routers_requiring_upgrade}} routers to upgrade"`));
    expect(run.summary.exitCode).to.equal(0);
    const f = run.captured[0] as Facts;
    expect(f.version).to.equal('4.20.1.0');
    expect(f.management_servers).to.have.length(1);
    expect(f.zones).to.have.length(1);
    expect(f.system_vms.map((v) => v['name'])).to.have.members(['s-1-VM', 'v-2-VM']);
    const labRouters = h.lab.state().routers;
    expect(f.routers.map((r) => r['name'])).to.have.members(labRouters.map((r) => String(r['name'])));
    // the project's router is only listed with projectid=-1
    expect(f.routers.some((r) => r['project'] === 'project1')).to.equal(true);
    expect(f.networks.map((n) => n.name)).to.have.members(['net-z1-1', 'net-z1-2', 'rnet-z1-1', 'prj-net-z1-1']);
    expect(f.networks.find((n) => n.name === 'rnet-z1-1')!.routers).to.have.length(2);
    expect(f.vpcs.map((v) => [v.name, v.tiers])).to.have.deep.members([['vpc-z1-1', 2], ['evpc-z1-1', 0]]);
    expect(f.counts).to.include({ routers: labRouters.length, routers_requiring_upgrade: labRouters.length, system_vms_outdated: 2, vpcs_without_tiers: 1 });
    expect(f.routers_requiring_upgrade).to.equal(labRouters.length);
    expect(run.end('facts').msg).to.equal(`mgmt: CloudStack 4.20.1.0, 2 system VM(s) (2 outdated), ${labRouters.length} router(s) (${labRouters.length} require an upgrade), 4 network(s), 2 VPC(s)`);
  });

  it('runs for real in a dry run and changes nothing', async () => {
    const before = h.state();
    run = await h.run(steps(`
- name: facts
  cloudstack.facts: {}
  register: f
- {name: c, capture: "{{f.counts.system_vms}}"}`), { dryRun: true });
    expect(run.end('facts').status).to.equal('ok');
    expect(run.captured[0]).to.equal(2);
    expect(h.state()).to.deep.equal(before);
  });

  it('falls back to the management servers\' version when listCapabilities hides it', async () => {
    h.lab.world.config.set('expose.cloudstack.version.api.list.capabilities', 'false');
    try {
      run = await h.run(steps(`
- name: facts
  cloudstack.facts: {}
  register: f
- {name: c, capture: "{{f.version}}"}`));
    } finally {
      h.lab.world.config.set('expose.cloudstack.version.api.list.capabilities', 'true');
    }
    expect(run.captured[0]).to.equal('4.20.1.0');
  });

  it('fails with the API error when the signature is wrong, and when the host has no cloudstack settings', async () => {
    run = await h.run(steps(`
- name: facts
  cloudstack.facts: {}`), { secretKey: 'wrong-secret-key-for-the-facts-test' });
    expect(run.end('facts').msg).to.include('HTTP 401');
    run = await h.run(steps(`
- name: facts elsewhere
  cloudstack.facts: {host: other}`), { extraHosts: '  other:\n    address: 127.0.0.34' });
    expect(run.end('facts elsewhere').msg).to.equal("host 'other' has no 'cloudstack:' settings in the inventory");
  });
});
