// Async jobs against a scripted loopback server: submission, backoff polling with an injected clock,
// success, failure, a job lost in a management-server restart, the wait deadline and reattaching.
import { expect } from 'chai';
import { CloudStackJobError, CloudStackJobTimeoutError, CloudStackResponseError } from '../../src/cloudstack/errors.js';
import type { AsyncJobStatus } from '../../src/cloudstack/types.js';
import { expectNoSecrets, receivedSecrets, startFakeServer, type FakeServer, type Reply } from './fake-server.js';
import { assertNoLeaks, API_KEY, harness, rejection, SECRET_KEY, signedEndpoint } from './harness.js';

const JOB = 'b6a1e0c2-9d3f-4b8a-a7e5-2c4d6f8a0b1c';

function job(fields: Record<string, unknown>): Reply {
  return {
    json: {
      queryasyncjobresultresponse: {
        accountid: 'acc',
        cmd: 'org.apache.cloudstack.api.command.admin.systemvm.StopSystemVmCmd',
        jobprocstatus: 0,
        jobresultcode: 0,
        jobid: JOB,
        ...fields,
      },
    },
  };
}

/** Submission answers with the job id; the n-th poll answers with polls[n] (the last one repeats). */
function scripted(polls: readonly Reply[]): (r: { params: Readonly<Record<string, string>> }) => Reply {
  let n = 0;
  return (r) => {
    if (r.params['command'] !== 'queryAsyncJobResult') return { json: { stopsystemvmresponse: { jobid: JOB } } };
    const reply = polls[Math.min(n, polls.length - 1)]!;
    n++;
    return reply;
  };
}

describe('cloudstack/client async jobs', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer(() => ({ json: {} }));
  });
  afterEach(async () => {
    assertNoLeaks(receivedSecrets(server));
    await server.close();
  });

  it('submits, polls with growing intervals and returns jobresult', async () => {
    const result = { systemvm: { id: 'vm1', state: 'Stopped' } };
    server.handler = scripted([job({ jobstatus: 0 }), job({ jobstatus: 0 }), job({ jobstatus: 0 }), job({ jobstatus: 1, jobresulttype: 'object', jobresult: result })]);
    const h = harness(signedEndpoint(server.url));
    const seen: AsyncJobStatus[] = [];
    let submitted = '';
    const out = await h.client.callAsync('stopSystemVm', { id: 'vm1' }, { onProgress: (j) => seen.push(j), onSubmitted: (id) => (submitted = id) });
    expect(out).to.deep.equal(result);
    expect(submitted).to.equal(JOB);
    expect(seen.map((j) => j.jobstatus)).to.deep.equal([0, 0, 0, 1]);
    expect(h.sleeps).to.deep.equal([100, 200, 400]);
    const submit = server.received[0]!;
    expect(submit.method).to.equal('POST');
    expect(submit.params).to.include({ command: 'stopSystemVm', id: 'vm1' });
    expect(server.received.slice(1).every((r) => r.method === 'GET' && r.params['jobid'] === JOB)).to.equal(true);
    expect(h.events.filter((e) => e.type === 'job-poll')).to.have.length(4);
    h.client.close();
  });

  it('caps the poll interval at 2 s', async () => {
    server.handler = scripted([...Array.from({ length: 7 }, () => job({ jobstatus: 0 })), job({ jobstatus: 1, jobresult: { success: true } })]);
    const h = harness(signedEndpoint(server.url));
    expect(await h.client.callAsync('rebootRouter', { id: 'r1' })).to.deep.equal({ success: true });
    expect(h.sleeps).to.deep.equal([100, 200, 400, 800, 1600, 2000, 2000]);
    h.client.close();
  });

  it('a failed job becomes CloudStackJobError with jobid, command, jobresultcode and errortext', async () => {
    const text = 'Unable to reboot domR, it is not in right state Stopped';
    server.handler = scripted([job({ jobstatus: 2, jobresultcode: 530, jobresulttype: 'object', jobresult: { errorcode: 530, errortext: text } })]);
    const h = harness(signedEndpoint(server.url));
    const err = (await rejection(h.client.callAsync('rebootRouter', { id: 'r1' }))) as CloudStackJobError;
    expect(err).to.be.instanceOf(CloudStackJobError);
    expect(err).to.include({ jobid: JOB, command: 'rebootRouter', jobstatus: 2, jobresultcode: 530, errortext: text, errorcode: 530, lostInRestart: false });
    expect(err.message).to.include(text).and.include('rebootRouter job');
    expectNoSecrets([err, ...h.events], [API_KEY, SECRET_KEY, ...receivedSecrets(server)]);
    h.client.close();
  });

  it('a job lost in a management-server restart (status 2, 530, no jobresult) says so', async () => {
    server.handler = scripted([job({ jobstatus: 0 }), job({ jobstatus: 2, jobresultcode: 530 })]);
    const h = harness(signedEndpoint(server.url));
    const err = (await rejection(h.client.callAsync('stopSystemVm', { id: 'vm1' }))) as CloudStackJobError;
    expect(err).to.be.instanceOf(CloudStackJobError);
    expect(err.lostInRestart).to.equal(true);
    expect(err.errortext).to.equal(undefined);
    expect(err.message).to.include('lost in a management-server restart').and.include(JOB);
    h.client.close();
  });

  it('status 1 with a non-zero jobresultcode is a failure too', async () => {
    server.handler = scripted([job({ jobstatus: 1, jobresultcode: 431, jobresult: { errorcode: 431, errortext: 'bad' } })]);
    const h = harness(signedEndpoint(server.url));
    const err = (await rejection(h.client.callAsync('stopSystemVm', { id: 'vm1' }))) as CloudStackJobError;
    expect(err.jobresultcode).to.equal(431);
    h.client.close();
  });

  it('gives up waiting at the deadline with the jobid to reattach to', async () => {
    server.handler = scripted([job({ jobstatus: 0 })]);
    const h = harness(signedEndpoint(server.url));
    const err = (await rejection(h.client.callAsync('stopSystemVm', { id: 'vm1' }, { timeoutMs: 10_000 }))) as CloudStackJobTimeoutError;
    expect(err).to.be.instanceOf(CloudStackJobTimeoutError);
    expect(err.jobid).to.equal(JOB);
    expect(err.waitedMs).to.equal(10_000);
    expect(err.message).to.include(JOB);
    // 100+200+400+800+1600 = 3100, then every 2 s to 9100, and the last sleep is cut to the deadline.
    expect(h.sleeps).to.deep.equal([100, 200, 400, 800, 1600, 2000, 2000, 2000, 900]);
    h.client.close();
  });

  it('waitForJob reattaches to an existing job id and names it by its Java class when no command is given', async () => {
    server.handler = scripted([job({ jobstatus: 2, jobresultcode: 530 })]);
    const h = harness(signedEndpoint(server.url));
    const err = (await rejection(h.client.waitForJob(JOB))) as CloudStackJobError;
    expect(err.command).to.equal('StopSystemVmCmd');
    expect(server.received.map((r) => r.params['command'])).to.deep.equal(['queryAsyncJobResult']);
    h.client.close();
  });

  it('a submission without jobid is a CloudStackResponseError', async () => {
    server.handler = () => ({ json: { stopsystemvmresponse: { success: true } } });
    const h = harness(signedEndpoint(server.url));
    const err = await rejection(h.client.callAsync('stopSystemVm', { id: 'vm1' }));
    expect(err).to.be.instanceOf(CloudStackResponseError);
    expect(err.message).to.include('no jobid');
    h.client.close();
  });

  it('polls through the integration port when the job was submitted there', async () => {
    server.handler = scripted([job({ jobstatus: 1, jobresult: { success: true } })]);
    const h = harness({ url: 'http://127.0.0.1:1/client/api', integrationPort: server.port });
    await h.client.callAsync('stopSystemVm', { id: 'vm1' }, { mode: 'integration' });
    expect(server.received.map((r) => [r.method, r.params['command'], r.params['signature']])).to.deep.equal([
      ['GET', 'stopSystemVm', undefined],
      ['GET', 'queryAsyncJobResult', undefined],
    ]);
    h.client.close();
  });
});
