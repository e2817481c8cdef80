// Fault injection: a job that fails for one VM, a silent live-patch failure, an injected API error.
// (Restart faults are in lifecycle.test.ts, the SSH drop in ssh.test.ts.)

import { expect } from 'chai';
import { ManualClock } from '../../src/lab/index.js';
import { api, ok, stopLabs, testLab } from './helpers.js';

describe('lab faults', () => {
  afterEach(stopLabs);

  it('failJob fails the chosen command on the chosen VM only, with its text and code, `times` times', async () => {
    const lab = await testLab({
      clock: new ManualClock(), speed: 1,
      faults: { failJob: [{ vm: 'r-3-VM', command: 'rebootRouter', times: 1 }, { vm: 's-1-VM', errorcode: 534, errortext: 'host gone' }] },
    });
    const r3 = lab.world.vmByName('r-3-VM')!;
    const r4 = lab.world.vmByName('r-4-VM')!;
    const j1 = await ok(lab, { command: 'rebootRouter', id: r3.id });
    const j2 = await ok(lab, { command: 'rebootRouter', id: r4.id });
    const j3 = await ok(lab, { command: 'stopSystemVm', id: lab.world.vmByName('s-1-VM')!.id });
    await lab.advance(61_000);
    const q = (id: string) => ok(lab, { command: 'queryAsyncJobResult', jobid: id });
    expect((await q(j1.jobid)).jobresult).to.deep.equal({ errorcode: 530, errortext: 'Failed to reboot router' });
    expect(lab.world.vmByName('r-3-VM')!.state).to.equal('Stopped');
    expect((await q(j2.jobid)).jobstatus).to.equal(1);
    expect((await q(j3.jobid)).jobresult).to.deep.equal({ errorcode: 534, errortext: 'host gone' });
    await ok(lab, { command: 'startRouter', id: r3.id });
    await lab.advance(41_000);
    const again = await ok(lab, { command: 'rebootRouter', id: r3.id });
    await lab.advance(61_000);
    expect((await q(again.jobid)).jobstatus).to.equal(1);
  });

  it('silentPatchFailure: the livepatch restart job succeeds but that router keeps its old software version', async () => {
    const lab = await testLab({ clock: new ManualClock(), speed: 1, faults: { silentPatchFailure: ['r-6-VM'] } });
    const net = lab.world.networks.find((n) => n.name === 'rnet-z1-1')!;
    expect(net.routerIds.map((id) => lab.world.vm(id)!.name)).to.deep.equal(['r-5-VM', 'r-6-VM']);
    const sub = await ok(lab, { command: 'restartNetwork', id: net.id, livepatch: 'true' });
    await lab.advance(31_000);
    expect((await ok(lab, { command: 'queryAsyncJobResult', jobid: sub.jobid })).jobresult).to.deep.equal({ success: true });
    const rs = (await ok(lab, { command: 'listRouters', networkid: net.id, listall: 'true' })).router;
    expect(rs.map((r: any) => [r.name, r.softwareversion, r.requiresupgrade])).to.deep.equal([
      ['r-5-VM', '4.20.1.0', false],
      ['r-6-VM', '4.19.0.0', true],
    ]);
  });

  it('apiError answers the chosen command with 530 (or the given code) and leaves others alone', async () => {
    const lab = await testLab({ faults: { apiError: [{ command: 'listRouters', times: 1 }, { command: 'updateConfiguration', errorcode: 533, errortext: 'no capacity' }] } });
    const first = await api(lab, { command: 'listRouters', listall: 'true' });
    expect(first.status).to.equal(530);
    expect(first.json).to.deep.equal({
      listroutersresponse: { uuidList: [], errorcode: 530, cserrorcode: 4250, errortext: 'Internal error executing command, please contact your system administrator' },
    });
    expect((await api(lab, { command: 'listRouters', listall: 'true' })).status).to.equal(200);
    const up = await api(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: '8096' });
    expect(up.status).to.equal(533);
    expect(lab.state().settings['integration.api.port']).to.equal('0');
  });
});
