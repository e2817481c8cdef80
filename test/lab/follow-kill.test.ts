// `follow` against a lab host as against OpenSSH: a command that never ends (sysvmadm's partial-batch
// hang) is killed through the pid file when the step's timeout runs out, with everything it started;
// and a kill from the host's own shell ends an emulated sysvmadm with 143, its subshells included.

import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, type Lab } from '../../src/lab/index.js';
import { playbook, runPlaybookText } from '../steps/remote/harness.js';
import { freePort, ok, stopLabs, testLab, waitFor } from './helpers.js';

describe('lab hosts: follow and kill', function () {
  this.timeout(60_000);
  let home: string;
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'stackplay-labfollow-'))));
  afterEach(async () => {
    await stopLabs();
    rmSync(home, { recursive: true, force: true });
  });

  async function openPort(lab: Lab): Promise<void> {
    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(await freePort()) });
    await lab.restartManagementServer();
  }

  it('a follow timeout kills the remote command and its subshells through the pid file', async () => {
    const lab = await testLab({ ssh: true, speed: 2000 });
    await openPort(lab);
    const r = await runPlaybookText(playbook(`
      - name: sysvmadm
        follow:
          command: "cloudstack-sysvmadm -u {{cloudstack_db.user}} -p {{quote cloudstack_db.password}} -r -t 4"
          log: /root/hang.log
          timeout: 2s
        ignore_errors: true`, 'mgmt1'), readFileSync(lab.inventoryPath, 'utf8'), { dir: home, knownHosts: join(home, 'known_hosts') });
    const end = r.end('sysvmadm');
    expect(end.status).to.equal('failed');
    expect(end.msg).to.match(/^timed out after 2.0s; stopped the remote command \(pid \d+\)$/);
    const pid = /pid (\d+)/.exec(end.msg ?? '')![1]!;
    expect((await lab.exec('mgmt1', `kill -0 ${pid}`)).code).to.equal(1);
    expect((await lab.exec('mgmt1', 'pgrep -f cloudstack-sysvmadm')).code).to.equal(1);
    expect((await lab.exec('mgmt1', 'test -e /root/hang.log.rc')).code).to.equal(1);
    await waitFor(() => lab.state().sysvmadmRuns[0]?.state === 'done', 'the sysvmadm run to end');
    expect(lab.state().sysvmadmRuns[0]!.exitCode).to.equal(143);
    expect((await lab.exec('mgmt1', 'cat /root/hang.log')).stdout).to.equal('\nStopping and starting 6 running routing vm(s)... \n');
  });

  it('kill of the script alone leaves its router subshells to finish their jobs', async () => {
    const lab = await testLab({ clock: new ManualClock() });
    const until = async (done: () => boolean | Promise<boolean>, what: string): Promise<void> => {
      for (let i = 0; !(await done()); i++) {
        if (i > 5_000) throw new Error(`lab time ran out waiting for ${what}`);
        await lab.advance(1_000);
      }
    };
    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(await freePort()) });
    await lab.restartManagementServer({ wait: false });
    await until(() => lab.state().managementServer.integrationPort.listening === true, 'the integration port');
    await lab.exec('mgmt1', `cloudstack-sysvmadm -u cloud -p ${lab.dbPassword} -r -t 4 > /root/o 2>&1 &`);
    await until(() => lab.state().jobs.length === 4, 'the first batch of router jobs');
    const ps = (await lab.exec('mgmt1', 'pgrep -f cloudstack-sysvmadm')).stdout.trim().split('\n').map(Number).sort((a, b) => a - b);
    expect(ps).to.have.length(5); // the script and the four subshells of its first batch
    expect((await lab.exec('mgmt1', `kill ${ps[0]!}`)).code).to.equal(0);
    await until(() => lab.state().sysvmadmRuns[0]?.state === 'done', 'the script to end');
    expect(lab.state().sysvmadmRuns[0]!.exitCode).to.equal(143);
    // the orphaned subshells poll on until their jobs are done, then log and exit; no second batch
    await until(async () => (await lab.exec('mgmt1', 'pgrep -f cloudstack-sysvmadm')).code === 1, 'the subshells to finish');
    expect(lab.state().jobs.map((j) => j.status)).to.deep.equal([1, 1, 1, 1]);
    expect((await lab.exec('mgmt1', 'grep -c "INFO: Successfully restarted domainRouter" cloud.log')).stdout).to.equal('4\n');
  });
});
