// The dead-man switch is armed on the host before the step runs and disarmed before the undo runs.
// Here the host is the local machine with stand-ins for systemd-run/systemctl that log their argv.

import { expect } from 'chai';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { runYaml, play } from '../support/run-yaml.js';

describe('executor: dead-man switch', () => {
  let dir: string;
  let oldPath: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-deadman-'));
    for (const tool of ['systemd-run', 'systemctl']) {
      const p = join(dir, tool);
      writeFileSync(p, `#!/bin/sh\necho "${tool} $*" >> ${dir}/calls\n`);
      chmodSync(p, 0o755);
    }
    oldPath = process.env.PATH;
    process.env.PATH = `${dir}:${oldPath}`;
  });
  afterEach(() => {
    process.env.PATH = oldPath;
    rmSync(dir, { recursive: true, force: true });
  });

  it('arms before the step, disarms only after the undo succeeded', async () => {
    const { events, summary } = await runYaml(play(`
      - name: open port
        local: "echo step >> ${'$D'}/calls"
        undo:
          name: close port
          local: "echo undo >> ${'$D'}/calls"
          deadman: {after: 30m, command: "echo closing port 8096"}`.replace(/\$D/g, '__D__')).replace(/__D__/g, dir));
    expect(summary.exitCode).to.equal(0);
    const calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
    expect(calls[0]).to.match(/^systemd-run --on-active=1800s --unit=stackplay-deadman-test-u1 \/bin\/sh -c /);
    expect(calls[0]).to.include('echo closing port 8096');
    expect(calls.slice(1)).to.deep.equal(['step', 'undo', 'systemctl stop stackplay-deadman-test-u1.timer']);
    expect(events.some((e) => e.type === 'step-progress' && e.message.includes('dead-man timer armed'))).to.equal(true);
  });

  it('leaves the timer armed when the undo fails (the safety net stays)', async () => {
    const { summary } = await runYaml(play(`
      - name: open port
        local: "true"
        undo:
          name: close port
          fail: the API is down
          deadman: {after: 30m, command: "echo closing"}`));
    expect(summary.exitCode).to.equal(1);
    const calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
    expect(calls).to.have.length(1);
    expect(calls[0]).to.match(/^systemd-run /);
  });

  it('does not arm anything in a dry run', async () => {
    await runYaml(play(`
      - name: open port
        local: "true"
        undo:
          name: close port
          log: closing
          deadman: {after: 1m, command: "echo x"}`), { dryRun: true });
    expect(() => readFileSync(join(dir, 'calls'), 'utf8')).to.throw();
  });

  it('a step whose dead-man timer cannot be armed does not run', async () => {
    writeFileSync(join(dir, 'systemd-run'), '#!/bin/sh\necho "Failed to start transient timer unit" >&2\nexit 1\n');
    const { ends, summary } = await runYaml(play(`
      - name: open port
        local: "echo step >> ${dir}/calls"
        undo:
          name: close port
          log: closing
          deadman: {after: 1m, command: "echo x"}`));
    expect(summary.exitCode).to.equal(1);
    expect(ends('open port')[0]!.msg).to.include('cannot arm the dead-man timer');
    expect(() => readFileSync(join(dir, 'calls'), 'utf8')).to.throw();
  });
});
