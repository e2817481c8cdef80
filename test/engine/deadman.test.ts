// The dead-man switch is armed on the host before the step runs and disarmed after the undo succeeded.
// Here the host is the local machine with stand-ins for systemd-run/systemctl that log their argv; the
// script the timer would run is real (a root-only file, here in a temporary STACKPLAY_DEADMAN_DIR).

import { expect } from 'chai';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { runYaml, play } from '../support/run-yaml.js';
import { deadmanScript } from '../../src/runtime/deadman.js';
import { DefaultRunServices } from '../../src/runtime/services.js';
import type { Inventory } from '../../src/inventory/types.js';
import type { SecretRegistry } from '../../src/secrets/masker.js';
import type { DeadmanTimer, ServiceAnswer } from '../../src/steps/types.js';
import type { RunJournalHooks } from '../../src/engine/undo.js';

describe('executor: dead-man switch', () => {
  let dir: string;
  let oldPath: string | undefined;
  let SCRIPT: string;
  let oldDir: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-deadman-'));
    oldDir = process.env.STACKPLAY_DEADMAN_DIR;
    process.env.STACKPLAY_DEADMAN_DIR = join(dir, 'scripts');
    SCRIPT = deadmanScript('stackplay-deadman-test-u1');
    for (const tool of ['systemd-run', 'systemctl']) {
      const p = join(dir, tool);
      writeFileSync(p, `#!/bin/sh\necho "${tool} $*" >> ${dir}/calls\n`);
      chmodSync(p, 0o755);
    }
    oldPath = process.env.PATH;
    process.env.PATH = `${dir}:${oldPath}`;
  });
  afterEach(() => {
    if (oldDir === undefined) delete process.env.STACKPLAY_DEADMAN_DIR;
    else process.env.STACKPLAY_DEADMAN_DIR = oldDir;
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
    expect(calls[0]).to.equal(`systemd-run --on-active=1800s --unit=stackplay-deadman-test-u1 /bin/sh ${SCRIPT}`);
    // the command (which may hold a password) is in the script, never on the unit's command line
    expect(calls[0]).to.not.include('echo closing port 8096');
    expect(calls.slice(1)).to.deep.equal(['step', 'undo', 'systemctl stop stackplay-deadman-test-u1.timer']);
    expect(existsSync(SCRIPT), 'disarming removes the script').to.equal(false);
    expect(events.some((e) => e.type === 'step-progress' && e.message.includes('dead-man timer armed'))).to.equal(true);
  });

  it("disarming a timer systemd does not know (journaled, never armed) is no failure; systemctl's other errors are", async () => {
    const pb = play(`
      - name: open port
        local: "true"
        undo:
          name: close port
          log: closing
          deadman: {after: 30m, command: "echo closing"}`);
    const warnings = (events: Array<{ type: string }>): string[] => events.filter((e): e is { type: 'warning'; message: string } => e.type === 'warning').map((e) => e.message);
    for (const [code, err, warned] of [[5, 'Failed to stop x.timer: Unit x.timer not loaded.', false], [1, 'Access denied', true]] as const) {
      writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\necho "${err}" >&2\nexit ${code}\n`);
      const { events, summary } = await runYaml(pb);
      expect(summary.exitCode, err).to.equal(0);
      expect(warnings(events).some((m) => m.includes('could not disarm')), err).to.equal(warned);
    }
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
    expect(readFileSync(SCRIPT, 'utf8')).to.include('\necho closing\n');
    expect(statSync(SCRIPT).mode & 0o077, 'only its owner may read the script').to.equal(0);
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
    expect(existsSync(SCRIPT), 'a timer that could not be armed leaves no script behind').to.equal(false);
    expect(() => readFileSync(join(dir, 'calls'), 'utf8')).to.throw();
  });

  it('two undo steps with a timer each get a unit and a script of their own', async () => {
    const { summary } = await runYaml(play(`
      - name: open port
        local: "true"
        undo:
          - {name: close port, log: closing, deadman: {after: 1m, command: "echo one"}}
          - {name: restart, log: restarting, deadman: {after: 2m, command: "echo two"}}`));
    expect(summary.exitCode).to.equal(0);
    const calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
    expect(calls.filter((c) => c.startsWith('systemd-run'))).to.deep.equal([
      `systemd-run --on-active=60s --unit=stackplay-deadman-test-u1 /bin/sh ${deadmanScript('stackplay-deadman-test-u1')}`,
      `systemd-run --on-active=120s --unit=stackplay-deadman-test-u1-2 /bin/sh ${deadmanScript('stackplay-deadman-test-u1-2')}`,
    ]);
    expect(calls.filter((c) => c.startsWith('systemctl'))).to.deep.equal([
      'systemctl stop stackplay-deadman-test-u1.timer', 'systemctl stop stackplay-deadman-test-u1-2.timer',
    ]);
  });
});

describe('executor: dead-man timers go through the run services', () => {
  /** The real services, with the timer calls recorded and answered by the test instead of systemd. */
  class TimerServices extends DefaultRunServices {
    readonly calls: string[] = [];
    constructor(inventory: Inventory, secrets: SecretRegistry, private readonly answer: ServiceAnswer) {
      super({ inventory, secrets });
    }
    override async armDeadman(host: string, timer: DeadmanTimer): Promise<ServiceAnswer> {
      this.calls.push(`arm ${host} ${timer.unit} ${timer.afterSeconds}s: ${timer.command}`);
      return this.answer;
    }
    override async disarmDeadman(host: string, unit: string): Promise<ServiceAnswer> {
      this.calls.push(`disarm ${host} ${unit}`);
      return this.answer;
    }
  }

  const playbook = play(`
      - name: open port
        local: "true"
        undo:
          name: close port
          log: closing
          deadman: {after: 90s, command: "echo {{inventory_hostname}} closes"}`);

  it('the engine names the timer and renders its command; the services arm and disarm it', async () => {
    let services: TimerServices | undefined;
    const { summary } = await runYaml(playbook, { services: (inv, secrets) => (services = new TimerServices(inv, secrets, { ok: true })) });
    expect(summary.exitCode).to.equal(0);
    expect(services!.calls).to.deep.equal([
      'arm localhost stackplay-deadman-test-u1 90s: echo localhost closes',
      'disarm localhost stackplay-deadman-test-u1',
    ]);
  });

  it("a timer the services refuse stops the step, with the services' reason", async () => {
    let services: TimerServices | undefined;
    const { ends, summary } = await runYaml(playbook, { services: (inv, secrets) => (services = new TimerServices(inv, secrets, { ok: false, reason: 'no systemd here' })) });
    expect(summary.exitCode).to.equal(1);
    expect(ends('open port')[0]!.msg).to.equal("cannot arm the dead-man timer on localhost (no systemd here); not running 'open port'");
    expect(services!.calls).to.have.length(1);
  });

  it('hosts: one timer per host, each journaled and disarmed; a host outside the inventory stops the step', async () => {
    const inventory = 'hosts:\n  ms1: { address: 127.0.0.1 }\n  ms2: { address: 127.0.0.1 }\ngroups:\n  management: { hosts: [ms1, ms2] }\n';
    const many = play(`
      - name: open port
        local: "true"
        undo:
          name: close port
          log: closing
          deadman: {after: 1m, hosts: "{{groups.management}}", command: "echo close"}`);
    let services: TimerServices | undefined;
    const { summary } = await runYaml(many, { inventory, services: (inv, secrets) => (services = new TimerServices(inv, secrets, { ok: true })) });
    expect(summary.exitCode).to.equal(0);
    expect(services!.calls).to.deep.equal([
      'arm ms1 stackplay-deadman-test-u1 60s: echo close',
      'arm ms2 stackplay-deadman-test-u1-2 60s: echo close',
      'disarm ms1 stackplay-deadman-test-u1',
      'disarm ms2 stackplay-deadman-test-u1-2',
    ]);
    const { ends, summary: bad } = await runYaml(many.replace('"{{groups.management}}"', '[ms1, nosuch]'), {
      inventory, services: (inv, secrets) => (services = new TimerServices(inv, secrets, { ok: true })),
    });
    expect(bad.exitCode).to.equal(1);
    expect(ends('open port')[0]!.msg).to.include("'nosuch' is not in the inventory");
    expect(services!.calls).to.deep.equal([]);
  });

  it('each timer is journaled before it is armed (a runner killed while the second is armed leaves none unknown to recover)', async () => {
    const inventory = 'hosts:\n  ms1: { address: 127.0.0.1 }\n  ms2: { address: 127.0.0.1 }\ngroups:\n  management: { hosts: [ms1, ms2] }\n';
    const order: string[] = [];
    const journal: RunJournalHooks = {
      obligationOpened: async () => undefined, obligationResult: async () => undefined, obligationDischarged: async () => undefined,
      deadmanArmed: (_o, host, unit) => void order.push(`journal ${host} ${unit}`),
    };
    class Ordered extends TimerServices {
      override async armDeadman(host: string, timer: DeadmanTimer): Promise<ServiceAnswer> {
        order.push(`arm ${host} ${timer.unit}`);
        return super.armDeadman(host, timer);
      }
    }
    const { summary } = await runYaml(play(`
      - name: open port
        local: "true"
        undo:
          name: close port
          log: closing
          deadman: {after: 1m, hosts: "{{groups.management}}", command: "echo close"}`), { inventory, journal, services: (inv, secrets) => new Ordered(inv, secrets, { ok: true }) });
    expect(summary.exitCode).to.equal(0);
    expect(order).to.deep.equal([
      'journal ms1 stackplay-deadman-test-u1', 'arm ms1 stackplay-deadman-test-u1',
      'journal ms2 stackplay-deadman-test-u1-2', 'arm ms2 stackplay-deadman-test-u1-2',
    ]);
  });
});
