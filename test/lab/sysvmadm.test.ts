// cloudstack-sysvmadm on the management host (docs/cloudstack-facts.md §8): exact stdout lines, the log file, exit 0
// whatever happens, the DB-port check, every call failing when the port is not open, failing VMs, wrong
// DB credentials, and the batch-wait hang of a partial last batch.

import { expect } from 'chai';
import type { Lab } from '../../src/lab/index.js';
import { freePort, ok, stopLabs, testLab, waitFor } from './helpers.js';

async function openPort(lab: Lab, restart = true): Promise<number> {
  const port = await freePort();
  await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(port) });
  if (restart) await lab.restartManagementServer();
  return port;
}

const ids = (lab: Lab) => ({
  ssvm: lab.state().systemVms.find((v) => v.type === 'ssvm')!.id as string,
  cpvm: lab.state().systemVms.find((v) => v.type === 'cpvm')!.id as string,
});

describe('lab cloudstack-sysvmadm', () => {
  afterEach(stopLabs);

  it('-a restarts SSVM, CPVM and all routers with the documented output, log lines and exit 0', async () => {
    const lab = await testLab({ speed: 2000 });
    await openPort(lab);
    const r = await lab.exec('mgmt1', `cloudstack-sysvmadm -d localhost -u cloud -p ${lab.dbPassword} -a`);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('');
    expect(r.stdout).to.equal(
      '\nStopping and starting 1 secondary storage vm(s)...\n' +
      'Done stopping and starting secondary storage vm(s)\n' +
      '\nStopping and starting 1 console proxy vm(s)...\n' +
      'Done stopping and starting console proxy vm(s) .\n' +
      '\nStopping and starting 6 running routing vm(s)... \n' +
      'Done restarting router(s). \n\n',
    );
    const st = lab.state();
    expect(st.systemVms.every((v) => v.state === 'Running' && v.templateVersion === '4.20.1')).to.equal(true);
    expect(st.routers.every((x) => x.version === '4.20.1' && x.requiresUpgrade === false)).to.equal(true);
    expect(st.jobs.every((j) => j.account === 'system' && j.status === 1)).to.equal(true);
    const log = (await lab.exec('mgmt1', 'cat /root/cloud.log')).stdout.split('\n');
    const { ssvm } = ids(lab);
    expect(log[0]).to.match(/^\[\d{4}\.\d{2}\.\d{2}-\d{2}\.\d{2}\.\d{2}\] Stopping and starting 1 secondary storage vm\(s\)\.\.\.$/);
    expect(log[1]).to.match(new RegExp(`^\\[[\\d.-]+\\] INFO: Stopping secondary storage vm with id ${ssvm}$`));
    expect(log.filter((l) => l.includes('INFO: Successfully restarted domainRouter with id'))).to.have.length(6);
    expect(lab.state().sysvmadmRuns).to.deep.equal([
      { id: 1, args: ['cloudstack-sysvmadm', '-d', 'localhost', '-u', 'cloud', '-p', '***', '-a'], state: 'done', exitCode: 0, logFile: '/root/cloud.log' },
    ]);
  });

  it('prints "Integration port is not enabled!" and exits 0 when the DB value is <= 0', async () => {
    const lab = await testLab();
    const r = await lab.exec('mgmt1', `cloudstack-sysvmadm -d localhost -u cloud -p ${lab.dbPassword} -a`);
    expect(r).to.deep.equal({ code: 0, stdout: 'Integration port is not enabled!\n', stderr: '' });
    expect(lab.state().jobs).to.have.length(0);
  });

  it('with the DB value set but no restart every call fails, yet it exits 0', async () => {
    const lab = await testLab();
    const port = await openPort(lab, false);
    const r = await lab.exec('mgmt1', `cloudstack-sysvmadm -u cloud -p${lab.dbPassword} -s -l /tmp/s.log`);
    const { ssvm, cpvm } = ids(lab);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(
      '\nStopping and starting 1 secondary storage vm(s)...\n' +
      `ERROR: Failed to stop secondary storage vm with id ${ssvm} \n\n` +
      'Done stopping and starting secondary storage vm(s)\n' +
      '\nStopping and starting 1 console proxy vm(s)...\n' +
      `ERROR: Failed to stop console proxy vm with id ${cpvm} \n\n` +
      'Done stopping and starting console proxy vm(s) .\n',
    );
    expect(r.stderr).to.equal(`curl: (7) Failed to connect to localhost port ${port} after 0 ms: Connection refused\n`.repeat(2));
    expect(lab.state().jobs).to.have.length(0);
  });

  it('a failing VM job shows only as text: ERROR line on stdout, send_request detail in the log', async () => {
    const lab = await testLab({ speed: 2000 });
    await openPort(lab);
    const { cpvm } = ids(lab);
    lab.setFaults({ failJob: [{ vm: 'v-2-VM', command: 'stopSystemVm' }] });
    const r = await lab.exec('mgmt1', `cloudstack-sysvmadm -u cloud -p ${lab.dbPassword} -s`);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.include(`ERROR: Failed to stop console proxy vm with id ${cpvm} \n\n`);
    expect(r.stdout).to.not.include('secondary storage vm with id');
    const log = (await lab.exec('mgmt1', 'cat cloud.log')).stdout;
    expect(log).to.match(new RegExp(`ERROR: Failed to stopSystemVm id=${cpvm}; jobId is [0-9a-f-]{36}\\n`));
    expect(log).to.include(`ERROR: Failed to stop console proxy vm with id ${cpvm}\n`);
  });

  it('a wrong DB password: `[: -le: unary operator expected`, empty sections, one ERROR 1045 per query, exit 0 (4.20.1)', async () => {
    const lab = await testLab();
    await openPort(lab);
    const r = await lab.exec('mgmt1', 'cloudstack-sysvmadm -d localhost -u cloud -p wrong -s -r -n');
    const denied = "ERROR 1045 (28000): Access denied for user 'cloud'@'localhost' (using password: YES)\n";
    expect(r).to.deep.equal({
      code: 0,
      stdout: '\nStopping and starting 0 secondary storage vm(s)...\nNo running secondary storage vms found \n\n' +
        '\nStopping and starting 0 console proxy vm(s)...\nNo running console proxy vms found \n\n' +
        '\nStopping and starting 0 running routing vm(s)... \n\nRestarting 0 networks... \n',
      stderr: denied + '/usr/bin/cloudstack-sysvmadm: line 107: [: -le: unary operator expected\n' + denied.repeat(4),
    });
    expect(lab.state().jobs).to.have.length(0);
    expect((await lab.exec('mgmt1', 'cloudstack-sysvmadm -a')).stderr).to.match(
      /^ERROR 1045 \(28000\): Access denied for user 'root'@'localhost' \(using password: NO\)\n\/usr\/bin\/cloudstack-sysvmadm: line 107: /);
  });

  it('-h and no action print the usage on stderr and exit 0; illegal options are reported by getopts', async () => {
    const lab = await testLab();
    await openPort(lab);
    const h = await lab.exec('mgmt1', `cloudstack-sysvmadm -u cloud -p ${lab.dbPassword} -h`);
    expect(h.code).to.equal(0);
    expect(h.stdout).to.equal('');
    expect(h.stderr).to.match(/^\n {2}The tool for stopping\/starting running system vms and domain routers\. It requires integration API port to be enabled\.\n\n {2}Usage: cloudstack-sysvmadm: \[-d\] /);
    expect(h.stderr).to.include('   -u - user name to access cloud DB, defaulted to "root" if not specified\n');
    const x = await lab.exec('mgmt1', `cloudstack-sysvmadm -u cloud -p ${lab.dbPassword} -x`);
    expect(x.stderr).to.match(/^\/usr\/bin\/cloudstack-sysvmadm: illegal option -- x\n\n {2}The tool/);
  });

  it('-n restarts networks by numeric id and -v VPCs by uuid; -z with -v fails its SQL', async () => {
    const lab = await testLab({ speed: 2000 });
    await openPort(lab);
    const n = await lab.exec('mgmt1', `cloudstack-sysvmadm -u cloud -p ${lab.dbPassword} -n -v`);
    const vpc = lab.world.vpcs[0]!;
    expect(n.stdout).to.equal(
      '\nRestarting 6 networks... \nDone restarting networks. \n\n' +
      `\nRestarting 1 vpcs... \nINFO: Restarting vpc with id ${vpc.id}\nINFO: Successfully restarted vpc with id ${vpc.id} \n\nDone restarting vpcs. \n\n`,
    );
    const z = await lab.exec('mgmt1', `cloudstack-sysvmadm -u cloud -p ${lab.dbPassword} -v -z 1`);
    expect(z.stdout).to.equal('\nRestarting 0 vpcs... \n');
    expect(z.stderr).to.equal("ERROR 1054 (42S22) at line 1: Unknown column 'data_center_id' in 'where clause'\n");
  });

  it('-r with a partial last batch never finishes (cloudstack #12067) although every router job is done', async () => {
    const lab = await testLab({ speed: 10_000 });
    await openPort(lab);
    void lab.exec('mgmt1', `nohup cloudstack-sysvmadm -u cloud -p ${lab.dbPassword} -r -t 4 > /root/sysvm.log 2>&1 &`);
    await waitFor(() => lab.state().jobs.length === 6 && lab.state().jobs.every((j) => j.status === 1), 'all router jobs done');
    // 200 ms of real time is 2,000 s of lab time: 200 of the script's 10 s polls.
    await new Promise((r) => setTimeout(r, 200));
    expect(lab.state().sysvmadmRuns[0]!.state).to.equal('running');
    const out = (await lab.exec('mgmt1', 'cat /root/sysvm.log')).stdout;
    expect(out).to.equal('\nStopping and starting 6 running routing vm(s)... \n');
  });

  it('-i restarts only the listed VMs, and only the first comma splits the list', async () => {
    const lab = await testLab({ speed: 2000 });
    await openPort(lab);
    const { ssvm, cpvm } = ids(lab);
    const r = await lab.exec('mgmt1', `cloudstack-sysvmadm -u cloud -p ${lab.dbPassword} -s -i ${ssvm},${cpvm}`);
    expect(r.stdout).to.include(`Stopping and starting 1 secondary storage vm(s) with id=${ssvm},${cpvm}...`);
    const routers = lab.world.routers.slice(0, 3).map((x) => x.id);
    const three = await lab.exec('mgmt1', `cloudstack-sysvmadm -u cloud -p ${lab.dbPassword} -r -i ${routers.join(',')}`);
    expect(three.stdout).to.match(/Stopping and starting 1 running routing vm\(s\) with id=/);
  });

  it('in a 4.21 world the job poll never ends: field 7 of the job JSON is jobprocstatus (always 0)', async () => {
    const lab = await testLab({ speed: 10_000, version: '4.21.0.0' });
    await openPort(lab);
    void lab.exec('mgmt1', `cloudstack-sysvmadm -u cloud -p ${lab.dbPassword} -s > /root/s.log 2>&1 &`);
    await waitFor(() => lab.state().jobs.length === 1 && lab.state().jobs[0]!.status === 1, 'the SSVM stop job');
    await new Promise((r) => setTimeout(r, 200));
    expect(lab.state().jobs).to.have.length(1);
    expect(lab.state().sysvmadmRuns[0]!.state).to.equal('running');
  });
});
