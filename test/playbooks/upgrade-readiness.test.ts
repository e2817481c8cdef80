// upgrade-readiness against the production-like lab: it passes on a clean world (the template the target
// registers READY in every zone and on every store) and fails, naming the fact and the fix, when that
// template is missing in one zone or on one store, when a KVM agent is older than the server, and on the
// other things that stop an upgrade halfway. It only reads, so its dry run is the same run.

import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorldConfig } from '../../src/lab/world/world-config.js';
import { expectOk, LabPlaybooks, type PlaybookRun } from './lab-run.js';

const STEP = 'Ready for the target release (template, minreq, live patch, servers, agents, offerings, CA, port, backup)';

interface Check { check: string; status: 'pass' | 'warn' | 'fail'; fact: string; fix?: string }

describe('upgrade-readiness against the lab', function () {
  this.timeout(120_000);
  let h: LabPlaybooks | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stackplay-readiness-'));
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  // a 4.20.1 cloud whose operator registered the template 4.20.3 looks for (4.20.2) in every zone
  const clean: WorldConfig = { preset: 'production', version: '4.20.1.0', systemTemplates: [{ version: '4.20.2' }] };

  async function readiness(world: WorldConfig, vars: Record<string, unknown> = {}, dryRun = false): Promise<{ r: PlaybookRun; checks: Check[] }> {
    h ??= await LabPlaybooks.start('127.0.0.101', { config: world });
    const report = join(dir, `readiness-${dryRun ? 'dry' : 'real'}`);
    const r = await h.run('upgrade-readiness', { extraVars: { target_version: '4.20.3.0', report, ...vars }, dryRun });
    const json = JSON.parse(readFileSync(`${report}.json`, 'utf8')) as { checks: Check[]; ready: boolean; template_version: string };
    expect(json.ready).to.equal(r.summary.status === 'ok');
    expect(json.template_version).to.equal('4.20.2');
    return { r, checks: json.checks };
  }
  const find = (checks: Check[], name: string): Check => {
    const c = checks.find((x) => x.check === name);
    if (c === undefined) throw new Error(`no check '${name}' in ${checks.map((x) => x.check).join(', ')}`);
    return c;
  };

  it('passes on a clean world, in a dry run too: every check with its fact, the report as Markdown and JSON', async () => {
    for (const dryRun of [true, false]) {
      const { r, checks } = await readiness(clean, {}, dryRun);
      expectOk(r);
      expect(checks.filter((c) => c.status !== 'pass'), `dry run: ${dryRun}`).to.deep.equal([]);
      expect(find(checks, 'system VM template (KVM)').fact).to.equal('systemvm-kvm-4.20.2-x86_64 READY in 2 zone(s) and on 4 image store(s)');
      expect(find(checks, 'KVM agents').fact).to.include('Up at 4.20.1.0');
      expect(find(checks, 'database backup').fact).to.match(/^\/var\/backups\/cloudstack\/cloud\.sql\.gz on mgmt1, 6\.0 h old/);
      expect(r.end(STEP).msg).to.include('ready for 4.20.3.0 (template 4.20.2)');
      // on screen: one line per check, in order, under the verdict
      const lines = (r.end(STEP).msg ?? '').split('\n');
      expect(lines.slice(1)).to.deep.equal(checks.map((c) => `PASS ${c.check}: ${c.fact}`));
      const md = readFileSync(join(dir, `readiness-${dryRun ? 'dry' : 'real'}.md`), 'utf8');
      expect(md).to.include('# Upgrade readiness: CloudStack 4.20.1.0 → 4.20.3.0').and.include('**Ready**');
    }
    expect(h!.lab.state().routers.filter((x) => x['requiresUpgrade'] === true).length, 'nothing changed').to.be.greaterThan(0);
  });

  it('fails when the template is missing in one zone, naming the zone and the fix', async () => {
    const { r, checks } = await readiness({ ...clean, systemTemplates: [{ version: '4.20.2', zones: ['zone1'] }] });
    expect(r.summary.status).to.equal('failed');
    const t = find(checks, 'system VM template (KVM)');
    expect(t).to.include({ status: 'fail', fact: 'systemvm-kvm-4.20.2-x86_64: not in zone zone2' });
    expect(t.fix).to.include('copyTemplate').and.include('apache/cloudstack#6166');
    // under the verdict: the failed check with its fix, not the passes
    expect((r.end(STEP).msg ?? '').split('\n').slice(1)).to.deep.equal([`FAIL system VM template (KVM): ${t.fact} → ${t.fix}`]);
  });

  it('fails when the name is registered twice, once per zone: the upgrade takes only the latest registration', async () => {
    const { checks } = await readiness({ ...clean, systemTemplates: [{ version: '4.20.2', zones: ['zone1'] }, { version: '4.20.2', zones: ['zone2'] }] });
    const t = find(checks, 'system VM template (KVM)');
    expect(t.status).to.equal('fail');
    expect(t.fact).to.match(/^systemvm-kvm-4\.20\.2-x86_64: registered 2 times under that name: the upgrade takes only the latest \([0-9a-f-]{36}\); not in zone zone1$/);
  });

  it('fails when the template is on one store of a zone only, or still downloading', async () => {
    let { checks } = await readiness({ ...clean, systemTemplates: [{ version: '4.20.2', stores: 'first' }] });
    expect(find(checks, 'system VM template (KVM)')).to.include({ status: 'fail', fact: 'systemvm-kvm-4.20.2-x86_64: not on image store nfs-zone1-2 (zone zone1); not on image store nfs-zone2-2 (zone zone2)' });
    await h!.stop();
    h = undefined;
    ({ checks } = await readiness({ ...clean, systemTemplates: [{ version: '4.20.2', state: 'Downloading' }] }));
    expect(find(checks, 'system VM template (KVM)').fact).to.equal('systemvm-kvm-4.20.2-x86_64: not READY in zone zone1 (42% Downloaded); not READY in zone zone2 (42% Downloaded)');
  });

  it('warns when the template is not registered, naming a near miss the upgrade would ignore', async () => {
    const { r, checks } = await readiness({ ...clean, systemTemplates: [{ version: '4.20.2', name: 'systemvm-kvm-4.20.2' }] });
    expectOk(r);
    const t = find(checks, 'system VM template (KVM)');
    expect(t.status).to.equal('warn');
    expect(t.fact).to.include('systemvm-kvm-4.20.2-x86_64 is not registered; registered under other names: systemvm-kvm-4.20.2 (the upgrade looks for the exact name');
  });

  it('reads the dump path as a path, never as code: a hostile db_backup is a file that does not exist', async () => {
    const hostile = "/tmp/x'; touch /tmp/pwned; echo '$(touch /tmp/pwned2)";
    const { checks } = await readiness(clean, { db_backup: hostile });
    expect(find(checks, 'database backup')).to.include({ status: 'fail', fact: `${hostile} on mgmt1: no such file` });
    expect((await h!.lab.exec('mgmt1', 'test -e /tmp/pwned || test -e /tmp/pwned2 && echo ran || echo clean')).stdout).to.equal('clean\n');
  });

  it('mshost rows: a Down server the inventory does not name is a stale row (warn); one that is Up is a fail; CA strictness off warns', async () => {
    h = await LabPlaybooks.start('127.0.0.101', { config: { ...clean, settings: { 'ca.plugin.root.auth.strictness': 'false' } } });
    let { checks } = await readiness(clean, { management_servers: ['mgmt1'] });
    const up = find(checks, 'management servers (mshost)');
    expect(up.status).to.equal('fail');
    expect(up.fact).to.equal('servers mgmt2 (Up) share the database but are not in the inventory');
    expect(find(checks, 'ca.plugin.root.auth.strictness')).to.include({ status: 'warn' });
    await h!.lab.server('mgmt2').stop();
    ({ checks } = await readiness(clean, { management_servers: ['mgmt1'] }));
    expect(find(checks, 'management servers (mshost)')).to.include({ status: 'warn', fact: 'rows of servers not in the inventory and Down: mgmt2' });
  });

  it('fails when a KVM agent is older than the server', async () => {
    const { r, checks } = await readiness({ ...clean, agentVersions: { kvm02: '4.19.1.0' } });
    expect(r.summary.status).to.equal('failed');
    const a = find(checks, 'KVM agents');
    expect(a.status).to.equal('fail');
    expect(a.fact).to.include('kvm02 4.19.1.0').and.include('apache/cloudstack#11917');
    expect(a.fix).to.include('upgrade cloudstack-agent on those hosts to 4.20.1.0 first');
  });

  it('fails on a small system offering in use, an old backup and an integration port in the database', async () => {
    const { r, checks } = await readiness(
      { ...clean, systemOfferingMemory: { router: 256 }, dbBackup: { ageHours: 48 }, settings: { 'integration.api.port': '8096' } },
    );
    expect(r.summary.status).to.equal('failed');
    expect(find(checks, 'system offerings')).to.include({ status: 'fail' });
    expect(find(checks, 'system offerings').fact).to.include('System Offering For Software Router (domainrouter, 256 MiB');
    expect(find(checks, 'database backup')).to.include({ status: 'fail' });
    expect(find(checks, 'database backup').fact).to.include('48.0 h old (db_backup_max_age 24.0 h)');
    expect(find(checks, 'integration port')).to.include({ status: 'fail' });
    expect(find(checks, 'integration port').fact).to.include('integration.api.port is 8096 in the database');
  });

  it('fails on a zone whose own minreq.sysvmtemplate.version is above the template', async () => {
    h = await LabPlaybooks.start('127.0.0.101', { config: clean });
    const zone2 = h.lab.world.zones.find((z) => z.name === 'zone2')!;
    h.lab.world.config.setForZone('minreq.sysvmtemplate.version', zone2.id, '4.22.0');
    const { checks } = await readiness(clean);
    const m = find(checks, 'minreq.sysvmtemplate.version');
    expect(m.status).to.equal('fail');
    // zone1 has no value of its own (it shows the global one): only zone2 is named
    expect(m.fact).to.match(/^above the template version 4\.20\.2: zone zone2 4\.22\.0: /);
    expect(m.fix).to.include('zoneid=');
  });

  it('warns about Java 11 when the target runs on JRE 17, and a missing backup location; refuses an unknown target', async () => {
    const { r, checks } = await readiness({ ...clean, version: '4.19.1.0', dbBackup: false }, { db_backup: '' });
    expectOk(r);
    expect(find(checks, 'Java (mgmt1)')).to.include({ status: 'warn' });
    expect(find(checks, 'Java (mgmt1)').fact).to.include('runs Java 11').and.include('JRE 17');
    expect(find(checks, 'database backup')).to.include({ status: 'warn' });
    const unknown = await h!.run('upgrade-readiness', { extraVars: { target_version: '5.1.0.0' } });
    expect(unknown.summary.status).to.equal('failed');
    expect(unknown.end(STEP).msg).to.include('does not know which system VM template 5.1.0.0 registers').and.include('-e template_version=');
    const none = await h!.run('upgrade-readiness');
    expect(none.end(STEP).msg).to.include('no target release').and.include('-e target_version=');
  });
});
