// plugins/maintenance (4.21+): prepareForMaintenance/cancelMaintenance with their refusals and states
// (PreparingForMaintenance → Maintenance once jobs are done and agents moved; the timeout cancels it unless
// forced; a restart keeps Maintenance), and the shutdown commands with the 4.21 response and state names.

import { expect } from 'chai';
import { ManualClock, type Lab } from '../../src/lab/index.js';
import { api, apiAt, ok, okAt, stopLabs, testLab } from './helpers.js';

async function manual(o: Parameters<typeof testLab>[0] = {}): Promise<Lab> {
  return testLab({ clock: new ManualClock(), speed: 1, version: '4.21.0.0', ...o });
}

async function ms(lab: Lab): Promise<any[]> {
  return (await ok(lab, { command: 'listManagementServers' })).managementserver;
}

const MAINT_503 = 'Maintenance or Shutdown has been initiated on this management server. Can not accept new jobs';

describe('lab maintenance API (4.21+)', () => {
  afterEach(stopLabs);

  it('does not exist in 4.20; in 4.21 it is refused with a single server up', async () => {
    const old = await testLab({ version: '4.20.1.0' });
    const [, o2] = (await ok(old, { command: 'listManagementServers' })).managementserver;
    expect((await api(old, { command: 'prepareForMaintenance', managementserverid: o2.id })).status).to.equal(401);
    const lab = await manual({ config: { managementServers: 1 } });
    const [s1] = await ms(lab);
    const r = await api(lab, { command: 'prepareForMaintenance', managementserverid: s1.id });
    expect(r.status).to.equal(530);
    expect(r.json.prepareformaintenanceresponse.errortext).to.equal('Prepare for maintenance not supported, there is only one active management server');
  });

  it('prepareForMaintenance: PreparingForMaintenance, agents move to the peer, then Maintenance; jobs refused with 503; cancelMaintenance rebalances', async () => {
    const lab = await manual();
    const [s1, s2] = await ms(lab);
    const prep = await ok(lab, { command: 'prepareForMaintenance', managementserverid: s2.id });
    expect(Object.keys(prep.prepareformaintenance)).to.deep.equal([
      'managementserverid', 'state', 'maintenanceinitiated', 'shutdowntriggered', 'readyforshutdown', 'pendingjobscount', 'agentscount', 'agents']);
    expect(prep.prepareformaintenance).to.include({ managementserverid: s2.id, state: 'PreparingForMaintenance', maintenanceinitiated: true, agentscount: 2 });
    const other = await api(lab, { command: 'prepareForMaintenance', managementserverid: s1.id });
    expect(other.json.prepareformaintenanceresponse.errortext).to.equal('Prepare for maintenance not supported, there is only one active management server');
    const shut = await api(lab, { command: 'prepareForShutdown', managementserverid: s1.id });
    expect(shut.json.prepareforshutdownresponse.errortext).to.equal('Cannot prepare for shutdown, there are other management servers preparing for maintenance/shutdown');
    const [r] = (await ok(lab, { command: 'listRouters', listall: 'true' })).router;
    const refused = await apiAt(lab, lab.server('mgmt2').apiUrl, { command: 'rebootRouter' });
    expect(refused.status).to.equal(503);
    expect(refused.json.rebootrouterresponse).to.include({ errortext: MAINT_503, cserrorcode: 9999 });
    await lab.advance(1_000);
    expect((await ms(lab))[1]).to.include({ state: 'PreparingForMaintenance', agentscount: 0 });
    await lab.advance(3_000);
    const after = await ms(lab);
    expect(after[1]).to.include({ state: 'Maintenance', agentscount: 0 });
    expect(after[0]).to.include({ agentscount: 4 });
    expect(after[1].lastagents).to.deep.equal([]);

    // a restart keeps Maintenance (ClusterManagerImpl.start at 4.21.0.0), and jobs stay refused
    await lab.server('mgmt2').restart({ wait: false });
    await lab.advance(5_001);
    expect((await ms(lab))[1].state).to.equal('Maintenance');
    expect((await apiAt(lab, lab.server('mgmt2').apiUrl, { command: 'rebootRouter', id: r.id })).status).to.equal(503);

    const cancel = await ok(lab, { command: 'cancelMaintenance', managementserverid: s2.id });
    expect(cancel.cancelmaintenance).to.include({ state: 'Up', maintenanceinitiated: false, agentscount: 2 });
    expect((await okAt(lab, lab.server('mgmt2').apiUrl, { command: 'rebootRouter', id: r.id })).jobid).to.be.a('string');
    const again = await api(lab, { command: 'cancelMaintenance', managementserverid: s2.id });
    expect(again.json.cancelmaintenanceresponse.errortext).to.equal('Management server is not in the right state to cancel maintenance');
  });

  it('the maintenance window closes after management.server.maintenance.timeout: back to Up, or Maintenance when forced', async () => {
    const lab = await manual({ config: { settings: { 'management.server.maintenance.timeout': '1' } }, durations: { stop: 600_000 } });
    const [, s2] = await ms(lab);
    const [ssvm] = (await ok(lab, { command: 'listSystemVms' })).systemvm;
    await okAt(lab, lab.server('mgmt2').apiUrl, { command: 'stopSystemVm', id: ssvm.id });
    await ok(lab, { command: 'prepareForMaintenance', managementserverid: s2.id });
    await lab.advance(58_000);
    expect((await ms(lab))[1]).to.include({ state: 'PreparingForMaintenance', pendingjobscount: 1 });
    await lab.advance(4_000);
    expect((await ms(lab))[1].state).to.equal('Up');
    await ok(lab, { command: 'prepareForMaintenance', managementserverid: s2.id, forced: 'true' });
    await lab.advance(61_000);
    expect((await ms(lab))[1].state).to.equal('Maintenance');
    const bad = await api(lab, { command: 'prepareForMaintenance', managementserverid: s2.id, algorithm: 'fastest' });
    expect(bad.json.prepareformaintenanceresponse.errortext).to.equal('Invalid algorithm fastest, valid values are: [static, roundrobin, shuffle]');
  });

  it('shutdown commands answer with the maintenance response, spell PreparingForShutDown and need the server id', async () => {
    const lab = await manual();
    const [, s2] = await ms(lab);
    const prep = await ok(lab, { command: 'prepareForShutdown', managementserverid: s2.id });
    expect(prep.prepareforshutdown).to.deep.equal({
      managementserverid: s2.id, state: 'PreparingForShutDown', maintenanceinitiated: false, shutdowntriggered: true,
      readyforshutdown: true, pendingjobscount: 0, agentscount: 2, agents: (await ms(lab))[1].agents,
    });
    await lab.advance(1_000);
    expect((await ms(lab))[1].state).to.equal('ReadyToShutDown');
    const missing = await api(lab, { command: 'readyForShutdown' });
    expect(missing.status).to.equal(431);
    expect(missing.json.readyforshutdownresponse.errortext).to.equal('Unable to execute API command readyforshutdown due to missing parameter managementserverid');
    const cancel = await ok(lab, { command: 'cancelShutdown', managementserverid: s2.id });
    expect(cancel.cancelshutdown.state).to.equal('Up');
    const wrong = await api(lab, { command: 'cancelShutdown', managementserverid: s2.id });
    expect(wrong.json.cancelshutdownresponse.errortext).to.equal('Management server is not in the right state to cancel shutdown');
  });
});
