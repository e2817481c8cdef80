// The integration port's dead-man script, run by the lab's shell as systemd would run it on a management
// server whose runner is gone: it puts the value back, restarts its server when the port answers, and —
// given the server's mshost uuid — also when the row shows a shutdown drain the lost run left (4.19–4.20),
// which would otherwise keep the server refusing new jobs.

import { expect } from 'chai';
import { integrationPortStep } from '../../../src/steps/cloudstack/integration-port.js';
import { closeScript } from '../../../src/steps/cloudstack/port-close.js';
import { okAt, stopLabs, testLab, waitFor } from '../../lab/helpers.js';

describe('the integration port dead-man script', function () {
  this.timeout(60_000);
  afterEach(stopLabs);

  it('restarts a server left draining (PreparingToShutDown/ReadyToShutDown) whose port is closed, and leaves an Up one alone', async () => {
    const lab = await testLab({ address: '127.0.0.111', config: { version: '4.20.1.0' } });
    const db = { host: 'localhost', user: lab.dbUser, password: lab.dbPassword };
    const ids = Object.fromEntries(lab.world.managementServers.map((m) => [m.name, m.id]));
    // what a run lost between the drain of mgmt1 and its restart leaves: mgmt1 refusing new jobs
    await okAt(lab, lab.server('mgmt2').apiUrl, { command: 'prepareForShutdown', managementserverid: ids['mgmt1']! });
    expect(lab.server('mgmt1').state().acceptingJobs).to.equal(false);
    // every stop of a server is a line of the lab log (`mgmtN: stopped (listeners closed, …)`)
    const stops: string[] = [];
    lab.on('log', (e) => {
      if (e.kind === 'ms' && /^mgmt\d: \S+ \(listeners closed/.test(e.message)) stops.push(e.message.split(':')[0]!);
    });
    for (const name of ['mgmt1', 'mgmt2']) {
      const r = await lab.exec(name, closeScript(db, '0', 8096, 'cloudstack-management', 0, 0, ids[name]));
      expect(r.code, `${name}: ${r.stderr}`).to.equal(0);
    }
    await waitFor(() => lab.server('mgmt1').state().clusterState === 'Up' && lab.server('mgmt1').state().acceptingJobs, 'mgmt1 back Up and taking jobs');
    expect(stops, 'mgmt1 restarted, mgmt2 left alone').to.deep.equal(['mgmt1']);
  });

  it('takes the uuid from the inspect the run registered, only when it has a uuid\'s shape', () => {
    const args = { state: 'closed', value: '0', db: { host: 'localhost', user: 'cloud', password: 'pw' }, service: 'cloudstack-management', deadman_stagger: 0 };
    const target = { host: 'mgmt1', index: 0, hosts: ['mgmt1'] };
    const uuid = '0f3c2b9e-1d2a-4c3b-9e8f-7a6b5c4d3e2f';
    const script = (ids: unknown): string => integrationPortStep.deadman!({ ...args, server_ids: ids } as never, target);
    expect(script([{ host: 'mgmt1', id: uuid }])).to.include('SELECT state FROM mshost WHERE uuid=').and.include(uuid);
    expect(script([{ host: 'mgmt1', id: "x'; DROP TABLE mshost; --" }])).to.not.include('mshost');
    expect(script(undefined)).to.not.include('mshost');
  });
});
