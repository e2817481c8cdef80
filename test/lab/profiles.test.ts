// Version profiles, API side: the release buckets, the async-job object of each release, the
// listManagementServers fields, login's server id and the instance fields that arrived in a release.

import { expect } from 'chai';
import { ManualClock, profileOf, PROFILES, type Lab } from '../../src/lab/index.js';
import { hasCommand } from '../../src/lab/world/profiles.js';
import { ok, okAt, request, stopLabs, testLab } from './helpers.js';

async function manual(version: string, o: Parameters<typeof testLab>[0] = {}): Promise<Lab> {
  return testLab({ clock: new ManualClock(), speed: 1, version, ...o });
}

async function pendingJob(lab: Lab, url = lab.apiUrl): Promise<any> {
  const [r] = (await ok(lab, { command: 'listRouters', listall: 'true' })).router;
  const sub = await okAt(lab, url, { command: 'rebootRouter', id: r.id });
  return ok(lab, { command: 'queryAsyncJobResult', jobid: sub.jobid });
}

describe('lab version profiles (API)', () => {
  afterEach(stopLabs);

  it('maps versions to the release buckets and gates the commands that came later', () => {
    expect(PROFILES.map((p) => profileOf(p.example))).to.deep.equal(PROFILES.map((p) => p.id));
    expect(['4.16.1.0', '4.18.0.0', '4.19.0.2', '4.19.1.1', '4.19.3.0', '4.20.2.0', '4.20.3.0', '4.21.0.0', '4.22.0.0'].map(profileOf))
      .to.deep.equal(['4.18', '4.18', '4.19.0', '4.19.1', '4.19.2', '4.20.0', '4.20.3', '4.21', '4.22']);
    expect(hasCommand('4.16.1.0', 'patchSystemVm')).to.equal(false);
    expect(hasCommand('4.18.2.5', 'patchSystemVm')).to.equal(true);
    expect(hasCommand('4.18.2.5', 'triggerShutdown')).to.equal(false);
    expect(hasCommand('4.20.3.0', 'cancelMaintenance')).to.equal(false);
    expect(hasCommand('4.21.0.0', 'cancelMaintenance')).to.equal(true);
  });

  it('the job object: 4.18 has no account fields and no server id; 4.19 adds them with the numeric msid; 4.21 the uuid, the name and jobstatus last', async () => {
    const l18 = await manual('4.18.2.5');
    expect(Object.keys(await pendingJob(l18))).to.deep.equal([
      'accountid', 'userid', 'cmd', 'jobstatus', 'jobprocstatus', 'jobresultcode', 'jobinstancetype', 'jobinstanceid', 'created', 'jobid']);
    await l18.stop();
    const l19 = await manual('4.19.1.0');
    const j19 = await pendingJob(l19, l19.server('mgmt2').apiUrl);
    expect(Object.keys(j19)).to.deep.equal([
      'accountid', 'account', 'domainid', 'domainpath', 'userid', 'cmd', 'jobstatus', 'jobprocstatus', 'jobresultcode',
      'jobinstancetype', 'jobinstanceid', 'managementserverid', 'created', 'jobid']);
    expect(j19.managementserverid).to.equal(l19.world.managementServers[1]!.msid);
    expect(j19.managementserverid).to.be.a('number');
    await l19.stop();
    const l21 = await manual('4.21.0.0');
    const j21 = await pendingJob(l21, l21.server('mgmt2').apiUrl);
    expect(Object.keys(j21)).to.deep.equal([
      'accountid', 'account', 'domainid', 'domainpath', 'userid', 'cmd', 'jobprocstatus', 'jobresultcode', 'jobinstancetype',
      'jobinstanceid', 'managementserverid', 'managementservername', 'created', 'jobid', 'jobstatus']);
    expect(j21).to.include({ managementserverid: l21.world.managementServers[1]!.id, managementservername: 'mgmt2' });
  });

  it('listManagementServers: every server, with ipaddress and peers from 4.20.1 and the agent fields from 4.21', async () => {
    const base = ['id', 'name', 'state', 'version', 'javadistribution', 'javaversion', 'osdistribution', 'lastserverstart', 'lastboottime', 'serviceip'];
    const keys = async (version: string, extra: Record<string, string> = {}): Promise<string[][]> => {
      const lab = await manual(version);
      const list = (await ok(lab, { command: 'listManagementServers', ...extra })).managementserver;
      await lab.stop();
      return list.map((m: object) => Object.keys(m));
    };
    expect(await keys('4.18.2.5')).to.deep.equal([base, base]);
    expect(await keys('4.20.0.0', { peers: 'true' })).to.deep.equal([base, base]);
    expect((await keys('4.20.1.0'))[0]).to.deep.equal([...base, 'ipaddress']);
    expect((await keys('4.20.1.0', { peers: 'true' }))[1]).to.deep.equal([...base, 'ipaddress', 'peers']);
    expect((await keys('4.21.0.0'))[0]).to.deep.equal([...base, 'ipaddress', 'lastagents', 'agents', 'agentscount', 'pendingjobscount']);
    const lab = await manual('4.20.1.0');
    const [m1, m2] = (await ok(lab, { command: 'listManagementServers', peers: 'true' })).managementserver;
    expect(m1).to.include({ name: 'mgmt1', state: 'Up', version: '4.20.1.0', ipaddress: lab.server('mgmt1').address });
    expect(m2.ipaddress).to.equal(lab.server('mgmt2').address);
    expect(m1.peers.map((p: any) => p.peername)).to.deep.equal(['mgmt2']);
    expect((await ok(lab, { command: 'listManagementServers', name: 'mgmt2' })).managementserver.map((m: any) => m.id)).to.deep.equal([m2.id]);
  });

  it("login names the answering server from 4.21 only", async () => {
    const login = async (lab: Lab, url: string): Promise<any> => (await request(url, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ command: 'login', username: 'admin', password: lab.adminPassword, response: 'json' }).toString(),
    })).json.loginresponse;
    const l20 = await testLab({ version: '4.20.1.0' });
    expect(await login(l20, l20.apiUrl)).to.not.have.property('managementserverid');
    const l21 = await testLab({ version: '4.21.0.0' });
    expect((await login(l21, l21.server('mgmt2').apiUrl)).managementserverid).to.equal(l21.world.managementServers[1]!.id);
  });

  it('listVirtualMachines: templatetype from 4.19; domainpath, templateformat, deleteprotection and arch from 4.20', async () => {
    const fields = async (version: string): Promise<string[]> => {
      const lab = await testLab({ version });
      const [vm] = (await ok(lab, { command: 'listVirtualMachines' })).virtualmachine;
      return ['templatetype', 'domainpath', 'templateformat', 'deleteprotection', 'arch'].filter((k) => k in vm);
    };
    expect(await fields('4.18.2.5')).to.deep.equal([]);
    expect(await fields('4.19.1.0')).to.deep.equal(['templatetype']);
    expect(await fields('4.20.1.0')).to.deep.equal(['templatetype', 'domainpath', 'templateformat', 'deleteprotection', 'arch']);
  });
});
