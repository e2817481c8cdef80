// management-restart against the production-like lab with two and three management servers on the 4.20
// (shutdown API) and 4.21 (maintenance API) profiles: a client polling the API through the site's load
// balancer during the whole run never goes unanswered, no job is lost to a restart (none failed by
// a server's leftover-job cleanup), and every server ends Up, each restarted once. Refused with one
// server; an interrupt while a server drains cancels its drain and restarts nothing.

import { expect } from 'chai';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { okAt } from '../lab/helpers.js';
import { expectOk, LabPlaybooks } from './lab-run.js';

const STEP = 'Drain it through a peer, restart it, wait until it is Up at the version';
const lostJobs = (h: LabPlaybooks): number => h.lab.state().jobs.filter((j) => j['status'] === 2 && j['resultCode'] === 530).length;

describe('management-restart against the lab', function () {
  this.timeout(180_000);
  let h: LabPlaybooks | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  for (const [version, servers] of [['4.20.1.0', 2], ['4.20.1.0', 3], ['4.21.0.0', 2], ['4.21.0.0', 3]] as const) {
    it(`${version}, ${servers} servers: the API answers throughout, no job is lost, each server is restarted once and ends Up`, async () => {
      h = await LabPlaybooks.start('127.0.0.75', { version, config: { preset: 'production', managementServers: servers, loadBalancer: true } });
      const lab = h.lab;
      const lb = lab.loadBalancerUrl!;
      const starts = () => lab.state().managementServers.map((s) => `${s.name} ${String((s as { lastStart?: unknown }).lastStart ?? '')}`);
      const lostBefore = lostJobs(h);
      let polling = true;
      let answered = 0;
      const unanswered: string[] = [];
      const poller = (async () => {
        while (polling) {
          try {
            await okAt(lab, lb, { command: 'listZones' });
            answered += 1;
          } catch (err) {
            unanswered.push(String(err));
          }
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const r = await h.run('management-restart');
      polling = false;
      await poller;
      expectOk(r);
      expect(unanswered, 'API calls through the load balancer that failed during the run').to.deep.equal([]);
      expect(answered).to.be.greaterThan(0);
      const ends = r.ends(STEP);
      expect(ends.map((e) => `${e.host} ${e.status}`).sort()).to.deep.equal(lab.servers.map((s) => `${s.name} changed`).sort());
      const drain = version.startsWith('4.21') ? 'maintenance' : 'shutdown';
      for (const e of ends) expect(e.msg).to.include('drained').and.include(`Up at ${version}`);
      expect(r.text()).to.include(drain === 'maintenance' ? 'Maintenance' : 'pending job');
      expect(lab.state().managementServers.map((s) => s.clusterState)).to.deep.equal(lab.servers.map(() => 'Up'));
      expect(lostJobs(h), 'jobs failed by a restart').to.equal(lostBefore);
      expect(starts()).to.have.length(servers);
    });
  }

  it('the load-balancer hooks take each server out before its drain and put it back after its restart (command and HTTP)', async () => {
    h = await LabPlaybooks.start('127.0.0.75', { version: '4.20.1.0' });
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-lb-'));
    const log = join(dir, 'lb.log');
    const calls: string[] = [];
    // the load balancer's HTTP API, on loopback; what it is told lands in the same order as the commands
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        calls.push(`${req.url} ${(JSON.parse(body) as { server: string }).server}`);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.75', r));
    const url = `http://127.0.0.75:${(server.address() as { port: number }).port}`;
    const restarts: string[] = [];
    try {
      const r = await h.run('management-restart', {
        extraVars: {
          lb_drain_command: `echo drain >> ${log}; echo`, lb_undrain_command: `echo undrain >> ${log}; echo`,
          lb_drain_url: `${url}/drain`, lb_undrain_url: `${url}/undrain`,
        },
        onEvent: (e) => {
          if (e.type === 'step-end' && e.name === STEP) restarts.push(`restarted ${e.host}`);
          if (e.type === 'step-end' && /load balancer \(HTTP\)/.test(e.name)) restarts.push(`${e.name.startsWith('Take') ? '/drain' : '/undrain'} ${e.host}`);
        },
      });
      expectOk(r);
      expect(restarts).to.deep.equal(['/drain mgmt1', 'restarted mgmt1', '/undrain mgmt1', '/drain mgmt2', 'restarted mgmt2', '/undrain mgmt2']);
      expect(calls).to.deep.equal(['/drain mgmt1', '/undrain mgmt1', '/drain mgmt2', '/undrain mgmt2']);
      expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).to.deep.equal(['drain', 'undrain', 'drain', 'undrain']);
      expect(r.output('Take it out of the load balancer')).to.deep.equal(['mgmt1', 'mgmt2']);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses with one management server: the API would go away with it; nothing is restarted', async () => {
    h = await LabPlaybooks.start('127.0.0.75', { version: '4.21.0.0', config: { managementServers: 1 } });
    const r = await h.run('management-restart');
    expect(r.summary.status).to.equal('failed');
    expect(r.end(STEP).msg).to.include('no other management server is Up').and.include('nothing was changed');
    expect(h.lab.state().managementServers[0]!.clusterState).to.equal('Up');
  });

  it('a server a killed run left in maintenance is drained, restarted and taken out of it by the next run', async () => {
    h = await LabPlaybooks.start('127.0.0.75', { version: '4.21.0.0' });
    const lab = h.lab;
    const id = lab.world.managementServers.find((m) => m.name === 'mgmt1')!.id;
    await okAt(lab, lab.server('mgmt2').apiUrl, { command: 'prepareForMaintenance', managementserverid: id });
    expect(lab.state().managementServers.map((s) => s.clusterState)[0]).to.match(/Maintenance/);
    const r = await h.run('management-restart');
    expectOk(r);
    expect(r.end(STEP, 'mgmt1').msg).to.include('drained').and.include('Up at 4.21.0.0');
    expect(r.text()).to.include('a drain an earlier run did not finish');
    expect(lab.state().managementServers.map((s) => s.clusterState)).to.deep.equal(['Up', 'Up']);
  });

  it('an interrupt while a server drains cancels its maintenance: it takes jobs again and is not restarted', async () => {
    // a long network restart on mgmt1 keeps it draining
    h = await LabPlaybooks.start('127.0.0.75', { version: '4.21.0.0', durations: { restartNetwork: 1_200_000 } });
    const lab = h.lab;
    const nets = (await okAt(lab, lab.server('mgmt1').apiUrl, { command: 'listNetworks', listall: 'true' })).network as Array<{ id: string; vpcid?: string }>;
    await okAt(lab, lab.server('mgmt1').apiUrl, { command: 'restartNetwork', id: nets.find((n) => n.vpcid === undefined)!.id });
    const stop = new AbortController();
    const r = await h.run('management-restart', {
      interrupt: stop.signal,
      onEvent: (e) => {
        if (e.type === 'step-progress' && e.host === 'mgmt1' && /PreparingForMaintenance|PreparingForShutDown|Preparing/.test(e.message)) stop.abort();
      },
    });
    expect(r.summary.status).to.equal('interrupted');
    expect(r.end(STEP, 'mgmt1').msg).to.include('interrupted while mgmt1 drained');
    expect(lab.state().managementServers.map((s) => s.clusterState)).to.deep.equal(['Up', 'Up']);
    expect(r.ends(STEP).map((e) => e.host)).to.deep.equal(['mgmt1']);
  });
});
