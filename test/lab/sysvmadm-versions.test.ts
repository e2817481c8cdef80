// cloudstack-sysvmadm by release, each against a world of its version: the fixed port 8096 before
// 4.19.2, the job status read by field position ($4, then $7 from apache/cloudstack#9200) from whatever
// JSON the API renders, the 4.19.0/4.19.1 script leaving the SSVM and CPVM Stopped, the partial-batch
// hang before 4.20.3 (#12067, PR #12355). Lab time is a ManualClock: a hang is lab hours passing.

import { expect } from 'chai';
import { ManualClock, type Lab } from '../../src/lab/index.js';
import { statusOf } from '../../src/lab/host/commands/sysvmadm-opts.js';
import { sysvmadmProfile } from '../../src/lab/world/versions.js';
import { ok, stopLabs, testLab } from './helpers.js';

let nextAddress = 1;

/** A lab of a version on a loopback address of its own (the old scripts always call port 8096). */
async function labOf(version: string, config: Record<string, unknown> = {}): Promise<Lab> {
  return testLab({ version, address: `127.88.0.${nextAddress++}`, clock: new ManualClock(), config: { oldVersion: '4.17.2', ...config } });
}

/** Advances lab time in steps until `done` holds; a hang guard, not a timing assumption. */
async function until(lab: Lab, done: () => boolean, what: string, maxLabMs = 6 * 3_600_000): Promise<void> {
  for (let t = 0; !done(); t += 5_000) {
    if (t > maxLabMs) throw new Error(`lab time ran out waiting for ${what}`);
    await lab.advance(5_000);
  }
}

async function openPort(lab: Lab, port = 8096): Promise<void> {
  await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(port) });
  await lab.restartManagementServer({ wait: false });
  await until(lab, () => lab.state().managementServer.integrationPort.listening === true, 'the integration port');
}

/** Starts sysvmadm detached, output in /root/o and /root/e, as the documented nohup run does. */
async function start(lab: Lab, args: string): Promise<void> {
  await lab.exec('mgmt1', `cd /root && nohup cloudstack-sysvmadm -u cloud -p ${lab.dbPassword} ${args} > /root/o 2> /root/e &`);
}

const out = async (lab: Lab) => (await lab.exec('mgmt1', 'cat /root/o')).stdout;
const err = async (lab: Lab) => (await lab.exec('mgmt1', 'cat /root/e')).stdout;
const finished = (lab: Lab) => lab.state().sysvmadmRuns[0]?.state === 'done';
const jobs = (lab: Lab) => lab.state().jobs.map((j) => `${j.command}:${j.status}`).sort();
const FUNCTIONS = '/usr/bin/cloudstack-sysvmadm: line 21: /etc/rc.d/init.d/functions: No such file or directory\n';
const SUCCESS = '\nStopping and starting 1 secondary storage vm(s)...\nDone stopping and starting secondary storage vm(s)\n' +
  '\nStopping and starting 1 console proxy vm(s)...\nDone stopping and starting console proxy vm(s) .\n' +
  '\nStopping and starting 6 running routing vm(s)... \nDone restarting router(s). \n\n';
const ALL_JOBS = [...Array(6).fill('rebootRouter:1'), 'startSystemVm:1', 'startSystemVm:1', 'stopSystemVm:1', 'stopSystemVm:1'];

describe('lab cloudstack-sysvmadm by release', function () {
  this.timeout(120_000);
  afterEach(stopLabs);

  it('maps every version to its release script', () => {
    const names = ['4.17.2.0', '4.18.2.5', '4.19.0.2', '4.19.1.3', '4.19.2.0', '4.19.3.0', '4.20.0.0', '4.20.2.0', '4.20.3.0', '4.21.0.0', '4.22.0.0']
      .map((v) => `${v}=${sysvmadmProfile(v).name}`);
    expect(names).to.deep.equal(['4.17.2.0=4.18.x', '4.18.2.5=4.18.x', '4.19.0.2=4.19.0.x', '4.19.1.3=4.19.1.x', '4.19.2.0=4.19.2+', '4.19.3.0=4.19.2+',
      '4.20.0.0=4.20.0–4.20.2', '4.20.2.0=4.20.0–4.20.2', '4.20.3.0=4.20.3+', '4.21.0.0=4.21', '4.22.0.0=4.22']);
  });

  it('reads the job status by position, from whatever order the JSON has', () => {
    const v418 = '{"queryasyncjobresultresponse":{"accountid":"a","userid":"u","cmd":"c.StopSystemVmCmd","jobstatus":1,"jobprocstatus":0,"jobresultcode":0,"jobid":"j"}}';
    const v420 = '{"queryasyncjobresultresponse":{"accountid":"a","account":"system","domainid":"d","domainpath":"ROOT","userid":"u","cmd":"c","jobstatus":1,"jobprocstatus":0,"jobid":"j"}}';
    const v421 = '{"queryasyncjobresultresponse":{"accountid":"a","account":"system","domainid":"d","domainpath":"ROOT","userid":"u","cmd":"c","jobprocstatus":0,"jobresultcode":0,"jobid":"j","jobstatus":1}}';
    expect([statusOf(v418, 4), statusOf(v420, 4), statusOf(v420, 7), statusOf(v421, 7)]).to.deep.equal(['1', 'ROOT', '1', '0']);
  });

  it('4.18.x: port 8096, numeric ids, $4 is jobstatus in 4.18 JSON: -a restarts everything; the functions line goes to stderr', async () => {
    const lab = await labOf('4.18.2.5');
    await openPort(lab);
    await start(lab, '-a');
    await until(lab, () => finished(lab), 'sysvmadm');
    expect(await out(lab)).to.equal(SUCCESS);
    expect(await err(lab)).to.equal(FUNCTIONS);
    expect(lab.state().sysvmadmRuns[0]!.exitCode).to.equal(0);
    // 4.18.2 ships the 4.18.1 template (pom project.systemvm.template.version)
    expect(lab.state().systemVms.map((v) => `${v.name} ${v.state} ${v.templateVersion}`)).to.deep.equal(['s-1-VM Running 4.18.1', 'v-2-VM Running 4.18.1']);
    expect(lab.state().routers.every((r) => r.state === 'Running' && r.version === '4.18.1')).to.equal(true);
    expect(jobs(lab)).to.deep.equal(ALL_JOBS);
    expect((await lab.exec('mgmt1', 'cat /root/cloud.log')).stdout).to.match(/\] INFO: Stopping secondary storage vm with id 1\n/);
  });

  it('4.18.x: calls 8096 whatever the database holds (another port open: every call refused)', async () => {
    const lab = await labOf('4.18.2.5');
    await openPort(lab, 8097);
    await start(lab, '-s');
    await until(lab, () => finished(lab), 'sysvmadm');
    expect(await out(lab)).to.include('ERROR: Failed to stop secondary storage vm with id 1 \n\n');
    expect(await err(lab)).to.equal(FUNCTIONS + 'curl: (7) Failed to connect to localhost port 8096 after 0 ms: Connection refused\n'.repeat(2));
    expect(lab.state().jobs).to.have.length(0);
  });

  for (const version of ['4.19.0.0', '4.19.1.0']) {
    it(`${version}: $4 of 4.19's job JSON is domainpath: "Failed to stop", s-1-VM and v-2-VM left Stopped, routers rebooted but reported failed`, async () => {
      const lab = await labOf(version);
      await openPort(lab);
      await start(lab, '-a');
      await until(lab, () => finished(lab) && lab.state().jobs.every((j) => j.status !== 0), 'sysvmadm and its jobs');
      const lines = (await out(lab)).split('\n');
      expect(lines.slice(0, 9)).to.deep.equal(['', 'Stopping and starting 1 secondary storage vm(s)...', 'ERROR: Failed to stop secondary storage vm with id 1 ', '',
        'Done stopping and starting secondary storage vm(s)', '', 'Stopping and starting 1 console proxy vm(s)...', 'ERROR: Failed to stop console proxy vm with id 2 ', '']);
      expect(lines.filter((l) => l.startsWith('ERROR: Failed to restart domainRouter with id ')).sort())
        .to.deep.equal(['3', '4', '5', '6', '7', '8'].map((id) => `ERROR: Failed to restart domainRouter with id ${id} `));
      expect(lines.slice(-3)).to.deep.equal(['Done restarting router(s). ', '', '']);
      expect(lab.state().systemVms.map((v) => `${v.name} ${v.state}`)).to.deep.equal(['s-1-VM Stopped', 'v-2-VM Stopped']);
      expect(lab.state().routers.every((r) => r.state === 'Running' && r.version === version.slice(0, 6))).to.equal(true);
      expect(jobs(lab)).to.deep.equal([...Array(6).fill('rebootRouter:1'), 'stopSystemVm:1', 'stopSystemVm:1']);
      expect(lab.state().sysvmadmRuns[0]!.exitCode).to.equal(0);
    });
  }

  it('4.19.2+: reads the port from the database (here 8123), uuids, $7: -a restarts everything', async () => {
    const lab = await labOf('4.19.3.0');
    await openPort(lab, 8123);
    await start(lab, '-a');
    await until(lab, () => finished(lab), 'sysvmadm');
    expect(await out(lab)).to.equal(SUCCESS);
    expect(await err(lab)).to.equal('');
    expect(jobs(lab)).to.deep.equal(ALL_JOBS);
    // 4.19.3 ships the 4.19.1 template
    expect(lab.state().systemVms.every((v) => v.state === 'Running' && v.templateVersion === '4.19.1')).to.equal(true);
  });

  it('4.20.0–4.20.2: six routers with -t 4 leave a partial last batch that is never waited out', async () => {
    const lab = await labOf('4.20.0.0');
    await openPort(lab);
    await start(lab, '-r -t 4');
    await until(lab, () => lab.state().jobs.length === 6 && lab.state().jobs.every((j) => j.status === 1), 'the router jobs');
    await lab.advance(3_600_000);
    expect(finished(lab)).to.equal(false);
    expect(await out(lab)).to.equal('\nStopping and starting 6 running routing vm(s)... \n');
    expect((await lab.exec('mgmt1', 'pgrep -f cloudstack-sysvmadm')).stdout.trim().split('\n')).to.have.length(1);
  });

  it('4.20.3+: the last partial batch is waited out, and the run ends', async () => {
    const lab = await labOf('4.20.3.0');
    await openPort(lab);
    await start(lab, '-r -t 4');
    await until(lab, () => finished(lab), 'sysvmadm');
    expect(await out(lab)).to.equal('\nStopping and starting 6 running routing vm(s)... \nDone restarting router(s). \n\n');
    expect(jobs(lab)).to.deep.equal(Array(6).fill('rebootRouter:1'));
  });

  for (const version of ['4.21.0.0', '4.22.0.0']) {
    it(`${version}: field 7 of the job JSON is jobprocstatus (jobstatus comes last): the first job is polled forever`, async () => {
      const lab = await labOf(version);
      await openPort(lab);
      await start(lab, '-a');
      await until(lab, () => lab.state().jobs.length === 1 && lab.state().jobs[0]!.status === 1, 'the SSVM stop job');
      await lab.advance(3_600_000);
      expect(finished(lab)).to.equal(false);
      expect(jobs(lab)).to.deep.equal(['stopSystemVm:1']);
      expect(await out(lab)).to.equal('\nStopping and starting 1 secondary storage vm(s)...\n');
    });
  }

  it('the default world (22 of 23 routers running) with -t 10: 4.20.1 hangs after its two full batches, 4.20.3 finishes', async () => {
    const hung = await testLab({ version: '4.20.1.0', address: `127.88.0.${nextAddress++}`, clock: new ManualClock(), config: { preset: 'production', background_jobs: 0 } });
    await openPort(hung);
    await start(hung, '-r -t 10');
    await until(hung, () => hung.state().jobs.filter((j) => j.command === 'rebootRouter' && j.status === 1).length === 22, 'the router jobs');
    await hung.advance(3_600_000);
    expect(finished(hung)).to.equal(false);
    expect(await out(hung)).to.equal('\nStopping and starting 22 running routing vm(s)... \n');
    const fixed = await testLab({ version: '4.20.3.0', address: `127.88.0.${nextAddress++}`, clock: new ManualClock(), config: { preset: 'production', background_jobs: 0 } });
    await openPort(fixed);
    await start(fixed, '-r -t 10');
    await until(fixed, () => finished(fixed), 'sysvmadm');
    expect(await out(fixed)).to.equal('\nStopping and starting 22 running routing vm(s)... \nDone restarting router(s). \n\n');
    expect(fixed.state().routers.filter((r) => r.state === 'Stopped').map((r) => r.name)).to.deep.equal(['r-20-VM']);
  });
});
