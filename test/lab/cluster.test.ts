// Several management servers sharing one database: each reads integration.api.port at its own start and
// keeps its port until its own next restart; a restarting server's jobs stay pending for its peers and
// are failed when it comes back; listManagementServers shows each server; every mgmtN host reaches its own
// server; the optional load balancer spreads calls over the servers that are up.

import { expect } from 'chai';
import { ManualClock, type Lab, type LabLogEvent } from '../../src/lab/index.js';
import { apiAt, canConnect, ok, okAt, request, stopLabs, testLab, waitFor } from './helpers.js';

// Addresses of their own: the port is 8096 itself, as on a real site.
const MGMT1 = '127.0.0.141';
const MGMT2 = '127.0.0.142';

function servers(lab: Lab, url = lab.apiUrl): Promise<any[]> {
  return okAt(lab, url, { command: 'listManagementServers' }).then((r) => r.managementserver);
}

describe('lab management-server cluster', function () {
  this.timeout(30_000);
  afterEach(stopLabs);

  it('restarting mgmt2 while the database holds 8096 opens the port on mgmt2 only; setting it back leaves it open until mgmt2 restarts', async () => {
    const lab = await testLab({ address: MGMT1 });
    const [m1, m2] = [lab.server('mgmt1'), lab.server('mgmt2')];
    expect([m1.address, m2.address]).to.deep.equal([MGMT1, MGMT2]);
    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: '8096' });
    await m2.restart();
    expect(await canConnect(8096, MGMT2)).to.equal(true);
    expect(await canConnect(8096, MGMT1)).to.equal(false);
    expect(lab.state().managementServers.map((s) => [s.name, s.integrationPort.listening])).to.deep.equal([['mgmt1', false], ['mgmt2', true]]);
    expect(m2.integrationUrl()).to.equal(`http://${MGMT2}:8096/client/api`);
    // each host's localhost is its own server
    const viaMgmt2 = await lab.exec('mgmt2', 'curl -s "http://localhost:8096/?command=listCapabilities&response=json"');
    expect(JSON.parse(viaMgmt2.stdout).listcapabilitiesresponse.capability.cloudstackversion).to.equal('4.20.1.0');
    expect((await lab.exec('mgmt1', 'curl -sS "http://localhost:8096/?command=listCapabilities"')).code).to.equal(7);

    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: '0' });
    await m1.restart();
    expect(await canConnect(8096, MGMT2)).to.equal(true);
    expect(lab.state().managementServers[1]!.integrationPort).to.deep.equal({ dbValue: '0', effective: 8096, listening: true });
    await m2.restart();
    expect(await canConnect(8096, MGMT2)).to.equal(false);
  });

  it("a restarting server's job stays pending for its peer until it starts again, which fails it (530, no jobresult, server id kept)", async () => {
    const clock = new ManualClock();
    const lab = await testLab({ address: MGMT1, clock, speed: 1, restartDelayMs: 60_000 });
    const m2 = lab.server('mgmt2');
    const [r] = (await ok(lab, { command: 'listRouters', listall: 'true' })).router;
    const sub = await okAt(lab, m2.apiUrl, { command: 'rebootRouter', id: r.id });
    await lab.advance(5_000);
    const msid2 = lab.world.managementServers[1]!.msid;
    const pending = await ok(lab, { command: 'queryAsyncJobResult', jobid: sub.jobid });
    expect(pending).to.include({ jobstatus: 0, managementserverid: msid2 });

    await m2.restart({ wait: false });
    expect(await canConnect(lab.server('mgmt2').state().apiPort, MGMT2)).to.equal(false);
    await lab.advance(30_000);
    // the peer does not cancel it (AsyncJobManagerImpl.onManagementNodeLeft passes the DB id, jobs carry the msid)
    expect(await ok(lab, { command: 'queryAsyncJobResult', jobid: sub.jobid })).to.include({ jobstatus: 0, managementserverid: msid2 });
    expect((await ok(lab, { command: 'listAsyncJobs', listall: 'true' })).count).to.equal(1);
    const down = (await servers(lab)).find((s) => s.name === 'mgmt2');
    expect(down).to.include({ state: 'Down' });
    expect(down).to.have.property('lastserverstop');

    await lab.advance(31_000);
    const failed = await ok(lab, { command: 'queryAsyncJobResult', jobid: sub.jobid });
    expect(failed).to.include({ jobstatus: 2, jobresultcode: 530, managementserverid: msid2 });
    expect(failed).to.not.have.property('jobresult');
    expect(failed).to.have.property('completed');
    expect((await servers(lab)).map((s) => s.state)).to.deep.equal(['Up', 'Up']);
    expect((await ok(lab, { command: 'listRouters', id: r.id })).router[0].state).to.equal('Stopped');

    // a job that completes loses its server id
    const [ssvm] = (await ok(lab, { command: 'listSystemVms' })).systemvm;
    const done = await ok(lab, { command: 'stopSystemVm', id: ssvm.id });
    await lab.advance(21_000);
    const result = await ok(lab, { command: 'queryAsyncJobResult', jobid: done.jobid });
    expect(result.jobstatus).to.equal(1);
    expect(result).to.not.have.property('managementserverid');
  });

  it('a peer takes over the agents of a server that leaves; listHosts shows the new owner', async () => {
    const clock = new ManualClock();
    const lab = await testLab({ address: MGMT1, clock, speed: 1, restartDelayMs: 60_000 });
    const [s1, s2] = await servers(lab);
    const owners = async (): Promise<string[]> => (await ok(lab, { command: 'listHosts', type: 'Routing' })).host.map((h: any) => h.managementserverid);
    expect(new Set(await owners())).to.deep.equal(new Set([s1.id, s2.id]));
    await lab.server('mgmt2').restart({ wait: false });
    expect(await owners()).to.deep.equal([s1.id, s1.id]);
    expect(lab.state().managementServers.map((s) => s.agents)).to.deep.equal([4, 0]);
  });

  it('every mgmtN host runs its commands against its own server and the shared database', async () => {
    const lab = await testLab({ address: MGMT1, ssh: true, speed: 2000 });
    const db = `-u ${lab.dbUser} -p${lab.dbPassword}`;
    expect((await lab.exec('mgmt2', 'hostname')).stdout).to.equal('mgmt2\n');
    const set = await lab.exec('mgmt2', `mysql ${db} cloud -e "UPDATE configuration SET value='8096' WHERE name='integration.api.port'"`);
    expect(set.code).to.equal(0);
    expect((await ok(lab, { command: 'listConfigurations', name: 'integration.api.port' })).configuration[0].value).to.equal('8096');
    expect((await lab.exec('mgmt2', 'systemctl restart cloudstack-management')).code).to.equal(0);
    await waitFor(() => lab.server('mgmt2').state().state === 'running', 'mgmt2 back');
    expect(lab.state().managementServers.map((s) => s.integrationPort.listening)).to.deep.equal([false, true]);
    const run = await lab.exec('mgmt2', `cloudstack-sysvmadm -d localhost -u ${lab.dbUser} -p ${lab.dbPassword} -s`);
    expect(run.stdout).to.include('Done stopping and starting secondary storage vm(s)');
    expect(run.stdout).to.not.include('ERROR');
    expect((await lab.exec('mgmt1', `cloudstack-sysvmadm -d localhost -u ${lab.dbUser} -p ${lab.dbPassword} -s`)).stdout)
      .to.include('ERROR: Failed to stop secondary storage vm');
    expect(lab.state().hostActivity['mgmt2']!.sysvmadmRuns).to.have.length(1);
    const inv = (await import('node:fs')).readFileSync(lab.inventoryPath, 'utf8');
    expect(inv).to.include(`url: "${lab.server('mgmt2').apiUrl}"`);
    expect(inv).to.include(`address: ${MGMT2}`);
    expect(inv).to.include('management: { hosts: [mgmt1, mgmt2] }');
  });

  it('the load balancer spreads calls over the servers that are up, keeps a session on its server, and answers 503 with none', async () => {
    const lab = await testLab({ address: MGMT1, config: { loadBalancer: true } });
    const answered: string[] = [];
    lab.on('log', (e: LabLogEvent) => {
      if (e.kind === 'api' && e.server) answered.push(e.server);
    });
    const lb = lab.loadBalancerUrl!;
    expect(lb).to.match(/^http:\/\/127\.0\.0\.143:\d+\/client\/api$/);
    for (let i = 0; i < 4; i++) await okAt(lab, lb, { command: 'listZones' });
    expect(answered).to.deep.equal(['mgmt1', 'mgmt2', 'mgmt1', 'mgmt2']);

    const login = await request(lb, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ command: 'login', username: 'admin', password: lab.adminPassword, response: 'json' }).toString() });
    const cookie = (login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const key = login.json.loginresponse.sessionkey as string;
    const home = answered[answered.length - 1]!;
    for (let i = 0; i < 3; i++) {
      const r = await request(`${lb}?command=listZones&response=json&sessionkey=${encodeURIComponent(key)}`, { headers: { cookie } });
      expect(r.status).to.equal(200);
    }
    expect(answered.slice(-3)).to.deep.equal([home, home, home]);
    const other = lab.server(home === 'mgmt1' ? 'mgmt2' : 'mgmt1');
    const elsewhere = await request(`${other.apiUrl}?command=listZones&response=json&sessionkey=${encodeURIComponent(key)}`, { headers: { cookie } });
    expect(elsewhere.status).to.equal(401);

    await lab.server('mgmt1').stop();
    answered.length = 0;
    for (let i = 0; i < 2; i++) expect((await apiAt(lab, lb, { command: 'listZones' })).status).to.equal(200);
    expect(answered).to.deep.equal(['mgmt2', 'mgmt2']);
    await lab.server('mgmt2').stop();
    const none = await apiAt(lab, lb, { command: 'listZones' });
    expect(none.status).to.equal(503);
    expect(none.text).to.include('No server is available to handle this request.');
  });
});
