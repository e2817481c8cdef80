// The one submit-or-reattach for CloudStack async jobs (the `cloudstack` step and the system VM and
// router steps all use it), against a real lab: a submission is journaled under its key before it is
// waited for, a resumed run waits for the journaled job instead of submitting again, and an answer
// without a job id is handed back as it is.

import { expect } from 'chai';
import { createCloudStackClient } from '../../../src/cloudstack/client.js';
import type { CloudStackClient } from '../../../src/cloudstack/types.js';
import { startLab, type Lab } from '../../../src/lab/index.js';
import { jobKey, submitOrReattach, type JobContext } from '../../../src/steps/cloudstack/jobs.js';

describe('cloudstack jobs: submit or reattach', function () {
  this.timeout(30_000);
  let lab: Lab;
  let client: CloudStackClient;
  let ssvm: string;
  before(async () => {
    lab = await startLab({ address: '127.0.0.36', speed: 1000, sshKvmHosts: 0 });
    client = createCloudStackClient({ name: 'mgmt', url: lab.apiUrl, apiKey: lab.apiKey, secretKey: lab.secretKey }, {
      poll: { initialMs: 5, maxMs: 20, factor: 2 },
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
    });
    const vms = await client.call('listSystemVms', { systemvmtype: 'secondarystoragevm' });
    ssvm = String(((vms['systemvm'] as Array<Record<string, unknown>>)[0] ?? {})['id']);
  });
  after(async () => {
    client?.close();
    await lab?.stop();
  });

  /** A step's context as job handling sees it: the journal's records and a resumed run's prior jobs. */
  function context(prior: ReadonlyMap<string, string> = new Map()): JobContext & { records: Array<Record<string, unknown>> } {
    const records: Array<Record<string, unknown>> = [];
    const unused = (): never => {
      throw new Error('not used by job handling');
    };
    return {
      records, stepId: '1.2', hostName: 'mgmt', signal: new AbortController().signal, sleep: async () => undefined,
      services: { ssh: unused, connectVia: unused, cloudstack: unused, record: (_kind, data) => void records.push({ ...data }), priorJob: (key) => prior.get(key) },
    };
  }
  const stops = (): number => lab.state().jobs.filter((j) => j.command === 'stopSystemVm').length;

  it('journals the job id under the submission key, then waits for the job to end', async () => {
    const ctx = context();
    const before = stops();
    const s = await submitOrReattach(ctx, client, { id: ssvm }, { command: 'stopSystemVm', timeoutMs: 60_000, what: 'stop' });
    expect(s.kind).to.equal('job');
    if (s.kind !== 'job') return;
    expect(s.resumed).to.equal(false);
    expect(stops()).to.equal(before + 1);
    expect(ctx.records).to.deep.equal([{ key: jobKey(ctx, 'mgmt', 'stopSystemVm', { id: ssvm }), endpoint: 'mgmt', command: 'stopSystemVm', jobid: s.jobid }]);
    expect(s.result['systemvm']).to.include({ state: 'Stopped' });
  });

  it('a resumed run waits for the job the interrupted run journaled and submits nothing', async () => {
    const first = await submitOrReattach(context(), client, { id: ssvm }, { command: 'startSystemVm', timeoutMs: 60_000, what: 'start' });
    if (first.kind !== 'job') throw new Error('expected a job');
    const starts = lab.state().jobs.filter((j) => j.command === 'startSystemVm').length;
    const ctx = context(new Map([[jobKey({ stepId: '1.2', hostName: 'mgmt' }, 'mgmt', 'startSystemVm', { id: ssvm }), first.jobid]]));
    const progress: string[] = [];
    const again = await submitOrReattach(ctx, client, { id: ssvm }, { command: 'startSystemVm', timeoutMs: 60_000, what: 'start', onProgress: (m) => progress.push(m) });
    expect(again).to.include({ kind: 'job', jobid: first.jobid, resumed: true });
    expect(lab.state().jobs.filter((j) => j.command === 'startSystemVm').length).to.equal(starts);
    expect(progress[0]).to.match(/^start: reattaching to job .* submitted before the interruption/);
    expect(ctx.records).to.deep.equal([]);
  });

  it('an answer without a job id is handed back, and nothing is journaled', async () => {
    const ctx = context();
    const s = await submitOrReattach(ctx, client, {}, { command: 'listZones', timeoutMs: 60_000, what: 'zones' });
    expect(s.kind).to.equal('answer');
    expect(ctx.records).to.deep.equal([]);
  });

  it('wait: false submits the job and returns at once, without journaling it for resume', async () => {
    const ctx = context();
    const s = await submitOrReattach(ctx, client, { id: ssvm }, { command: 'rebootSystemVm', timeoutMs: 60_000, what: 'reboot', wait: false });
    expect(s.kind).to.equal('submitted');
    expect(ctx.records).to.deep.equal([]);
  });
});
