// upgrade-proof against the production-like lab: right after the management servers were upgraded it
// fails, listing each system VM and router left at the old version with the playbook that does it, in
// the report files too; after cloudstack/systemvm-restart it passes and the report says done. It only
// reads, so its dry run is the same run.

import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectOk, LabPlaybooks } from './lab-run.js';

const PROOF = 'Servers, system VMs, routers and KVM agents at the version; integration port closed everywhere';

describe('upgrade-proof against the lab', function () {
  this.timeout(120_000);
  let h: LabPlaybooks;
  let dir: string;
  beforeEach(async () => {
    h = await LabPlaybooks.start('127.0.0.74', { config: { preset: 'production' } });
    dir = mkdtempSync(join(tmpdir(), 'stackplay-proof-'));
  });
  afterEach(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the routers and system VMs left at the old version and fails; after the restart playbook it passes', async () => {
    const report = join(dir, 'proof');
    const oldRouters = h.lab.state().routers.filter((r) => r['state'] === 'Running' && r['requiresUpgrade'] === true).map((r) => String(r['name']));
    expect(oldRouters.length).to.be.greaterThan(0);
    for (const dryRun of [true, false]) {
      const before = await h.run('upgrade-proof', { extraVars: { report }, dryRun });
      expect(before.summary.status, `dry run: ${dryRun}`).to.equal('failed');
      const step = before.end(PROOF);
      expect(step.msg).to.include('the upgrade to 4.20.1.0 is not done').and.include('cloudstack/systemvm-restart');
      const json = JSON.parse(readFileSync(`${report}.json`, 'utf8')) as { done: boolean; not_done: Array<{ kind: string; name: string; why: string }> };
      expect(json.done).to.equal(false);
      expect(json.not_done.filter((i) => i.kind === 'router').map((i) => i.name).sort()).to.deep.equal([...oldRouters].sort());
      const md = readFileSync(`${report}.md`, 'utf8');
      expect(md).to.include('**Not done**');
      expect(md).to.match(new RegExp(`\\| router \\| ${oldRouters[0]} \\| [^|]+ \\| requires an upgrade`));
    }
    expectOk(await h.run('systemvm-restart'));
    const after = await h.run('upgrade-proof', { extraVars: { report } });
    expectOk(after);
    expect(after.end(PROOF).msg).to.include('the upgrade to 4.20.1.0 is done');
    expect(readFileSync(`${report}.md`, 'utf8')).to.include('**Done**');
    expect((JSON.parse(readFileSync(`${report}.json`, 'utf8')) as { done: boolean }).done).to.equal(true);
  });

  it('a server still listening on the integration port is not done, with the way to close it', async () => {
    expectOk(await h.run('systemvm-restart'));
    // the manual procedure: 8096 in the database, mgmt2 restarted, the value put back without a restart
    h.lab.world.config.set('integration.api.port', '8096');
    await h.lab.server('mgmt2').restart();
    h.lab.world.config.set('integration.api.port', '0');
    const r = await h.run('upgrade-proof');
    expect(r.summary.status).to.equal('failed');
    expect(r.end(PROOF).msg).to.include('management server mgmt2').and.include('cloudstack.integration_port state: closed');
  });
});
