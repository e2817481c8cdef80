// Resume reattaches to CloudStack async jobs that were in flight when the runner died, by job id,
// instead of submitting them again: nothing is stopped or rebooted twice. Runs the built CLI against a
// lab that lives in this process, so the lab survives the runner's SIGKILL.

import { expect } from 'chai';
import { spawn, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab } from '../../src/lab/index.js';
import { BIN, REPO_ROOT } from '../support/paths.js';

describe('resume: in-flight CloudStack jobs are reattached, not resubmitted', function () {
  this.timeout(90_000);
  let lab: Lab;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-resume-jobs-'));
    // slow enough that the stop job is still running when the runner is killed
    lab = await startLab({ address: '127.0.0.71', speed: 4, stateDir: join(dir, 'lab'), config: { preset: 'classic' } });
  });
  after(async () => {
    await lab?.stop();
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL while stopSystemVm runs; resume waits for the same job and finishes', async () => {
    const pb = join(dir, 'pb.yml');
    writeFileSync(pb, [
      'name: stop one system VM', 'plays:', '  - name: p', '    hosts: mgmt1', '    steps:',
      '      - name: find the SSVM',
      '        cloudstack: {command: listSystemVms, params: {systemvmtype: secondarystoragevm}}',
      '        register: sv',
      '      - name: stop it',
      "        cloudstack: {command: stopSystemVm, params: {id: \"{{lookup (first sv.items) 'id'}}\"}}",
      '      - name: after', '        log: done',
    ].join('\n'));
    const journal = join(dir, 'runs');
    const env = { ...process.env, NO_COLOR: '1', HOME: dir, SSH_AUTH_SOCK: '' };
    const child = spawn(process.execPath, [BIN, 'run', pb, '-i', lab.inventoryPath, '--journal-dir', journal, '-o', 'json'], { cwd: REPO_ROOT, env });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error(`no job submitted: ${out}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/job [0-9a-f-]+ (submitted|running)/.test(out)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const stops = () => lab.state().jobs.filter((j) => j.command === 'stopSystemVm');
    expect(stops()).to.have.length(1);

    // not spawnSync: the lab lives in this process and must keep answering
    const res = await runAsync(process.execPath, [BIN, 'resume', '--journal-dir', journal, '-o', 'json'], { cwd: REPO_ROOT, env });
    expect(res.status, res.stderr + res.stdout.slice(-2000)).to.equal(0);
    expect(res.stdout).to.include('reattaching to job');
    expect(stops(), 'the stop job was not submitted a second time').to.have.length(1);
    const ssvm = lab.state().systemVms.find((v) => v['name'] === 's-1-VM');
    expect(ssvm?.['state']).to.equal('Stopped');
  });
});

function runAsync(cmd: string, args: string[], opts: SpawnOptions): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, opts);
    let stdout = '';
    let stderr = '';
    c.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
