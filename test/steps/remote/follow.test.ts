import { expect } from 'chai';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent } from '../../../src/engine/events.js';
import { gone, playbook, processesWith, scratch, SshWorld } from './harness.js';

// What cloudstack-sysvmadm -a prints (docs/cloudstack-facts.md §8.4), with one failure, and an exit code of 0.
const SYSVMADM = `#!/bin/sh
echo
echo "Stopping and starting 2 secondary storage vm(s)..."
echo "ERROR: Failed to stop secondary storage vm with id 11 "
echo "Done stopping and starting secondary storage vm(s)"
echo
echo "Stopping and starting 1 console proxy vm(s)..."
echo "Done stopping and starting console proxy vm(s) ."
echo
echo "Stopping and starting 3 running routing vm(s)... "
echo "Done restarting router(s). "
exit 0
`;

const RULES = `
          progress:
            - {pattern: 'Stopping and starting (?<total>\\d+) (?<kind>.+?) vm\\(s\\)', message: '{kind}: {total} vm(s)', phase: true}
            - {pattern: '^Done', message: 'done'}
          failure: '^ERROR:'
          success: ['Done restarting router']`;

type Output = Extract<RunEvent, { type: 'step-output' }>;

describe('follow step (detached command, log polling, reconnects)', function () {
  this.timeout(40_000);
  let world: SshWorld;
  let tmp: ReturnType<typeof scratch>;
  let inv: string;
  before(async () => {
    world = await SshWorld.start();
    inv = world.inventory({ h1: { address: '127.0.0.2' } });
  });
  after(async () => world.stop());
  beforeEach(() => {
    tmp = scratch();
  });
  afterEach(() => tmp.remove());

  it('follows a command to its end: every line streamed once, rc and lines registered', async () => {
    const flag = join(tmp.dir, 'flag');
    let sleeps = 0;
    const r = await world.run(playbook(`
      - name: run
        follow:
          command: "echo one; echo two >&2; printf 'hal'; while [ ! -e ${flag} ]; do sleep 0.02; done; printf 'f\\nlast'"
          log: ${tmp.dir}/run.log
          poll_interval: 1s
        register: f
      - {name: show, log: "{{json f}}"}`), inv, {
      onSleep: () => {
        if (++sleeps === 5) writeFileSync(flag, '');
      },
    });
    expect(r.end('run').status).to.equal('changed');
    const f = r.logged('show');
    expect(f['rc']).to.equal(0);
    expect(f['lines']).to.deep.equal(['one', 'two', 'half', 'last']);
    expect(f['log']).to.equal(`${tmp.dir}/run.log`);
    expect(f['pid']).to.be.a('number');
    const streamed = r.events.filter((e): e is Output => e.type === 'step-output' && e.stepId === r.end('run').stepId).map((e) => e.line);
    expect(streamed).to.deep.equal(['one', 'two', 'half', 'last']);
    expect(readFileSync(`${tmp.dir}/run.log.rc`, 'utf8')).to.equal('0\n');
  });

  it('fails on ERROR lines although the command exits 0, with progress, phases and counts', async () => {
    const script = join(tmp.dir, 'sysvmadm');
    writeFileSync(script, SYSVMADM, { mode: 0o755 });
    const r = await world.run(playbook(`
      - name: sysvmadm
        follow:
          command: ${script} -d db -u cloud -a
          log: ${tmp.dir}/sysvm.log${RULES}
        register: s
        ignore_errors: true
      - {name: show, log: "{{json s}}"}`), inv);
    expect(r.end('sysvmadm').status).to.equal('failed');
    expect(r.end('sysvmadm').msg).to.equal('1 failure line(s), first: ERROR: Failed to stop secondary storage vm with id 11 ');
    const s = r.logged('show');
    expect(s['rc']).to.equal(0);
    expect(s['failures']).to.deep.equal(['ERROR: Failed to stop secondary storage vm with id 11 ']);
    expect(s['counts']).to.deep.equal({ total: 6, failures: 1 });
    expect(s['phases']).to.deep.equal([
      { title: 'secondary storage: 2 vm(s)', counts: { total: 2 }, failed: 1 },
      { title: 'console proxy: 1 vm(s)', counts: { total: 1 }, failed: 0 },
      { title: 'running routing: 3 vm(s)', counts: { total: 3 }, failed: 0 },
    ]);
    const subtasks = r.events.filter((e) => e.type === 'subtask').map((e) => (e.type === 'subtask' ? `${e.id}:${e.status}` : ''));
    expect(subtasks).to.include.members(['phase-1:failed', 'phase-2:ok', 'phase-3:ok']);
    const progress = r.events.flatMap((e) => (e.type === 'step-progress' ? [e.message] : []));
    expect(progress).to.include('secondary storage: 2 vm(s)');
    expect(progress).to.include('console proxy: 1 vm(s): done');
  });

  it('succeeds when the output is clean, and fails when a success pattern never matched or the exit code is bad', async () => {
    const script = join(tmp.dir, 'sysvmadm');
    writeFileSync(script, SYSVMADM.replace(/^echo "ERROR.*$/m, ''), { mode: 0o755 });
    const r = await world.run(playbook(`
      - name: clean
        follow:
          command: ${script}
          log: ${tmp.dir}/a.log${RULES}
      - name: cut short
        follow: {command: "echo Stopping; exit 0 # an exit and a comment do not lose the exit code", log: "${tmp.dir}/b.log", success: 'Done restarting router'}
        ignore_errors: true
      - name: bad rc
        follow: {command: "echo oops; exit 4", log: "${tmp.dir}/c.log"}
        ignore_errors: true`), inv);
    expect(r.end('clean').status).to.equal('changed');
    expect(r.end('cut short').msg).to.equal('no line matched /Done restarting router/');
    expect(r.end('bad rc').msg).to.equal('exit code 4');
  });

  it('survives the connection dropping mid-follow: reconnects and resumes without repeating lines', async () => {
    const flag = join(tmp.dir, 'flag');
    let dropped = false;
    const r = await world.run(playbook(`
      - name: run
        follow:
          command: "for i in 1 2 3; do echo line$i; done; while [ ! -e ${flag} ]; do sleep 0.02; done; for i in 4 5 6; do echo line$i; done"
          log: ${tmp.dir}/run.log
        register: f
      - {name: show, log: "{{json f.lines}}"}`), inv, {
      onEvent: (e) => {
        if (e.type === 'step-output' && e.line === 'line3' && !dropped) {
          dropped = true;
          // sshd kills every session; the detached command (reparented away from sshd) keeps running.
          void world.server.dropConnections().then(() => writeFileSync(flag, ''));
        }
      },
    });
    expect(dropped).to.equal(true);
    expect(r.events.some((e) => e.type === 'warning' && /connection lost while following/.test(e.message))).to.equal(true);
    expect(r.end('run').status).to.equal('changed');
    expect(r.logged('show')).to.deep.equal(['line1', 'line2', 'line3', 'line4', 'line5', 'line6']);
  });

  it('on interrupt stops the remote command and everything it started', async () => {
    const tag = `300.${process.pid % 1000}${Date.now() % 100000}`;
    const ac = new AbortController();
    const r = await world.run(playbook(`
      - name: long
        follow: {command: "echo started; sleep ${tag}; echo never", log: "${tmp.dir}/long.log"}`), inv, {
      interrupt: ac.signal,
      onEvent: (e) => {
        if (e.type === 'step-output' && e.line === 'started') {
          expect(processesWith(tag).length, 'wrapper and sleep run').to.be.greaterThan(0);
          ac.abort();
        }
      },
    });
    expect(r.end('long').status).to.equal('failed');
    expect(r.end('long').msg).to.match(/^interrupted; stopped the remote command \(pid \d+\)$/);
    expect(await gone(tag)).to.equal(true);
  });

  it('runs and stops the command through sudo with become', async function () {
    if (!existsSync('/usr/bin/sudo')) this.skip();
    const tag = `304.${process.pid % 1000}${Date.now() % 100000}`;
    const ac = new AbortController();
    const r = await world.run(playbook(`
      - {name: who, follow: {command: "id -un; echo $X", env: {X: inside}, become: true, become_user: nobody, log: "/tmp/stackplay-f-${tag}.log"}, register: w}
      - {name: show, log: "{{json w.lines}}"}
      - name: long
        follow: {command: "echo started; sleep ${tag}", become: true, log: "${tmp.dir}/b.log"}`), inv, {
      interrupt: ac.signal,
      onEvent: (e) => {
        if (e.type === 'step-output' && e.line === 'started') ac.abort();
      },
    });
    for (const ext of ['', '.rc', '.pid']) rmSync(`/tmp/stackplay-f-${tag}.log${ext}`, { force: true });
    expect(r.logged('show')).to.deep.equal(['nobody', 'inside']);
    expect(r.end('long').msg).to.match(/^interrupted; stopped the remote command \(pid \d+\)$/);
    expect(await gone(tag)).to.equal(true);
  });

  it('on_interrupt: leave keeps the remote command running; a timeout is handled the same way', async () => {
    const tag = `301.${process.pid % 1000}${Date.now() % 100000}`;
    const r = await world.run(playbook(`
      - name: long
        follow: {command: "echo started; sleep ${tag}", log: "${tmp.dir}/long.log", timeout: 5s, on_interrupt: leave}
        ignore_errors: true
      - name: killed
        follow: {command: "sleep ${tag}1", log: "${tmp.dir}/k.log", timeout: 5s}
        ignore_errors: true`), inv);
    expect(r.end('long').status).to.equal('failed');
    expect(r.end('long').msg).to.equal(`timed out after 5.0s; the remote command keeps running (log ${tmp.dir}/long.log)`);
    try {
      expect(processesWith(`sleep ${tag}`).length).to.be.greaterThan(0);
    } finally {
      const pid = Number(readFileSync(`${tmp.dir}/long.log.pid`, 'utf8'));
      for (const p of [...processesWith(`sleep ${tag}`), pid]) try { process.kill(p); } catch { /* gone */ }
    }
    expect(r.end('killed').msg).to.match(/^timed out after 5\.0s; stopped the remote command/);
    expect(await gone(`sleep ${tag}1`)).to.equal(true);
  });

  it('fails when the command is killed behind its back (no exit code will ever come)', async () => {
    const tag = `303.${process.pid % 1000}${Date.now() % 100000}`;
    const r = await world.run(playbook(`
      - name: long
        follow: {command: "echo started; sleep ${tag}", log: "${tmp.dir}/k.log"}`), inv, {
      onEvent: (e) => {
        if (e.type === 'step-output' && e.line === 'started') for (const p of processesWith(tag)) process.kill(p, 'SIGKILL');
      },
    });
    expect(r.end('long').status).to.equal('failed');
    expect(r.end('long').msg).to.match(/^the command's wrapper \(pid \d+\) is gone without an exit code \(killed\?\); log /);
  });

  it('on the runner itself (localhost) stops the command without touching stackplay\'s own process group', async () => {
    const tag = `302.${process.pid % 1000}${Date.now() % 100000}`;
    const ac = new AbortController();
    const r = await world.run(playbook(`
      - name: long
        follow: {command: "echo started; sleep ${tag}", log: "${tmp.dir}/local.log"}`, 'localhost'), 'hosts: {}\n', {
      interrupt: ac.signal,
      onEvent: (e) => {
        if (e.type === 'step-output' && e.line === 'started') ac.abort();
      },
    });
    expect(r.end('long').msg).to.match(/^interrupted; stopped the remote command/);
    expect(await gone(tag)).to.equal(true);
  });

  it('dry run shows the command it would start and starts nothing', async () => {
    const r = await world.run(playbook(`
      - {name: run, follow: {command: "touch ${tmp.dir}/x", log: "${tmp.dir}/d.log"}}`), inv, { dryRun: true });
    expect(r.end('run').status).to.equal('changed');
    expect(r.end('run').plan).to.equal(`would start on h1, detached (output in ${tmp.dir}/d.log): touch ${tmp.dir}/x`);
    expect(existsSync(`${tmp.dir}/x`)).to.equal(false);
    expect(existsSync(`${tmp.dir}/d.log`)).to.equal(false);
  });

  it('follows on many hosts at once, each with its own default log', async () => {
    const many = world.inventory({ a: { address: '127.0.0.1' }, b: { address: '127.0.0.2' }, c: { address: '127.0.0.3' } });
    const r = await world.run(playbook(`
      - {name: run, follow: "echo from {{inventory_hostname}}; echo $SSH_CONNECTION | cut -d' ' -f3", register: f}
      - {name: show, log: "{{json f}}"}`), many);
    const logs = new Set<string>();
    for (const [h, a] of [['a', '127.0.0.1'], ['b', '127.0.0.2'], ['c', '127.0.0.3']] as const) {
      const f = r.logged('show', h);
      expect(f['lines']).to.deep.equal([`from ${h}`, a]);
      logs.add(String(f['log']));
    }
    expect(logs.size).to.equal(3);
    for (const l of logs) for (const ext of ['', '.rc', '.pid']) try { (await import('node:fs')).rmSync(l + ext); } catch { /* gone */ }
  });

  it('rejects a bad regex when the playbook is loaded', async () => {
    let err: Error | undefined;
    try {
      await world.run(playbook(`
      - {name: bad, follow: {command: "true", failure: '(unclosed'}}`), inv);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.include('invalid regular expression: missing closing )');
  });
});
