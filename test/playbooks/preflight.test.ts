// preflight end to end against the lab: it passes on a healthy cloud and changes nothing (its dry run is
// the same run), and fails on the integration port open in the database, on a server or reachable from
// the runner, naming what it found.

import { expect } from 'chai';
import { failures, LabPlaybooks } from './lab-run.js';

const ADDRESS = '127.0.0.63';
const PORT_CHECK = 'The integration port is closed everywhere (0 in the database, no server listening, none reachable from here)';

describe('preflight against the lab', function () {
  this.timeout(60_000);
  let h: LabPlaybooks;

  beforeEach(async () => {
    h = await LabPlaybooks.start(ADDRESS);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('passes on a healthy cloud and changes nothing, in a real run and a dry run alike', async () => {
    const before = JSON.stringify(h.lab.state().systemVms);
    for (const dryRun of [false, true]) {
      const r = await h.run('preflight', { dryRun });
      expect(failures(r), 'failed steps').to.deep.equal([]);
      expect(r.summary.status).to.equal('ok');
      expect(r.end('Hard checks').status).to.equal('ok');
      expect(r.end(PORT_CHECK).status).to.equal('ok');
      expect(r.output('Live patching is available on this management-server version').join('\n')).to.include('available');
      expect(r.end('Summary of what would be touched').msg).to.include(`CloudStack ${h.lab.state().managementServer.version}`).and.include('cloudstack-sysvmadm of 4.20.1.0 works here');
    }
    expect(JSON.stringify(h.lab.state().systemVms)).to.equal(before);
    expect(h.lab.state().timers).to.deep.equal([]);
  });

  it('fails when integration.api.port is set in the database', async () => {
    h.lab.world.config.set('integration.api.port', '8096');
    const r = await h.run('preflight');
    expect(r.summary.status).to.equal('failed');
    expect(r.end(PORT_CHECK).msg).to.include('integration.api.port is 8096 in the database');
    expect(r.end('Hard checks').status).to.equal('failed');
  });

  it('fails when the port listens on the server it asks, and says it is reachable from the runner', async () => {
    h.lab.world.config.set('integration.api.port', '8096');
    await h.lab.server('mgmt1').restart();
    const r = await h.run('preflight');
    expect(r.summary.status).to.equal('failed');
    const msg = r.end(PORT_CHECK).msg ?? '';
    expect(msg).to.include('mgmt1 (mgmt1) listens on the integration port 8096');
    expect(msg).to.include('answers straight from this runner');
    expect(msg).not.to.include('mgmt2 (mgmt2) listens');
  });
});
