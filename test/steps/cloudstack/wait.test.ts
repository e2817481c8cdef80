import { expect } from 'chai';
import { freePort } from '../../support/ssh-common.js';
import { CsHarness, steps, type CsRun } from './harness.js';

describe('steps: cloudstack.wait', function () {
  this.timeout(30_000);
  const address = '127.0.0.33';
  let h: CsHarness;
  let port: number;
  before(async () => {
    h = await CsHarness.start(address);
    port = await freePort(address);
  });
  after(async () => h.stop());
  let run: CsRun | undefined;
  beforeEach(() => {
    run = undefined;
  });
  afterEach(() => {
    if (run) expect(run.leaks()).to.deep.equal([]);
  });

  async function setPortAndRestart(value: number): Promise<void> {
    h.lab.world.config.set('integration.api.port', String(value));
    await h.lab.restartManagementServer();
    await h.agentsUp();
  }

  it('for: api returns at once when the management server answers (also in a dry run)', async () => {
    for (const dryRun of [false, true]) {
      const before = h.state();
      run = await h.run(steps(`
- name: up
  cloudstack.wait: {for: api, timeout: 1m}
  register: w
- {name: c, capture: "{{w}}"}`), { dryRun });
      expect(run.end('up').status).to.equal('ok');
      expect(run.captured[0]).to.include({ ready: true, attempts: 1, version: '4.20.1.0' });
      if (dryRun) expect(h.state()).to.deep.equal(before);
    }
  });

  it('for: api keeps waiting through a restart (refused connections) and shows progress', async () => {
    h.lab.setFaults({ restartDelayMs: 400_000 }); // 400 ms at lab speed 1000
    await h.lab.restartManagementServer({ wait: false });
    try {
      run = await h.run(steps(`
- name: back
  cloudstack.wait: {for: api, timeout: 10m, interval: 2s}
  register: w
- {name: c, capture: "{{w.attempts}}"}`));
    } finally {
      h.lab.setFaults({});
    }
    expect(run.end('back').status).to.equal('ok');
    expect(run.captured[0]).to.be.greaterThan(1);
    const progress = run.events.filter((e) => e.type === 'step-progress').map((e) => (e as { message: string }).message);
    expect(progress.some((m) => /waiting for the API of mgmt \(listCapabilities\): .* of 10m00s, connection refused/.test(m))).to.equal(true);
    await h.agentsUp();
  });

  it('fails after the timeout when the management server never comes back', async () => {
    h.lab.setFaults({ restartNever: true });
    await h.lab.restartManagementServer({ wait: false });
    try {
      run = await h.run(steps(`
- name: never
  cloudstack.wait: {for: api, timeout: 20s, interval: 5s}`));
    } finally {
      h.lab.setFaults({});
      await h.lab.restartManagementServer();
      await h.agentsUp();
    }
    const e = run.end('never');
    expect(e.status).to.equal('failed');
    expect(e.msg).to.match(/^mgmt did not answer API calls within 20s \(5 attempts, last: connection refused\)$/);
  });

  it('bad credentials are not waited out', async () => {
    run = await h.run(steps(`
- name: bad
  cloudstack.wait: {for: api, timeout: 10m}`), { secretKey: 'wrong-secret-key-for-the-wait-test' });
    expect(run.end('bad').msg).to.include('HTTP 401');
  });

  it('integration-open / integration-closed follow the listener, and the exposure is reported', async () => {
    await setPortAndRestart(port);
    run = await h.run(steps(`
- name: open
  cloudstack.wait: {for: integration-open, timeout: 1m, interval: 1s}
  register: o
- {name: c, capture: "{{o}}"}
- name: exposure
  cloudstack.wait: {for: exposure}
  register: x
- {name: c2, capture: "{{x}}"}
- name: refuse
  cloudstack.wait: {for: exposure, on_exposed: fail}`), { integrationPort: port });
    expect(run.captured[0]).to.include({ ready: true, state: 'open', exposed: true, port });
    expect(run.end('open').msg).to.include(`EXPOSED at ${address}:${port}`);
    expect(run.events.some((e) => e.type === 'warning' && e.message.includes('reachable directly from this runner'))).to.equal(true);
    expect(run.captured[1]).to.include({ exposed: true, state: 'open', address: `${address}:${port}` });
    expect(run.end('refuse').status).to.equal('failed');

    await setPortAndRestart(0);
    run = await h.run(steps(`
- name: closed
  cloudstack.wait: {for: integration-closed, timeout: 1m}
  register: c
- {name: c, capture: "{{c}}"}
- name: exposure
  cloudstack.wait: {for: exposure}
  register: x
- {name: c2, capture: "{{x.exposed}}"}`), { integrationPort: port });
    expect(run.captured[0]).to.include({ ready: true, state: 'closed', exposed: false });
    expect(run.captured[1]).to.equal(false);
  });

  it('port: overrides the inventory (also as a templated string) for the probe and the API check', async () => {
    await setPortAndRestart(port);
    try {
      run = await h.run(steps(`
- {name: v, set: {p: "${port}"}}
- name: open
  cloudstack.wait: {for: integration-open, timeout: 1m, port: "{{p}}", on_exposed: ignore}
  register: o
- {name: c, capture: "{{o.port}}"}`));
      expect(run.end('open').status, run.end('open').msg).to.equal('ok');
      expect(run.captured[0]).to.equal(port);
      expect(run.events.some((e) => e.type === 'warning')).to.equal(false);
    } finally {
      await setPortAndRestart(0);
    }
  });

  it('integration-open times out naming the port when the setting was changed but the server not restarted', async () => {
    h.lab.world.config.set('integration.api.port', String(port));
    try {
      run = await h.run(steps(`
- name: not yet
  cloudstack.wait: {for: integration-open, timeout: 3s, interval: 1s}`), { integrationPort: port });
    } finally {
      h.lab.world.config.set('integration.api.port', '0');
    }
    expect(run.end('not yet').msg).to.equal(`the integration port of mgmt (${address}:${port}) is still closed after 3.0s`);
  });

  it('through via: probes the port from the management-server host over SSH and calls the API there', async () => {
    await setPortAndRestart(port);
    try {
      run = await h.run(steps(`
- name: open via
  cloudstack.wait: {for: integration-open, timeout: 1m, interval: 1s}
  register: o
- {name: c, capture: "{{o}}"}
- name: unauthenticated call
  cloudstack: {command: listCapabilities, mode: integration}
  register: caps
- {name: c2, capture: "{{caps.capability.cloudstackversion}}"}
- name: signed call through the tunnel
  cloudstack: listZones
  register: z
- {name: c3, capture: "{{z.count}}"}`), { via: true, integrationPort: port });
      expect(run.summary.exitCode, JSON.stringify(run.events.filter((e) => e.type === 'step-end'))).to.equal(0);
      expect(run.end('open via').msg).to.include(`integration port of mgmt (127.0.0.1:${port} via mgmt) is open`);
      // the URL is loopback as seen from the jump host, so the exposure probe uses the jump host's address
      expect(run.captured[0]).to.include({ state: 'open', exposed: true });
      expect(run.captured[1]).to.equal('4.20.1.0');
      expect(run.captured[2]).to.equal(1);
    } finally {
      await setPortAndRestart(0);
    }
    run = await h.run(steps(`
- name: closed via
  cloudstack.wait: {for: integration-closed, timeout: 1m}
  register: c
- {name: c, capture: "{{c.state}}"}`), { via: true, integrationPort: port });
    expect(run.end('closed via').status).to.equal('ok');
    expect(run.captured[0]).to.equal('closed');
  });
});
