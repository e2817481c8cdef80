// systemvm-restart and preflight on the lab's production-like default world (two management servers, two
// zones, 23 routers with one Stopped, tenant jobs coming and going, stragglers) at each release profile
// the lab models: the releases whose cloudstack-sysvmadm works end with every VM Running at the new
// version and the port closed on every server; the others are refused before anything changes, with a
// message naming the way out.

import { expect } from 'chai';
import { LabPlaybooks, expectOk } from './lab-run.js';

const ADDRESS = '127.0.0.71';

describe('systemvm-restart on every release profile (default world)', function () {
  this.timeout(120_000);
  let h: LabPlaybooks | undefined;

  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const start = async (version: string): Promise<LabPlaybooks> => (h = await LabPlaybooks.start(ADDRESS, { version, config: { preset: 'production' } }));
  const closedEverywhere = (p: LabPlaybooks): void => {
    expect(p.port().dbValue).to.equal('0');
    expect(p.listening()).to.deep.equal({ mgmt1: false, mgmt2: false });
  };
  /** What sysvmadm must have restarted: every VM that was Running, at the management server's version. */
  const settled = (p: LabPlaybooks): { svms: string[]; routers: string[] } => {
    const s = p.lab.state();
    const v = s.managementServer.version;
    return {
      svms: s.systemVms.filter((x) => x['state'] !== 'Running' || x['version'] !== v || x['agentState'] !== 'Up').map((x) => String(x['name'])),
      routers: s.routers.filter((r) => r['state'] === 'Running' && r['requiresUpgrade'] === true).map((r) => String(r['name'])),
    };
  };

  for (const [version, threads] of [['4.18.2.5', 11], ['4.20.1.0', 11], ['4.20.3.0', 10]] as const) {
    it(`${version}: restarts every Running VM to ${version}, -t ${threads}, and closes the port on both servers`, async () => {
      const p = await start(version);
      const stopped = p.lab.state().routers.filter((r) => r['state'] !== 'Running').map((r) => String(r['name']));
      expect(stopped, 'the default world has one Stopped router').to.deep.equal(['r-20-VM']);
      const r = await p.run('systemvm-restart');
      expectOk(r);
      const run = r.end('Run cloudstack-sysvmadm');
      // 22 running routers: 4.18 and 4.20.1 hang after a partial batch, so -t divides 22; 4.20.3 waits its last batch out
      expect(run.msg).to.match(new RegExp(`^exit code 0; -t ${threads};`));
      expect(p.lab.state().sysvmadmRuns.map((x) => x.args.includes('-t') ? x.args[x.args.indexOf('-t') + 1] : '?')).to.deep.equal([String(threads)]);
      expect(settled(p)).to.deep.equal({ svms: [], routers: [] });
      // the Stopped router was neither started nor waited for
      expect(p.lab.state().routers.find((x) => x['name'] === 'r-20-VM')!['state']).to.equal('Stopped');
      closedEverywhere(p);
    });
  }

  for (const version of ['4.19.1.0', '4.19.0.0', '4.21.0.0']) {
    it(`${version}: refused before anything changes, naming cloudstack/systemvm-restart-api`, async () => {
      const p = await start(version);
      const before = JSON.stringify({ svms: p.lab.state().systemVms, settings: p.lab.state().settings });
      const r = await p.run('systemvm-restart');
      expect(r.summary.status).to.equal('failed');
      expect(r.summary.exitCode).to.equal(1);
      const refusal = r.end("This release's cloudstack-sysvmadm can work here (docs/cloudstack-facts.md §8.6)");
      expect(refusal.status).to.equal('failed');
      expect(refusal.msg).to.include(`cannot be used on ${version}`).and.include('cloudstack/systemvm-restart-api').and.include('cloudstack/systemvm-live-patch');
      expect(r.ends('Open the integration port (takes effect at the next management-server restart)'), 'nothing opened').to.deep.equal([]);
      expect(p.lab.state().sysvmadmRuns).to.deep.equal([]);
      expect(p.lab.state().timers).to.deep.equal([]);
      expect(JSON.stringify({ svms: p.lab.state().systemVms, settings: p.lab.state().settings })).to.equal(before);
      closedEverywhere(p);
    });
  }

  it('4.20.1 with -t kept at 10 (router_batch_max 10): sysvmadm hangs after its last batch of 2 and is ended once both are done', async () => {
    const p = await start('4.20.1.0');
    const r = await p.run('systemvm-restart', { extraVars: { router_batch_max: 10, sysvmadm_stall_grace: '1m' } });
    expectOk(r);
    const run = r.end('Run cloudstack-sysvmadm');
    expect(run.msg).to.include('restarted all 22 router(s)').and.include('apache/cloudstack#12067').and.include('-t 10');
    expect(r.events.some((e) => e.type === 'warning' && e.message.includes('will hang after its last batch'))).to.equal(true);
    expect(p.lab.state().sysvmadmRuns[0]!.exitCode, 'the script was stopped, not left sleeping').to.equal(143);
    expect(settled(p)).to.deep.equal({ svms: [], routers: [] });
    closedEverywhere(p);
  });

  it('preflight on 4.19.1 and 4.21 reports that sysvmadm cannot work, and on 4.20.1 the -t that avoids the hang', async () => {
    for (const [version, usable] of [['4.19.1.0', false], ['4.21.0.0', false], ['4.20.1.0', true]] as const) {
      const p = await start(version);
      const r = await p.run('preflight');
      expectOk(r);
      const check = r.end('cloudstack-sysvmadm can work on this release (else cloudstack/systemvm-restart-api, or the live patch)');
      expect(check.status, version).to.equal(usable ? 'ok' : 'failed');
      const what = r.end("What this release's cloudstack-sysvmadm would do here").msg ?? '';
      if (usable) expect(what).to.include('-t 11 for 22 running router(s) instead of 10').and.include('apache/cloudstack#12067');
      else expect(what).to.include(`cannot be used on ${version}`).and.include('cloudstack/systemvm-restart-api');
      // with require_sysvmadm the same finding fails the preflight
      const strict = await p.run('preflight', { extraVars: { require_sysvmadm: true } });
      expect(strict.summary.status, version).to.equal(usable ? 'ok' : 'failed');
      await p.stop();
      h = undefined;
    }
  });
});
