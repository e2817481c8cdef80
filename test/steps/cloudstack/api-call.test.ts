import { expect } from 'chai';
import { SecretRegistry } from '../../../src/secrets/masker.js';
import { registerCredentials } from '../../../src/secrets/credentials.js';
import { CsHarness, steps, type CsRun } from './harness.js';

describe('steps: cloudstack (one API call)', function () {
  this.timeout(30_000);
  let h: CsHarness;
  before(async () => {
    h = await CsHarness.start('127.0.0.31', { adminPassword: 'Adm1n-lab-pass-31' });
  });
  after(async () => h.stop());
  afterEach(function () {
    // every test leaves its run here; nothing secret may be in any event
    const r = (this.currentTest as unknown as { run?: CsRun }).run;
    if (r && typeof r.leaks === 'function') expect(r.leaks()).to.deep.equal([]);
  });
  const keep = (ctx: Mocha.Context, r: CsRun): CsRun => {
    (ctx.test as unknown as { run?: CsRun }).run = r;
    return r;
  };

  it('lists: registers count and items, read to the end', async function () {
    const r = keep(this, await h.run(steps(`
- name: list
  cloudstack: {command: listSystemVms, params: {systemvmtype: consoleproxy}}
  register: vms
- {name: capture 1, capture: "{{vms}}"}
- name: empty
  cloudstack: {command: listSystemVms, params: {name: nope-VM}}
  register: none
- {name: capture 2, capture: "{{none}}"}`)));
    expect(r.summary.exitCode).to.equal(0);
    const vms = r.captured[0] as { count: number; items: Array<Record<string, unknown>>; changed: boolean };
    expect(vms.count).to.equal(1);
    expect(vms.items.map((v) => v['name'])).to.deep.equal(['v-2-VM']);
    expect(vms.changed).to.equal(false);
    // the server answers {} for an empty list: count defaults to 0
    expect(r.captured[1]).to.include({ count: 0 });
    expect((r.captured[1] as { items: unknown[] }).items).to.deep.equal([]);
    expect(r.end('list').status).to.equal('ok');
    // keys plus the signature of every request reached the run's registry through the factory
    expect(r.secrets.seen.size).to.be.greaterThan(3);
  });

  it('session mode (username/password): logs in, calls, and no password or session key reaches an event', async function () {
    const r = keep(this, await h.run(steps(`
- name: zones
  cloudstack: listZones
  register: z
- {name: capture s, capture: "{{z.count}}"}`), { session: true }));
    expect(r.end('zones').status, r.end('zones').msg).to.equal('ok');
    expect(r.captured[0]).to.equal(1);
    // the password and the minted session key (and cookie) were registered as secrets
    expect(r.secrets.seen.has('Adm1n-lab-pass-31')).to.equal(true);
    expect(r.secrets.seen.size).to.be.greaterThan(1);
  });

  it('credentials inside a response (getUserKeys, a user\'s password) are registered for masking', () => {
    const secrets = new SecretRegistry();
    registerCredentials(secrets, { userkeys: { apikey: 'api-key-from-response-123', secretkey: 'secret-key-from-response-456' }, user: [{ name: 'x', password: 'pw-from-response-789' }] });
    expect(secrets.mask('api-key-from-response-123 secret-key-from-response-456 pw-from-response-789 x')).to.equal('*** *** *** x');
  });

  it('the leak check itself catches a secret that reaches an event', async function () {
    const r = await h.run(steps(`
- {name: careless, log: "key ${h.lab.apiKey}"}`));
    expect(r.leaks()).to.deep.equal([h.lab.apiKey]);
  });

  it('async commands: waits for the job and registers its result; progress names the job', async function () {
    const ssvm = h.lab.state().systemVms.find((v) => v['type'] === 'ssvm')!;
    const r = keep(this, await h.run(steps(`
- name: stop
  cloudstack: {command: stopSystemVm, params: {id: "${String(ssvm['id'])}"}}
  register: stopped
- {name: capture 3, capture: "{{stopped}}"}
- name: start
  cloudstack: {command: startSystemVm, params: {id: "${String(ssvm['id'])}"}, timeout: 1m}`)));
    expect(r.summary.exitCode).to.equal(0);
    const stopped = r.captured[0] as { systemvm: Record<string, unknown>; jobid: string; changed: boolean };
    expect(stopped.systemvm['state']).to.equal('Stopped');
    expect(stopped.jobid).to.match(/^[0-9a-f-]{36}$/);
    expect(stopped.changed).to.equal(true);
    expect(r.end('stop').status).to.equal('changed');
    const progress = r.events.filter((e) => e.type === 'step-progress').map((e) => (e as { message: string }).message);
    expect(progress.some((m) => m.includes(`job ${stopped.jobid}`))).to.equal(true);
    expect(h.lab.state().systemVms.find((v) => v['id'] === ssvm['id'])!['state']).to.equal('Running');
    await h.agentsUp();
  });

  it('dry run: reads run for real, writes are shown with their parameters and not sent', async function () {
    const before = h.state();
    const r = keep(this, await h.run(steps(`
- name: read
  cloudstack: {command: listRouters, params: {listall: true}}
  register: routers
- {name: capture 4, capture: "{{routers.count}}"}
- name: write
  cloudstack: {command: updateConfiguration, params: {name: router.version.check, value: "false"}}
  register: w
- name: depends
  log: x
  when: "w.configuration.value == 'false'"`), { dryRun: true }));
    expect(h.state()).to.deep.equal(before);
    expect(r.captured[0]).to.be.a('number').greaterThan(0);
    const w = r.end('write');
    expect(w.status).to.equal('unknown');
    expect(w.plan).to.equal('would call updateConfiguration on mgmt with name=router.version.check, value=false, waiting for its job if it is asynchronous');
    expect(r.end('depends').status).to.equal('unknown');
  });

  it('a wrong secret key fails with 401 and the message explains it, without the key or signature', async function () {
    const r = keep(this, await h.run(steps(`
- name: bad
  cloudstack: listCapabilities`), { secretKey: 'not-the-right-secret-key-0123456789' }));
    const e = r.end('bad');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.include('HTTP 401').and.to.include('unknown command or bad credentials');
    expect(e.msg).to.include('signature=***');
    expect(r.secrets.seen.has('not-the-right-secret-key-0123456789')).to.equal(true);
  });

  it('an expired v3 request (runner clock behind) is refused with 401 and the hint names the clock', async function () {
    const r = keep(this, await h.run(steps(`
- name: expired
  cloudstack: listZones`), { factory: { clock: () => Date.now() - 60 * 60_000 } }));
    const e = r.end('expired');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.include('HTTP 401').and.to.include('expired v3 signature (check the clock)');
  });

  it('an unknown command is a 401 on the API port', async function () {
    const r = keep(this, await h.run(steps(`
- name: unknown
  cloudstack: {command: fooBar}`)));
    const e = r.end('unknown');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.include('fooBar').and.to.include('HTTP 401').and.to.include('(e.g. patchSystemVm before 4.17)');
  });

  it('a bad parameter is a 431 with CloudStack\'s text', async function () {
    const r = keep(this, await h.run(steps(`
- name: bad param
  cloudstack: {command: listSystemVms, params: {id: not-a-uuid}}
- name: missing
  cloudstack: {command: stopSystemVm}
  ignore_errors: true`)));
    const e = r.end('bad param');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.include('HTTP 431').and.to.include('Invalid parameter id value=not-a-uuid');
  });

  it('a failed job fails the step with the job\'s error text', async function () {
    const cpvm = h.lab.state().systemVms.find((v) => v['type'] === 'cpvm')!;
    h.lab.setFaults({ failJob: [{ vm: String(cpvm['name']), command: 'rebootSystemVm', errortext: 'Fail to reboot system vm', times: 1 }] });
    try {
      const r = keep(this, await h.run(steps(`
- name: reboot
  cloudstack: {command: rebootSystemVm, params: {id: "${String(cpvm['id'])}"}}`)));
      const e = r.end('reboot');
      expect(e.status).to.equal('failed');
      expect(e.msg).to.match(/rebootSystemVm job [0-9a-f-]+ on mgmt failed \(jobresultcode 530\): Fail to reboot system vm/);
    } finally {
      h.lab.setFaults({});
    }
    await h.agentsUp();
  });

  it('async: false returns the job id without waiting; async: true refuses a synchronous command', async function () {
    const ssvm = h.lab.state().systemVms.find((v) => v['type'] === 'ssvm')!;
    const r = keep(this, await h.run(steps(`
- name: fire
  cloudstack: {command: rebootSystemVm, params: {id: "${String(ssvm['id'])}"}, async: false}
  register: fired
- {name: capture 5, capture: "{{fired.jobid}}"}
- name: sync
  cloudstack: {command: listZones, async: true}`)));
    expect(r.captured[0]).to.match(/^[0-9a-f-]{36}$/);
    expect(r.end('fire').status).to.equal('changed');
    expect(r.end('sync').msg).to.include('not an asynchronous command');
    // let the fired reboot finish before the next test
    for (let i = 0; i < 200 && h.lab.state().jobs.some((j) => j['status'] === 0); i++) await new Promise((res) => setTimeout(res, 5));
    await h.agentsUp();
  });
});
