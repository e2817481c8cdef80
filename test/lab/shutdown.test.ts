// The shutdown API of plugins/shutdown (4.19.0–4.20.x): absent before 4.19; the id in its response (the DB
// id until 4.19.2/4.20.0, the uuid from 4.19.3/4.20.1); the target stops taking jobs (530 in these
// releases), becomes ReadyToShutDown once its jobs are done, and a triggered shutdown exits the server.

import { expect } from 'chai';
import { ManualClock, type Lab } from '../../src/lab/index.js';
import { api, apiAt, canConnect, ok, okAt, stopLabs, testLab, waitFor } from './helpers.js';

async function manual(version: string, o: Parameters<typeof testLab>[0] = {}): Promise<Lab> {
  return testLab({ clock: new ManualClock(), speed: 1, version, ...o });
}

async function ms(lab: Lab): Promise<any[]> {
  return (await ok(lab, { command: 'listManagementServers' })).managementserver;
}

describe('lab shutdown API (4.19–4.20)', () => {
  afterEach(stopLabs);

  it('does not exist before 4.19 (401 on the API port, as for any unknown command)', async () => {
    const lab = await manual('4.18.2.5');
    const [, s2] = await ms(lab);
    const r = await api(lab, { command: 'prepareForShutdown', managementserverid: s2.id });
    expect(r.status).to.equal(401);
    expect(r.json).to.have.property('errorresponse');
  });

  it('4.20.1: prepareForShutdown answers with the uuid; the target refuses jobs (530) and becomes ReadyToShutDown after its first check', async () => {
    const lab = await manual('4.20.1.0');
    const [s1, s2] = await ms(lab);
    const prep = await ok(lab, { command: 'prepareForShutdown', managementserverid: s2.id });
    expect(prep).to.deep.equal({ prepareforshutdown: { readyforshutdown: true, shutdowntriggered: true, pendingjobscount: 0, managementserverid: s2.id } });
    expect((await ms(lab)).map((s) => s.state)).to.deep.equal(['Up', 'PreparingToShutDown']);
    const [r] = (await ok(lab, { command: 'listRouters', listall: 'true' })).router;
    const refused = await apiAt(lab, lab.server('mgmt2').apiUrl, { command: 'rebootRouter', id: r.id });
    expect(refused.status).to.equal(530);
    expect(refused.json.rebootrouterresponse).to.include({ cserrorcode: 4250, errortext: 'A shutdown has been triggered. Can not accept new jobs' });
    // parameters are checked first in these releases
    expect((await apiAt(lab, lab.server('mgmt2').apiUrl, { command: 'rebootRouter' })).status).to.equal(431);
    expect((await ok(lab, { command: 'rebootRouter', id: r.id })).jobid).to.be.a('string');
    await lab.advance(14_000);
    expect((await ms(lab))[1].state).to.equal('PreparingToShutDown');
    await lab.advance(2_000);
    expect((await ms(lab))[1].state).to.equal('ReadyToShutDown');

    const again = await api(lab, { command: 'prepareForShutdown', managementserverid: s2.id });
    expect(again.status).to.equal(530);
    expect(again.json.prepareforshutdownresponse.errortext).to.equal('A shutdown has already been triggered');
    const cancel = await ok(lab, { command: 'cancelShutdown', managementserverid: s2.id });
    expect(cancel.cancelshutdown).to.include({ shutdowntriggered: false, managementserverid: s2.id });
    expect((await okAt(lab, lab.server('mgmt2').apiUrl, { command: 'rebootRouter', id: r.id })).jobid).to.be.a('string');
    const twice = await api(lab, { command: 'cancelShutdown', managementserverid: s2.id });
    expect(twice.json.cancelshutdownresponse.errortext).to.equal('A shutdown has not been triggered');
    // without an id: every pending job counts when no server is shutting down, and no server id is given
    const ready = await ok(lab, { command: 'readyForShutdown' });
    expect(ready.readyforshutdown).to.deep.equal({ readyforshutdown: false, shutdowntriggered: false, pendingjobscount: 2 });
    expect(s1.id).to.not.equal(s2.id);
  });

  it('4.19.0 answers with the mshost DB id and checks at once; 4.19.3 answers with the uuid (apache/cloudstack#10717)', async () => {
    const lab = await manual('4.19.0.0');
    const [, s2] = await ms(lab);
    const prep = await ok(lab, { command: 'prepareForShutdown', managementserverid: s2.id });
    expect(prep.prepareforshutdown.managementserverid).to.equal(2);
    await lab.advance(1);
    expect((await ms(lab))[1].state).to.equal('ReadyToShutDown');
    await lab.stop();
    const lab3 = await manual('4.19.3.0');
    const [, t2] = await ms(lab3);
    expect((await ok(lab3, { command: 'prepareForShutdown', managementserverid: t2.id })).prepareforshutdown.managementserverid).to.equal(t2.id);
  });

  it('triggerShutdown waits for the target\'s jobs, then the server exits and stays down', async () => {
    const lab = await manual('4.20.1.0');
    const [, s2] = await ms(lab);
    const m2 = lab.server('mgmt2');
    const [ssvm] = (await ok(lab, { command: 'listSystemVms' })).systemvm;
    await okAt(lab, m2.apiUrl, { command: 'stopSystemVm', id: ssvm.id });
    const trig = await ok(lab, { command: 'triggerShutdown', managementserverid: s2.id });
    expect(trig.triggershutdown).to.deep.equal({ readyforshutdown: false, shutdowntriggered: true, pendingjobscount: 1, managementserverid: s2.id });
    expect((await ms(lab))[1].state).to.equal('ShuttingDown');
    await lab.advance(16_000);
    expect(m2.state().state).to.equal('running');
    await lab.advance(30_000);
    await waitFor(() => m2.state().state === 'stopped', 'mgmt2 exits');
    expect(await canConnect(m2.state().apiPort, m2.address)).to.equal(false);
    expect((await ms(lab))[1].state).to.equal('Down');
    expect((await lab.exec('mgmt2', 'systemctl is-active cloudstack-management')).stdout).to.equal('inactive\n');
    // a call about a server that is gone waits for the cluster to drop it and then fails (530)
    const gone = await api(lab, { command: 'cancelShutdown', managementserverid: s2.id });
    expect(gone.status).to.equal(530);
  });
});
