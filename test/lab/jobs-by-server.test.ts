// listAsyncJobs managementserverid (4.19+): the jobs one management server is executing, which are the
// jobs a restart of that server would break (QueryManagerImpl.searchForAsyncJobsInternal); before 4.19
// the parameter does not exist and, like any unknown parameter, is ignored.

import { expect } from 'chai';
import { ManualClock } from '../../src/lab/index.js';
import { ok, okAt, stopLabs, testLab } from './helpers.js';

describe('lab listAsyncJobs by management server', function () {
  this.timeout(30_000);
  afterEach(stopLabs);

  async function twoJobs(version: string): Promise<{ lab: Awaited<ReturnType<typeof testLab>>; on1: string; on2: string }> {
    const lab = await testLab({ address: '127.0.0.151', clock: new ManualClock(), speed: 1, version });
    const [r1, r2] = (await ok(lab, { command: 'listRouters', listall: 'true' })).router;
    const on1 = (await okAt(lab, lab.server('mgmt1').apiUrl, { command: 'rebootRouter', id: r1.id })).jobid as string;
    const on2 = (await okAt(lab, lab.server('mgmt2').apiUrl, { command: 'rebootRouter', id: r2.id })).jobid as string;
    return { lab, on1, on2 };
  }

  it('4.20: only the jobs the named server executes', async () => {
    const { lab, on1, on2 } = await twoJobs('4.20.1.0');
    const ids = lab.world.managementServers.map((m) => m.id);
    const of = async (id: string): Promise<string[]> =>
      ((await ok(lab, { command: 'listAsyncJobs', listall: 'true', managementserverid: id })).asyncjobs ?? []).map((j: { jobid: string }) => j.jobid);
    expect(await of(ids[0]!)).to.deep.equal([on1]);
    expect(await of(ids[1]!)).to.deep.equal([on2]);
  });

  it('4.18: the parameter is unknown and ignored (every pending job)', async () => {
    const { lab, on1, on2 } = await twoJobs('4.18.2.5');
    const id = lab.world.managementServers[1]!.id;
    const r = await ok(lab, { command: 'listAsyncJobs', listall: 'true', managementserverid: id });
    expect(r.asyncjobs.map((j: { jobid: string }) => j.jobid).sort()).to.deep.equal([on1, on2].sort());
  });
});
