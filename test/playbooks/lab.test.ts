// The bundled playbooks end to end against the lab: each succeeds on a freshly upgraded cloud (system VMs
// and routers at the old version), its dry run changes nothing, and after every run the integration
// port is back to its previous database value and not listening. (systemvm-restart and preflight have
// files of their own: restart*.test.ts, preflight.test.ts.)

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { stepRegistry } from '../../src/steps/registry.js';
import { LabPlaybooks, PLAYBOOKS, playbookPath, expectOk } from './lab-run.js';
import { inventoryVars } from './validate.test.js';

const ADDRESS = '127.0.0.61';

describe('bundled playbooks against the lab', function () {
  this.timeout(60_000);
  let h: LabPlaybooks;

  beforeEach(async () => {
    h = await LabPlaybooks.start(ADDRESS);
  });
  afterEach(async () => {
    await h.stop();
  });

  const portRestored = (): void => {
    expect(h.port()).to.deep.equal({ dbValue: '0', listening: false });
  };
  const msVersion = (): string => h.lab.state().managementServer.version;
  const outdated = (): { svms: string[]; routers: string[] } => {
    const s = h.lab.state();
    return {
      svms: s.systemVms.filter((v) => v['state'] === 'Running' && (v['version'] !== msVersion() || v['agentState'] !== 'Up')).map((v) => String(v['name'])),
      routers: s.routers.filter((r) => r['state'] === 'Running' && r['requiresUpgrade'] === true).map((r) => String(r['name'])),
    };
  };

  it('every playbook validates against the inventory the lab writes', () => {
    const known = inventoryVars(h.lab.inventoryPath);
    for (const name of PLAYBOOKS) {
      const r = loadPlaybook(name, readFileSync(playbookPath(name), 'utf8'), { steps: stepRegistry, knownVars: known });
      expect(r.ok ? [] : r.problems.items.map((p) => p.message), name).to.deep.equal([]);
    }
  });

  it('starts from an upgraded management server with outdated system VMs and routers', () => {
    const o = outdated();
    expect(o.svms).to.have.length.greaterThan(0);
    expect(o.routers).to.have.length.greaterThan(0);
    portRestored();
  });

  it('systemvm-live-patch: patches system VMs and routers without the integration port, services active', async () => {
    let opened = false;
    const r = await h.run('systemvm-live-patch', {
      onEvent: () => {
        if (h.port().listening || h.port().dbValue !== '0') opened = true;
      },
    });
    expectOk(r);
    expect(opened).to.equal(false);
    expect(outdated()).to.deep.equal({ svms: [], routers: [] });
    expect(h.lab.state().systemVms.every((v) => Number(v['patchCount']) > 0)).to.equal(true);
    const checked = r.ends('System VM services are active (SSVM cloud/apache2/portmap, CPVM cloud)').filter((e) => e.status === 'ok');
    expect(checked.map((e) => e.host).sort()).to.deep.equal(['kvm01', 'kvm02']);
    portRestored();
  });

  it('systemvm-live-patch: refuses before 4.17 and names the restart playbooks', async () => {
    await h.stop();
    h = await LabPlaybooks.start(ADDRESS, { version: '4.16.1.0' });
    const r = await h.run('systemvm-live-patch');
    expect(r.summary.status).to.equal('failed');
    expect(r.end('The management server can live-patch').msg).to.include('cloudstack/systemvm-restart');
    expect(h.lab.state().systemVms.every((v) => Number(v['patchCount']) === 0)).to.equal(true);
    portRestored();
  });

  it('systemvm-restart-api: restarts through the signed API only', async () => {
    let opened = false;
    const r = await h.run('systemvm-restart-api', {
      onEvent: () => {
        if (h.port().listening || h.port().dbValue !== '0') opened = true;
      },
    });
    expectOk(r);
    expect(opened).to.equal(false);
    expect(outdated()).to.deep.equal({ svms: [], routers: [] });
    expect(h.lab.state().sysvmadmRuns).to.have.length(0);
    portRestored();
  });

  it('systemvm-restart-api: the dry run lists what would be touched and changes nothing', async () => {
    const r = await h.run('systemvm-restart-api', { dryRun: true });
    expectOk(r);
    const plan = r.end('Reboot routers in a rolling window (redundant pairs BACKUP first, then PRIMARY), then check Running and requiresupgrade=false').plan ?? '';
    expect(plan).to.match(/would reboot \d+ router/);
    expect(outdated().routers).to.have.length.greaterThan(0);
    portRestored();
  });
});
