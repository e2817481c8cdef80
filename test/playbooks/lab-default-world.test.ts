// The live-patch and API-restart playbooks against the lab's production-like default world on every version
// profile they must handle: two management servers, 23 routers in two zones, redundant pairs, a VPC
// without tiers, an IPv6 network, a router already Stopped, tenant jobs and long-tail durations. After
// each run every Running VM is at the new version, the Stopped router is named and left alone, and the
// integration port was never opened on any server. A router whose enabled_svcs holds shell text gets that
// text checked as data: nothing runs on its KVM host or inside it.

import { expect } from 'chai';
import type { RunEvent } from '../../src/engine/events.js';
import { shellQuote } from '../../src/util/shell-quote.js';
import { failures, LabPlaybooks, type PlaybookName, type PlaybookRun } from './lab-run.js';

const ADDRESS = '127.0.0.64';

/** The profiles of issue 15, each with a template older than the management server (live patch needs 4.15+). */
const PROFILES = [
  { version: '4.18.2.5', oldVersion: '4.17.2' },
  { version: '4.19.1.0', oldVersion: '4.18.1' },
  { version: '4.20.1.0', oldVersion: '4.19.0' },
  { version: '4.20.3.0', oldVersion: '4.19.0' },
] as const;

const start = (p: { version: string; oldVersion: string }): Promise<LabPlaybooks> =>
  LabPlaybooks.start(ADDRESS, { version: p.version, sshKvmHosts: 4, config: { preset: 'production', oldVersion: p.oldVersion } });

function warnings(r: PlaybookRun): string[] {
  return r.events.filter((e): e is Extract<RunEvent, { type: 'warning' }> => e.type === 'warning').map((e) => e.message);
}

describe('live patch and API restart against the default world', function () {
  this.timeout(120_000);
  let h: LabPlaybooks | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  /** Every server's integration port as the database and its listener see it. */
  const ports = (): Array<[string, string | null, boolean]> =>
    h!.lab.state().managementServers.map((s) => [s.name, s.integrationPort.dbValue, s.integrationPort.listening]);
  const closedEverywhere = [['mgmt1', '0', false], ['mgmt2', '0', false]];

  const outdated = (): { svms: string[]; routers: string[] } => {
    const s = h!.lab.state();
    const ms = s.managementServer.version;
    return {
      svms: s.systemVms.filter((v) => v['state'] === 'Running' && (v['version'] !== ms || v['agentState'] !== 'Up')).map((v) => String(v['name'])),
      routers: s.routers.filter((r) => r['state'] === 'Running' && r['requiresUpgrade'] === true).map((r) => String(r['name'])),
    };
  };

  for (const profile of PROFILES) {
    for (const name of ['systemvm-live-patch', 'systemvm-restart-api'] as PlaybookName[]) {
      it(`${name} on ${profile.version}: every Running VM at the new version, r-20-VM left alone, the port never opened`, async () => {
        h = await start(profile);
        expect(h.lab.state().managementServers.map((s) => s.name)).to.deep.equal(['mgmt1', 'mgmt2']);
        expect(outdated().routers).to.have.length(22);
        let opened = false;
        const r = await h.run(name, {
          onEvent: () => {
            if (ports().some(([, db, listening]) => db !== '0' || listening)) opened = true;
          },
        });
        expect(failures(r), 'failed steps').to.deep.equal([]);
        expect(r.summary.status).to.equal('ok');
        expect(outdated()).to.deep.equal({ svms: [], routers: [] });
        expect(opened).to.equal(false);
        expect(ports()).to.deep.equal(closedEverywhere);
        expect(h.lab.state().sysvmadmRuns).to.deep.equal([]);
        // the Stopped router is named, never started and never waited for
        const r20 = h.lab.state().routers.find((x) => x['name'] === 'r-20-VM')!;
        expect(r20).to.include({ state: 'Stopped', requiresUpgrade: true });
        expect(warnings(r)).to.include('left alone: r-20-VM (Stopped before the run)');
        // the plays on `hosts: management` acted once, on run_on
        const acting = name === 'systemvm-live-patch'
          ? 'Live-patch routers (restartNetwork/restartVPC livepatch=true cleanup=false), a rolling window, redundant pairs one at a time'
          : 'Reboot routers in a rolling window (redundant pairs BACKUP first, then PRIMARY), then check Running and requiresupgrade=false';
        expect(r.ends(acting).map((e) => [e.host, e.status])).to.deep.equal([['mgmt1', 'changed']]);
        if (name === 'systemvm-live-patch') {
          // the VPC without tiers cannot be live-patched: named, and its router rebooted instead
          expect(warnings(r)).to.include('not live-patchable (VPC without tiers): evpc-z1-1 (r-16-VM): reboot those routers instead');
          expect(r.end('Reboot the routers of VPCs without tiers (a live patch cannot reach them)', 'mgmt1').msg).to.match(/^reboot: 1 unit\(s\) done and verified \(r-16-VM\)/);
          expect(r.output('VPCs without tiers (restartVPC with livepatch does not reach their routers)').join('\n')).to.include('VPC evpc-z1-1 (zone1) has no tiers');
          // every KVM host checked the services of the VMs it runs, the IPv6 router's radvd included
          const checks = r.ends('Router services are active (as listed in the router\'s enabled_svcs, read as a word list)').filter((e) => e.phase === 'main' && e.status === 'ok');
          expect(new Set(checks.map((e) => e.host))).to.deep.equal(new Set(['kvm01', 'kvm02', 'kvm03', 'kvm04']));
          const answered = r.output('Router services are active (as listed in the router\'s enabled_svcs, read as a word list)');
          expect(answered).to.have.length(22);
          expect(answered.filter((l) => / radvd active/.test(l))).to.have.length(1);
        }
      });
    }
  }

  it('the dry runs show the window plan and change nothing', async () => {
    h = await start(PROFILES[2]);
    const before = JSON.stringify({ svms: h.lab.state().systemVms, routers: h.lab.state().routers });
    const api = await h.run('systemvm-restart-api', { dryRun: true, extraVars: { router_per_zone: 3 } });
    expect(failures(api)).to.deep.equal([]);
    const plan = api.end('Reboot routers in a rolling window (redundant pairs BACKUP first, then PRIMARY), then check Running and requiresupgrade=false', 'mgmt1').plan!.split('\n');
    expect(plan[0]).to.equal('would reboot 22 router(s) on mgmt1 in 22 unit(s) with rebootRouter (stop + start), at most 5 unit(s) at a time, the next starting as soon as one finishes; ' +
      'at most 3 per zone, then check each router is Running and no longer requires an upgrade:');
    expect(plan.find((l) => l.includes('pair, one after the other'))).to.match(/^ {2}\d+\. pair, one after the other: router r-\d+-VM \(BACKUP\) then router r-\d+-VM \(PRIMARY\)$/);
    expect(plan).to.include('  not touched: router r-20-VM (zone2): Stopped before the run: not acted on, not waited for');
    const patch = await h.run('systemvm-live-patch', { dryRun: true });
    expect(failures(patch)).to.deep.equal([]);
    const lp = patch.end('Live-patch routers (restartNetwork/restartVPC livepatch=true cleanup=false), a rolling window, redundant pairs one at a time', 'mgmt1').plan!.split('\n');
    expect(lp[0]).to.match(/^would restart-network 21 router\(s\) on mgmt1 in 16 unit\(s\) with .*, at most 5 unit\(s\) at a time, the next starting as soon as one finishes, then check/);
    expect(lp.some((l) => l.startsWith('  not live-patchable: VPC evpc-z1-1 (zone1): VPC evpc-z1-1 has no tiers'))).to.equal(true);
    expect(patch.end('Reboot the routers of VPCs without tiers (a live patch cannot reach them)', 'mgmt1').plan).to.match(/^would reboot 1 router\(s\) on mgmt1 in 1 unit\(s\)/);
    expect(JSON.stringify({ svms: h.lab.state().systemVms, routers: h.lab.state().routers })).to.equal(before);
    expect(ports()).to.deep.equal(closedEverywhere);
  });

  it('live patch: shell text in a router\'s enabled_svcs is checked as data — nothing runs on the KVM host or in the VM', async () => {
    h = await start(PROFILES[2]);
    const lab = h.lab;
    const target = lab.state().routers.find((x) => x['name'] === 'r-5-VM')!;
    const kvm = String(target['host']);
    const hostile = [
      'haproxy apache2',
      'dnsmasq; touch /tmp/pwned-semicolon',
      'touch /tmp/pwned-newline',
      '$(touch /tmp/pwned-subst) `touch /tmp/pwned-backtick`',
      `'quoted' "words" && touch /tmp/pwned-and`,
      '',
    ].join('\n');
    const ssh = `ssh -p 3922 -i /root/.ssh/id_rsa.cloud ${String(target['linkLocalIp'])}`;
    const write = await lab.exec(kvm, `${ssh} ${shellQuote(`printf '%s' ${shellQuote(hostile, 'always')} > /var/cache/cloud/enabled_svcs`, 'always')}`);
    expect(write.code, write.stderr).to.equal(0);
    expect((await lab.exec(kvm, `${ssh} 'cat /var/cache/cloud/enabled_svcs'`)).stdout).to.equal(hostile);

    const r = await h.run('systemvm-live-patch');
    const markers = ['semicolon', 'newline', 'subst', 'backtick', 'and'].map((m) => `/tmp/pwned-${m}`);
    for (const host of ['kvm01', 'kvm02', 'kvm03', 'kvm04']) {
      for (const m of markers) expect((await lab.exec(host, `test -e ${m}`)).code, `${m} on ${host}`).to.equal(1);
    }
    for (const m of markers) expect((await lab.exec(kvm, `${ssh} 'test -e ${m}'`)).code, `${m} inside r-5-VM`).to.equal(1);
    // the check names the router and shows the words it refused, escaped
    const bad = r.ends('Router services are active (as listed in the router\'s enabled_svcs, read as a word list)').filter((e) => e.status === 'failed');
    expect(bad.map((e) => e.host)).to.deep.equal([kvm]);
    expect(bad[0]!.msg).to.match(/^r-5-VM \(169\.254\.[\d.]+\): \/var\/cache\/cloud\/enabled_svcs holds text that is not a unit name: /);
    expect(bad[0]!.msg).to.include('"dnsmasq;", "/tmp/pwned-semicolon", "/tmp/pwned-newline", "$(touch", "/tmp/pwned-subst)", "`touch", "/tmp/pwned-backtick`", "\'quoted\'" and 3 more (not run)');
    // the words that can be unit names are only asked about, as arguments
    expect(bad[0]!.msg).to.include('; not active: touch (haproxy active, apache2 active, touch inactive)');
    expect(r.end('Every checked service is active', kvm).status).to.equal('failed');
    expect(r.summary.status).to.equal('failed');
  });
});
