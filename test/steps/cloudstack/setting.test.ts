import { expect } from 'chai';
import { CsHarness, steps, type CsRun } from './harness.js';

describe('steps: cloudstack.setting', function () {
  this.timeout(30_000);
  let h: CsHarness;
  before(async () => {
    h = await CsHarness.start('127.0.0.32');
  });
  after(async () => h.stop());
  let run: CsRun | undefined;
  beforeEach(() => {
    run = undefined;
  });
  afterEach(() => {
    if (run) expect(run.leaks()).to.deep.equal([]);
  });
  const setting = (name: string): string | null => h.lab.state().settings[name] ?? null;

  it('sets a value that differs, picks the exact name despite the substring match, and reports needs_restart', async () => {
    expect(setting('integration.api.port')).to.equal('0');
    run = await h.run(steps(`
- name: open
  cloudstack.setting: {name: integration.api.port, value: 8096}
  register: s
- {name: c, capture: "{{s}}"}
- name: again
  cloudstack.setting: {name: integration.api.port, value: "8096"}
  register: s2
- {name: c2, capture: "{{s2}}"}`));
    expect(run.summary.exitCode).to.equal(0);
    expect(run.captured[0]).to.include({ previous: '0', value: '8096', changed: true, needs_restart: true, isdynamic: false });
    expect(run.end('open').status).to.equal('changed');
    expect(run.end('open').msg).to.equal("set integration.api.port from '0' to '8096' on mgmt; takes effect after a management-server restart");
    expect(run.captured[1]).to.include({ previous: '8096', value: '8096', changed: false, needs_restart: false });
    expect(run.end('again').status).to.equal('ok');
    expect(setting('integration.api.port')).to.equal('8096');
  });

  it('undo restores the previous value from result.previous', async () => {
    const before = setting('router.version.check');
    run = await h.run(steps(`
- name: relax check
  cloudstack.setting: {name: router.version.check, value: "false"}
  undo:
    name: restore
    cloudstack.setting: {name: router.version.check, value: "{{result.previous}}"}
- name: look
  cloudstack: {command: listConfigurations, params: {name: router.version.check}}
  register: now
- {name: c, capture: "{{now.items}}"}`));
    expect(run.summary.exitCode).to.equal(0);
    const rows = run.captured[0] as Array<Record<string, unknown>>;
    expect(rows.find((r) => r['name'] === 'router.version.check')!['value']).to.equal('false');
    const undo = run.events.find((e) => e.type === 'step-end' && e.phase === 'undo');
    expect(undo).to.include({ name: 'restore', status: 'changed' });
    expect(setting('router.version.check')).to.equal(before);
  });

  it('dry run reads for real and predicts changed and previous; nothing is written', async () => {
    const before = h.state();
    run = await h.run(steps(`
- name: plan
  cloudstack.setting: {name: integration.api.port, value: 0}
  register: s
- {name: c, capture: "{{s}}"}
- name: same
  cloudstack.setting: {name: router.version.check, value: "${String(setting('router.version.check'))}"}`), { dryRun: true });
    expect(h.state()).to.deep.equal(before);
    expect(run.captured[0]).to.include({ previous: '8096', value: '0', changed: true, needs_restart: true });
    expect(run.end('plan').plan).to.equal("would set integration.api.port from '8096' to '0' on mgmt; takes effect after a management-server restart");
    expect(run.end('same').status).to.equal('ok');
  });

  it('a bad value is refused with 431 and the setting keeps its value', async () => {
    run = await h.run(steps(`
- name: bad
  cloudstack.setting: {name: integration.api.port, value: abc}`));
    const e = run.end('bad');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.include('HTTP 431').and.to.include('Value [abc] is not a valid [class java.lang.Integer].');
    expect(setting('integration.api.port')).to.equal('8096');
  });

  it('an unknown name fails without calling updateConfiguration', async () => {
    run = await h.run(steps(`
- name: unknown
  cloudstack.setting: {name: integration.api, value: 1}`));
    expect(run.end('unknown').msg).to.equal("mgmt has no setting named 'integration.api' (listConfigurations found no exact match)");
  });

  it('zone scope reads and writes the zone value', async () => {
    const zone = h.lab.world.zones[0]!.id;
    run = await h.run(steps(`
- name: zone
  cloudstack.setting: {name: minreq.sysvmtemplate.version, value: "4.20.0", zoneid: "${zone}"}
  register: s
- {name: c, capture: "{{s}}"}`));
    expect(run.summary.exitCode).to.equal(0);
    expect(run.captured[0]).to.include({ value: '4.20.0', changed: true, needs_restart: false, scope: `zoneid=${zone}` });
  });

  it('a wrong secret key fails with 401 before anything is read', async () => {
    run = await h.run(steps(`
- name: bad key
  cloudstack.setting: {name: integration.api.port, value: 0}`), { secretKey: 'wrong-secret-key-for-the-setting-test' });
    expect(run.end('bad key').msg).to.include('HTTP 401');
    expect(setting('integration.api.port')).to.equal('8096');
  });
});
