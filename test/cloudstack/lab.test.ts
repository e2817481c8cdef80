// The client against the real lab (a CloudStack simulator written independently of this client):
// signed v2/v3, expired v3, bad secret, session login, unknown commands, failed and lost jobs, the
// integration port across restarts, and a management server that does not answer.
import net from 'node:net';
import fs from 'node:fs';
import { expect } from 'chai';
import { startLab, type Lab, type LabOptions } from '../../src/lab/index.js';
import { CloudStackApiError, CloudStackConnectionError, CloudStackJobError } from '../../src/cloudstack/errors.js';
import { cloudstackVersion, getConfiguration, isIntegrationPortOpen, listAllRouters } from '../../src/cloudstack/helpers.js';
import type { CloudStackClientOptions, CloudStackEndpoint } from '../../src/cloudstack/types.js';
import { assertNoLeaks, harness, rejection, type Harness } from './harness.js';

const UNKNOWN_OR_BAD = 'unknown command or bad credentials';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('cloudstack/client against the lab', function () {
  this.timeout(30_000);
  let lab: Lab;

  async function boot(o: LabOptions = {}): Promise<Lab> {
    lab = await startLab({ ssh: false, speed: 1000, restartDelayMs: 5_000, adminPassword: 'Lab-admin-pw-7731', ...o, config: { preset: 'classic', ...o.config } });
    return lab;
  }

  /** A client on real time with short real sleeps (the lab runs 1000× faster than a cloud). */
  function client(endpoint: Partial<CloudStackEndpoint> = {}, opts: CloudStackClientOptions = {}): Harness {
    return harness(
      { url: lab.apiUrl, apiKey: lab.apiKey, secretKey: lab.secretKey, ...endpoint },
      {
        clock: () => Date.now(),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        poll: { initialMs: 5, maxMs: 20 },
        retry: { retries: 3, delayMs: 20 },
        ...opts,
      },
    );
  }

  afterEach(async () => {
    try {
      assertNoLeaks(lab ? [lab.apiKey, lab.secretKey, lab.adminPassword] : []);
    } finally {
      if (lab) {
        await lab.stop();
        fs.rmSync(lab.stateDir, { recursive: true, force: true });
      }
    }
  });

  it('signed v3 (default) and v2 calls are accepted', async () => {
    await boot();
    const v3 = client();
    expect(await cloudstackVersion(v3.client)).to.match(/^4\.\d+/);
    const vms = await v3.client.list('listSystemVms');
    expect(vms.count).to.be.greaterThan(0);
    expect(vms.items[0]).to.have.property('systemvmtype');
    const v2 = client({ signatureVersion: 2 });
    expect((await v2.client.list('listSystemVms')).count).to.equal(vms.count);
  });

  it('tricky parameter values survive signing and encoding', async () => {
    await boot();
    const h = client();
    const res = await h.client.list('listConfigurations', { keyword: "a b+c~d*e/f=g,h:i é 😀 it's (x)!" });
    expect(res.count).to.equal(0);
    const v2 = client({ signatureVersion: 2 });
    expect((await v2.client.list('listConfigurations', { keyword: 'x~y z+' })).count).to.equal(0);
  });

  it('an expired v3 signature (client clock an hour behind) gets 401 with the hint', async () => {
    await boot();
    const h = client({}, { clock: () => Date.now() - 3_600_000 });
    const err = (await rejection(h.client.call('listZones'))) as CloudStackApiError;
    expect(err).to.be.instanceOf(CloudStackApiError);
    expect(err.httpStatus).to.equal(401);
    expect(err.message).to.include(UNKNOWN_OR_BAD).and.include('expired');
  });

  it('a wrong secret key gets 401', async () => {
    await boot();
    const h = client({ secretKey: `${lab.secretKey.slice(0, -4)}WXYZ` });
    const err = (await rejection(h.client.call('listZones'))) as CloudStackApiError;
    expect(err.httpStatus).to.equal(401);
    expect(err.errortext).to.equal('unable to verify user credentials and/or request signature');
    expect(err.message).to.include(UNKNOWN_OR_BAD);
  });

  it('session mode logs in and calls; a wrong password fails at login', async () => {
    await boot();
    const h = client({ apiKey: undefined, secretKey: undefined, username: 'admin', password: lab.adminPassword, domain: '/' });
    expect((await h.client.list('listSystemVms')).count).to.be.greaterThan(0);
    expect(h.registered.length).to.be.greaterThan(1);
    await h.client.logout();
    const bad = client({ apiKey: undefined, secretKey: undefined, username: 'admin', password: 'not-the-password' });
    const err = (await rejection(bad.client.call('listZones'))) as CloudStackApiError;
    expect(err).to.include({ command: 'login', httpStatus: 531 });
  });

  it('an unknown command gets 401 on the API port (with the hint) and 432 on the integration port', async () => {
    await boot();
    const h = client();
    const err = (await rejection(h.client.call('noSuchCommand'))) as CloudStackApiError;
    expect(err.httpStatus).to.equal(401);
    expect(err.message).to.include(UNKNOWN_OR_BAD);

    const port = await freePort();
    await h.client.call('updateConfiguration', { name: 'integration.api.port', value: port });
    await lab.restartManagementServer();
    const integ = client({ integrationPort: port });
    const e432 = (await rejection(integ.client.call('noSuchCommand', {}, { mode: 'integration' }))) as CloudStackApiError;
    expect(e432.httpStatus).to.equal(432);
    expect(e432.message).to.include('unsupported/unknown command');
  });

  it('a failed job becomes CloudStackJobError with the server text', async () => {
    await boot();
    const h = client();
    const routers = await listAllRouters(h.client);
    const router = routers.items[0]!;
    // patchSystemVm takes a router id and fails inside the job (stopSystemVm refuses it before queueing)
    const err = (await rejection(h.client.callAsync('patchSystemVm', { id: String(router['id']) }))) as CloudStackJobError;
    expect(err).to.be.instanceOf(CloudStackJobError);
    expect(err.jobresultcode).to.equal(431);
    expect(err.errortext).to.match(/^Unable to find SystemVm with id \d+\. patchSystemVm API can be used to patch CPVM \/ SSVM only\.$/);
    expect(err.lostInRestart).to.equal(false);
  });

  it('a job in flight during a management-server restart is reported as lost', async () => {
    await boot({ durations: { stop: 100_000_000 } });
    const h = client();
    const ssvm = (await h.client.list('listSystemVms', { systemvmtype: 'secondarystoragevm' })).items[0]!;
    const submitted = await h.client.call('stopSystemVm', { id: String(ssvm['id']) });
    const jobid = String(submitted['jobid']);
    await lab.restartManagementServer();
    const err = (await rejection(h.client.waitForJob(jobid, { command: 'stopSystemVm' }))) as CloudStackJobError;
    expect(err).to.be.instanceOf(CloudStackJobError);
    expect(err).to.include({ jobid, jobstatus: 2, jobresultcode: 530, lostInRestart: true });
    expect(err.message).to.include('management-server restart');
  });

  it('polling rides through a restart: refused polls are retried, then the lost job is reported', async () => {
    await boot({ durations: { stop: 100_000_000 }, restartDelayMs: 50_000 });
    const h = client({}, { retry: { retries: 50, delayMs: 10 } });
    const ssvm = (await h.client.list('listSystemVms', { systemvmtype: 'secondarystoragevm' })).items[0]!;
    let restarted: Promise<void> | undefined;
    const err = (await rejection(
      h.client.callAsync('stopSystemVm', { id: String(ssvm['id']) }, { onSubmitted: () => (restarted = lab.restartManagementServer()) }),
    )) as CloudStackJobError;
    await restarted;
    expect(err.lostInRestart).to.equal(true);
    expect(h.events.some((e) => e.type === 'retry' && e.reason === 'refused')).to.equal(true);
  });

  it('a management server that does not answer: bounded retries, then a clear error', async () => {
    await boot();
    await lab.stopManagementServer();
    const h = client({}, { retry: { retries: 2, delayMs: 1 } });
    const err = (await rejection(h.client.call('listCapabilities'))) as CloudStackConnectionError;
    expect(err).to.be.instanceOf(CloudStackConnectionError);
    expect(err).to.include({ code: 'refused', attempts: 3 });
    expect(err.message).to.include('connection refused').and.include('management server');
  });

  it('refused while stopped, answered once the server is back', async () => {
    await boot();
    await lab.stopManagementServer();
    let starting: Promise<void> | undefined;
    const h = client({}, {
      retry: { retries: 5, delayMs: 1 },
      sleep: async () => {
        starting ??= lab.startManagementServer();
        await starting;
      },
    });
    expect(await cloudstackVersion(h.client)).to.match(/^4\./);
    expect(h.events.filter((e) => e.type === 'retry')).to.have.length.greaterThan(0);
  });

  it('the integration port opens and closes only with restarts; the probe and getConfiguration see it', async () => {
    await boot();
    const port = await freePort();
    const h = client({ integrationPort: port });
    expect(await isIntegrationPortOpen('127.0.0.1', port)).to.equal('closed');
    await h.client.call('updateConfiguration', { name: 'integration.api.port', value: port });
    expect(await getConfiguration(h.client, 'integration.api.port')).to.include({ value: String(port) });
    expect(await isIntegrationPortOpen('127.0.0.1', port)).to.equal('closed');
    await lab.restartManagementServer();
    expect(await isIntegrationPortOpen('127.0.0.1', port)).to.equal('open');
    expect(await cloudstackVersion(h.client)).to.match(/^4\./);
    const viaPort = await h.client.list('listSystemVms', {}, undefined, { mode: 'integration' });
    expect(viaPort.count).to.be.greaterThan(0);
    await h.client.call('updateConfiguration', { name: 'integration.api.port', value: 0 }, { mode: 'integration' });
    expect(await isIntegrationPortOpen('127.0.0.1', port)).to.equal('open');
    await lab.restartManagementServer();
    expect(await isIntegrationPortOpen('127.0.0.1', port)).to.equal('closed');
  });

  it('listAllRouters includes project routers that listall=true alone misses', async () => {
    await boot();
    const h = client();
    const plain = await h.client.listAll('listRouters', { listall: true });
    const all = await listAllRouters(h.client);
    // The default lab world has a project network with its own router.
    expect(all.count).to.be.greaterThan(plain.count);
    expect(plain.items.some((r) => r['projectid'] !== undefined)).to.equal(false);
    expect(all.items.some((r) => r['projectid'] !== undefined)).to.equal(true);
    const ids = all.items.map((r) => r['id']);
    expect(new Set(ids).size).to.equal(ids.length);
  });
});
