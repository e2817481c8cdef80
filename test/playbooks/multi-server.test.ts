// systemvm-restart and preflight on a site with two management servers (docs/cloudstack-facts.md §2.7):
// a peer that restarts while the database holds the port (a crash, HA) is found and closed at the end; a
// peer an earlier manual procedure left listening fails preflight and stops the restart before anything
// changes; a restart waits for the jobs of the server it restarts, not for the other server's.

import { expect } from 'chai';
import { okAt } from '../lab/helpers.js';
import { LabPlaybooks, expectOk } from './lab-run.js';

const ADDRESS = '127.0.0.91';
const CLOSE = 'Close the integration port on every management server';

describe('systemvm-restart and preflight with two management servers', function () {
  this.timeout(120_000);
  let h: LabPlaybooks;

  afterEach(async () => {
    await h.stop();
  });


  it('a peer restarted mid-run (while the database holds 8096) ends with its port closed', async () => {
    h = await LabPlaybooks.start(ADDRESS, { config: { preset: 'production' } });
    let peer: Promise<void> | undefined;
    let openMidRun = false;
    const r = await h.run('systemvm-restart', {
      onEvent: (e) => {
        if (e.type === 'step-start' && e.name === 'Run cloudstack-sysvmadm' && !peer) {
          peer = h.lab.server('mgmt2').restart().then(() => void (openMidRun = h.listening()['mgmt2'] === true));
        }
      },
    });
    await peer;
    expectOk(r);
    expect(openMidRun, 'mgmt2 opened the port when it came back').to.equal(true);
    const close = r.ends(CLOSE);
    expect(close.map((e) => [e.phase, e.status])).to.deep.equal([['undo', 'changed']]);
    expect(close[0]!.msg).to.match(/mgmt2: (it started \(.*\) while the database held the port|its integration port is listening); (drained through mgmt1 \([^;]*\); )?restarted mgmt2/);
    // one at a time: mgmt1 first, then mgmt2
    const msg = close[0]!.msg ?? '';
    expect(msg.indexOf('restarted mgmt1')).to.be.within(0, msg.indexOf('restarted mgmt2'));
    expect(h.listening()).to.deep.equal({ mgmt1: false, mgmt2: false });
    expect(r.end('No server listens and the database value is the one from before the run').status).to.equal('ok');
  });

  it('every restart drains its server through a peer first on 4.20 (prepareForShutdown), and waits for its jobs on 4.18', async () => {
    for (const version of ['4.20.1.0', '4.18.2.5']) {
      h = await LabPlaybooks.start(ADDRESS, { config: { preset: 'production', version } });
      let peer: Promise<void> | undefined;
      const r = await h.run('systemvm-restart', {
        onEvent: (e) => {
          if (e.type === 'step-start' && e.name === 'Run cloudstack-sysvmadm' && !peer) peer = h.lab.server('mgmt2').restart();
        },
        ...(version.startsWith('4.18') ? { extraVars: { sysvmadm_threads: 5 } } : {}),
      });
      await peer;
      expectOk(r);
      const msg = r.ends(CLOSE)[0]!.msg ?? '';
      const opening = r.end('Restart the management server once its own jobs are done (integration.api.port is read only at start)').msg ?? '';
      expect(opening.includes('drained through mgmt2'), opening).to.equal(version.startsWith('4.20'));
      if (version.startsWith('4.20')) {
        expect(msg).to.match(/mgmt1: [^;]+; drained through mgmt2 \(mgmt1 is (ReadyToShutDown|PreparingToShutDown) \(0 pending job\(s\)\)[^;]*\); restarted mgmt1/);
        expect(msg).to.match(/mgmt2: [^;]+; drained through mgmt1 \(mgmt2 is (ReadyToShutDown|PreparingToShutDown) \(0 pending job\(s\)\)[^;]*\); restarted mgmt2/);
      } else {
        expect(msg).to.not.include('drained');
      }
      expect(h.lab.state().managementServers.map((m) => `${m.name} ${m.clusterState}`)).to.deep.equal(['mgmt1 Up', 'mgmt2 Up']);
      expect(h.listening()).to.deep.equal({ mgmt1: false, mgmt2: false });
      await h.stop();
    }
    h = await LabPlaybooks.start(ADDRESS);
  });

  it('closing the port cancels a shutdown drain a killed run left on a server it does not restart', async () => {
    h = await LabPlaybooks.start(ADDRESS, { config: { preset: 'production' } });
    const id = h.lab.world.managementServers.find((m) => m.name === 'mgmt2')!.id;
    let left: Promise<unknown> | undefined;
    const r = await h.run('systemvm-restart', {
      onEvent: (e) => {
        // what a run killed between the drain of mgmt2 and its restart leaves
        if (e.type === 'step-start' && e.name === 'Run cloudstack-sysvmadm' && !left) left = okAt(h.lab, h.lab.server('mgmt2').apiUrl, { command: 'prepareForShutdown', managementserverid: id });
      },
    });
    await left;
    expectOk(r);
    expect(r.ends(CLOSE)[0]!.msg).to.match(/mgmt2: not restarted since before the port was opened, not listening; it was (PreparingToShutDown|ReadyToShutDown) \(a drain an interrupted run left\): shutdown cancelled/);
    expect(h.lab.state().managementServers.map((m) => `${m.name} ${m.clusterState} ${m.acceptingJobs}`)).to.deep.equal(['mgmt1 Up true', 'mgmt2 Up true']);
  });

  it('a peer left listening by an earlier manual procedure fails preflight and stops the restart before anything changes', async () => {
    h = await LabPlaybooks.start(ADDRESS);
    // the manual procedure: 8096 in the database, mgmt2 restarted, the value put back without restarting mgmt2
    h.lab.world.config.set('integration.api.port', '8096');
    await h.lab.server('mgmt2').restart();
    h.lab.world.config.set('integration.api.port', '0');
    expect(h.listening()).to.deep.equal({ mgmt1: false, mgmt2: true });

    const pre = await h.run('preflight');
    expect(pre.summary.status).to.equal('failed');
    const check = pre.end('The integration port is closed everywhere (0 in the database, no server listening, none reachable from here)');
    expect(check.status).to.equal('failed');
    expect(check.msg).to.include('mgmt2 (mgmt2) listens on the integration port 8096 although the database holds no port');
    expect(pre.end('Hard checks').status).to.equal('failed');

    const r = await h.run('systemvm-restart');
    expect(r.summary.status).to.equal('failed');
    expect(r.end('The integration port is not already enabled, in the database or on any server').msg).to.include('mgmt2 (mgmt2) listens');
    expect(r.ends('Open the integration port (takes effect at the next management-server restart)')).to.deep.equal([]);
    expect(h.lab.state().sysvmadmRuns).to.deep.equal([]);
  });

  it('preflight passes on a healthy two-server cloud and shows each server\'s port', async () => {
    h = await LabPlaybooks.start(ADDRESS, { config: { preset: 'production' } });
    const before = JSON.stringify(h.lab.state().systemVms);
    const r = await h.run('preflight');
    expectOk(r);
    const shown = r.output('Show the integration port of each management server').join('\n');
    expect(shown).to.include('mgmt1 (mgmt1, Up').and.include('mgmt2 (mgmt2, Up').and.include('integration port 8096 closed');
    expect(JSON.stringify(h.lab.state().systemVms)).to.equal(before);
  });

  it('the restart waits for the jobs the restarted server executes, not for the other server\'s', async () => {
    // long network restarts (not something sysvmadm -a touches), one accepted by each server
    h = await LabPlaybooks.start(ADDRESS, { durations: { restartNetwork: 1_200_000 } });
    const nets = (await okAt(h.lab, h.lab.server('mgmt1').apiUrl, { command: 'listNetworks', listall: 'true' })).network as Array<{ id: string; vpcid?: string }>;
    const [n1, n2] = nets.filter((n) => n.vpcid === undefined);
    const onMgmt1 = (await okAt(h.lab, h.lab.server('mgmt1').apiUrl, { command: 'restartNetwork', id: n1!.id })).jobid as string;
    const onMgmt2 = (await okAt(h.lab, h.lab.server('mgmt2').apiUrl, { command: 'restartNetwork', id: n2!.id })).jobid as string;
    const r = await h.run('systemvm-restart', { extraVars: { jobs_timeout: '1h', ms_drain_opening: 'jobs' } });
    expectOk(r);
    const opening = r.end('Restart the management server once its own jobs are done (integration.api.port is read only at start)');
    expect(opening.msg).to.include('restarted mgmt1: waited for 1 job(s) it was executing').and.include(`RestartNetworkCmd ${onMgmt1}`);
    expect(opening.msg).not.to.include(onMgmt2);
    // both jobs ended well: the restart broke neither
    for (const id of [onMgmt1, onMgmt2]) {
      const job = await okAt(h.lab, h.lab.server('mgmt2').apiUrl, { command: 'queryAsyncJobResult', jobid: id });
      expect(job.jobstatus, id).to.be.oneOf([0, 1]);
    }
  });

  it('the opening restart is drained through a peer until the job it executes ends, and names that job', async () => {
    h = await LabPlaybooks.start(ADDRESS, { durations: { restartNetwork: 1_200_000 } });
    const nets = (await okAt(h.lab, h.lab.server('mgmt1').apiUrl, { command: 'listNetworks', listall: 'true' })).network as Array<{ id: string; vpcid?: string }>;
    const onMgmt1 = (await okAt(h.lab, h.lab.server('mgmt1').apiUrl, { command: 'restartNetwork', id: nets.find((n) => n.vpcid === undefined)!.id })).jobid as string;
    const r = await h.run('systemvm-restart', { extraVars: { jobs_timeout: '1h' } });
    expectOk(r);
    const opening = r.end('Restart the management server once its own jobs are done (integration.api.port is read only at start)');
    expect(opening.msg).to.include('drained through mgmt2').and.include(`after the 1 job(s) it was executing: RestartNetworkCmd ${onMgmt1}`);
    const job = await okAt(h.lab, h.lab.server('mgmt2').apiUrl, { command: 'queryAsyncJobResult', jobid: onMgmt1 });
    expect(job.jobstatus).to.equal(1);
  });
});
