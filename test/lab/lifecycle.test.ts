// The management-server lifecycle and the integration port (ApiServer.start, AsyncJobManagerImpl): the port follows
// the DB value only across restarts, in-flight jobs die with the server, and the port is unauthenticated,
// any path, Connection: close, 432 for unknown commands.

import { expect } from 'chai';
import { ManualClock, type Lab } from '../../src/lab/index.js';
import { api, canConnect, freePort, ok, request, stopLabs, testLab } from './helpers.js';

async function enablePort(lab: Lab, port: number): Promise<void> {
  await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(port) });
}

describe('lab management-server lifecycle and integration port', () => {
  afterEach(stopLabs);

  it('updateConfiguration alone opens nothing; a restart with a value > 0 opens the port', async () => {
    const lab = await testLab();
    const port = await freePort();
    await enablePort(lab, port);
    expect(await canConnect(port)).to.equal(false);
    expect(lab.integrationUrl()).to.equal(undefined);
    await lab.restartManagementServer();
    expect(await canConnect(port)).to.equal(true);
    const st = lab.state().managementServer;
    expect(st.integrationPort).to.deep.equal({ dbValue: String(port), effective: port, listening: true });
    const r = await request(`http://127.0.0.1:${port}/?command=listCapabilities&response=json`);
    expect(r.status).to.equal(200);
    expect(r.headers.connection).to.equal('close');
    expect(r.headers.server).to.equal('HttpComponents/1.1');
    expect(r.json.listcapabilitiesresponse.capability.cloudstackversion).to.equal('4.20.1.0');
  });

  it('setting the port back to 0 keeps it open until the next restart, which closes it', async () => {
    const lab = await testLab();
    const port = await freePort();
    await enablePort(lab, port);
    await lab.restartManagementServer();
    await enablePort(lab, 0);
    expect(await canConnect(port)).to.equal(true);
    await lab.restartManagementServer();
    expect(await canConnect(port)).to.equal(false);
    expect(lab.state().managementServer.integrationPort.listening).to.equal(false);
  });

  it('serves any path without auth as the system account; unknown command is 432/9999; missing command 432', async () => {
    const lab = await testLab();
    const port = await freePort();
    await enablePort(lab, port);
    await lab.restartManagementServer();
    const base = `http://127.0.0.1:${port}`;
    const r = (await request(`${base}/client/api?command=listRouters&listall=true&response=json`)).json.listroutersresponse;
    expect(r.count).to.equal(5);
    const unknown = await request(`${base}/?command=fooBar&response=json`);
    expect(unknown.status).to.equal(432);
    expect(unknown.statusMessage).to.equal('Unknown API command: fooBar');
    expect(unknown.json).to.deep.equal({ errorresponse: { uuidList: [], errorcode: 432, cserrorcode: 9999, errortext: 'Unknown API command: fooBar' } });
    expect((await request(`${base}/?response=json`)).json.errorresponse.errortext).to.equal('Invalid request, no command sent');
    const [ssvm] = (await ok(lab, { command: 'listSystemVms' })).systemvm;
    const sub = (await request(`${base}/?command=stopSystemVm&id=${ssvm.id}&response=json`)).json.stopsystemvmresponse;
    const q = (await request(`${base}/?command=queryAsyncJobResult&jobId=${sub.jobid}&response=json`)).json.queryasyncjobresultresponse;
    expect(q.account).to.equal('system');
    expect((await request(`${base}/?command=listZones`)).headers['content-type']).to.equal('text/xml');
  });

  it('the API refuses connections while restarting; in-flight jobs fail with 530 and no jobresult', async () => {
    const clock = new ManualClock();
    const lab = await testLab({ clock, speed: 1, restartDelayMs: 60_000 });
    const [r] = (await ok(lab, { command: 'listRouters', listall: 'true' })).router;
    const sub = await ok(lab, { command: 'rebootRouter', id: r.id });
    await lab.advance(5_000);
    await lab.restartManagementServer({ wait: false });
    expect(await canConnect(lab.apiPort)).to.equal(false);
    expect(lab.state().managementServer.state).to.equal('restarting');
    await lab.advance(59_000);
    expect(await canConnect(lab.apiPort)).to.equal(false);
    await lab.advance(2_000);
    expect(lab.state().managementServer.state).to.equal('running');
    const res = await ok(lab, { command: 'queryAsyncJobResult', jobid: sub.jobid });
    expect(res).to.include({ jobstatus: 2, jobresultcode: 530 });
    expect(res).to.not.have.property('jobresult');
    expect(res).to.not.have.property('jobresulttype');
    expect(res).to.have.property('completed');
    const after = (await ok(lab, { command: 'listRouters', id: r.id })).router[0];
    expect(after.state).to.equal('Stopped');
  });

  it('async commands are refused during the shutdown grace period (530 until 4.20, 503 from 4.21), sync commands still work', async () => {
    for (const [version, status, text] of [
      ['4.20.1.0', 530, 'A shutdown has been triggered. Can not accept new jobs'],
      ['4.21.0.0', 503, 'Maintenance or Shutdown has been initiated on this management server. Can not accept new jobs'],
    ] as const) {
      const clock = new ManualClock();
      const lab = await testLab({ clock, speed: 1, restartGraceMs: 10_000, version });
      const [r] = (await ok(lab, { command: 'listRouters', listall: 'true' })).router;
      const restarting = lab.restartManagementServer({ wait: false });
      await lab.advance(1_000);
      const refused = await api(lab, { command: 'rebootRouter', id: r.id });
      expect(refused.status).to.equal(status);
      expect(refused.json.rebootrouterresponse.errortext).to.equal(text);
      expect((await api(lab, { command: 'listZones' })).status).to.equal(200);
      await lab.advance(10_000);
      await restarting;
      expect(await canConnect(lab.apiPort)).to.equal(false);
    }
  });

  it('stopping the lab in the middle of a shutdown grace period does not wait for lab time', async () => {
    const lab = await testLab({ clock: new ManualClock(), speed: 1, restartGraceMs: 10_000 });
    void lab.restartManagementServer({ wait: false });
    await lab.stop();
    expect(await canConnect(lab.apiPort)).to.equal(false);
  });

  it('systemctl-style stop then start: stopped refuses connections, start brings it back', async () => {
    const lab = await testLab();
    await lab.stopManagementServer();
    expect(lab.state().managementServer.state).to.equal('stopped');
    expect(await canConnect(lab.apiPort)).to.equal(false);
    await lab.startManagementServer();
    expect((await api(lab, { command: 'listZones' })).status).to.equal(200);
  });

  it('faults: a slow comeback uses its own delay; restartNever leaves the server down', async () => {
    const clock = new ManualClock();
    const lab = await testLab({ clock, speed: 1, restartDelayMs: 1_000, faults: { restartDelayMs: 300_000 } });
    await lab.restartManagementServer({ wait: false });
    await lab.advance(200_000);
    expect(lab.state().managementServer.state).to.equal('restarting');
    await lab.advance(100_001);
    expect(lab.state().managementServer.state).to.equal('running');
    lab.setFaults({ restartNever: true });
    await lab.restartManagementServer();
    await lab.advance(10_000_000);
    expect(lab.state().managementServer.state).to.equal('restarting');
    expect(await canConnect(lab.apiPort)).to.equal(false);
  });

  it('stop() closes every listener and is idempotent', async () => {
    const lab = await testLab({ ssh: true });
    const port = await freePort();
    await enablePort(lab, port);
    await lab.restartManagementServer();
    await lab.stop();
    await lab.stop();
    expect(await canConnect(lab.apiPort)).to.equal(false);
    expect(await canConnect(port)).to.equal(false);
    expect(await canConnect(lab.sshPort)).to.equal(false);
  });
});
