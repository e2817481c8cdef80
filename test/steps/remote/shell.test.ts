import { expect } from 'chai';
import { requireTool } from '../../support/require-tool.js';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildCommand } from '../../../src/steps/remote/command.js';
import { gone, playbook, scratch, SshWorld } from './harness.js';

const hasSudo = existsSync('/usr/bin/sudo');

describe('shell step over SSH (OpenSSH sshd on loopback)', function () {
  this.timeout(30_000);
  let world: SshWorld;
  let tmp: ReturnType<typeof scratch>;
  before(async () => {
    world = await SshWorld.start();
  });
  after(async () => world.stop());
  beforeEach(() => {
    tmp = scratch();
  });
  afterEach(() => tmp.remove());

  it('streams output lines as they come and registers rc, stdout, stderr and lines', async () => {
    const inv = world.inventory({ h1: { address: '127.0.0.2' } });
    const r = await world.run(playbook(`
      - name: run
        shell: "echo one; echo two >&2; printf 'three\\nfour'"
        register: out
      - {name: show, log: "{{json out}}"}`), inv);
    expect(r.end('run').status).to.equal('changed');
    const out = r.logged('show');
    expect(out['rc']).to.equal(0);
    expect(out['stdout']).to.equal('one\nthree\nfour');
    expect(out['stderr']).to.equal('two');
    expect(out['lines']).to.deep.equal(['one', 'three', 'four']);
    const streamed = r.events.filter((e) => e.type === 'step-output' && e.host === 'h1' && e.stepId === r.end('run').stepId);
    expect(streamed.map((e) => (e.type === 'step-output' ? `${e.stream}:${e.line}` : ''))).to.have.members(['stdout:one', 'stderr:two', 'stdout:three', 'stdout:four']);
  });

  it('emits a line before the command has finished (streaming, not buffered)', async () => {
    const flag = join(tmp.dir, 'flag');
    const inv = world.inventory({ h1: {} });
    // The command waits until the test sees its first line and creates the flag file.
    const r = await world.run(playbook(`
      - name: slow
        shell: "echo first; i=0; while [ ! -e ${flag} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; echo second $i"`), inv, {
      onEvent: (e) => {
        if (e.type === 'step-output' && e.line === 'first') writeFileSync(flag, 'x');
      },
    });
    const lines = r.outputs('h1');
    expect(lines[0]).to.equal('first');
    expect(lines[1]).to.match(/^second \d+$/);
    expect(Number(lines[1]!.split(' ')[1])).to.be.lessThan(200);
  });

  it('passes stdin, env and cwd to the command', async () => {
    const inv = world.inventory({ h1: {} });
    const r = await world.run(playbook(`
      - name: run
        shell:
          command: "cat; echo \\"$GREETING $OTHER\\"; pwd"
          stdin: "from stdin\\n"
          env: {GREETING: "it's", OTHER: "a $value"}
          cwd: ${tmp.dir}
        register: out
      - {name: show, log: "{{json out.lines}}"}`), inv);
    expect(r.logged('show')).to.deep.equal(['from stdin', "it's a $value", tmp.dir]);
  });

  it('quotes values with the quote helper so they stay one argument', async () => {
    const inv = world.inventory({ h1: {} });
    const r = await world.run(playbook(`
      - name: run
        shell: "printf '[%s]\\n' {{quote weird}}"
        register: out
      - {name: show, log: "{{out.stdout}}"}`, 'all', `      weird: "a b; echo pwned 'x'"`), inv);
    expect(r.end('show').msg).to.equal("[a b; echo pwned 'x']");
  });

  it('fails on a non-zero exit code with the last line, and accepts codes listed in ok_codes', async () => {
    const inv = world.inventory({ h1: {} });
    const r = await world.run(playbook(`
      - name: grep miss
        shell: {command: "echo no match >&2; exit 1", ok_codes: [0, 1]}
        register: g
      - {name: show, log: "{{g.rc}}"}
      - name: boom
        shell: "echo detail >&2; exit 3"`), inv);
    expect(r.end('grep miss').status).to.equal('changed');
    expect(r.end('show').msg).to.equal('1');
    expect(r.end('boom').status).to.equal('failed');
    expect(r.end('boom').msg).to.equal('exit code 3: detail');
  });

  it('skips with creates/removes, evaluated on the host', async () => {
    const there = join(tmp.dir, 'there');
    writeFileSync(there, '');
    const marker = join(tmp.dir, 'ran');
    const inv = world.inventory({ h1: {} });
    const r = await world.run(playbook(`
      - {name: c, shell: {command: "touch ${marker}-c", creates: ${there}}}
      - {name: r, shell: {command: "touch ${marker}-r", removes: ${join(tmp.dir, 'absent')}}}
      - {name: go, shell: {command: "touch ${marker}-go", creates: ${join(tmp.dir, 'absent')}, removes: ${there}}}
      - {name: rel, shell: {command: "touch ${marker}-rel", cwd: ${tmp.dir}, creates: there}}`), inv);
    expect(r.end('c').status).to.equal('ok');
    expect(r.end('c').msg).to.equal(`skipped: ${there} exists`);
    expect(r.end('r').status).to.equal('ok');
    expect(r.end('go').status).to.equal('changed');
    expect(existsSync(`${marker}-c`)).to.equal(false);
    expect(existsSync(`${marker}-r`)).to.equal(false);
    expect(existsSync(`${marker}-go`)).to.equal(true);
    expect(r.end('rel').msg).to.equal('skipped: there exists');
    expect(existsSync(`${marker}-rel`)).to.equal(false);
  });

  it('dry run shows the rendered command, evaluates creates live and runs nothing', async () => {
    const marker = join(tmp.dir, 'm');
    const inv = world.inventory({ h1: {} });
    const r = await world.run(playbook(`
      - {name: would, shell: "touch {{quote f}}", register: w}
      - {name: skip, shell: {command: "touch ${marker}", creates: /}}
      - {name: later, log: "rc {{w.rc}}", when: "w.rc == 0"}`, 'all', `      f: ${marker}`), inv, { dryRun: true });
    expect(r.end('would').status).to.equal('changed');
    expect(r.end('would').plan).to.equal(`would run on h1: touch '${marker}'`);
    expect(r.end('skip').status).to.equal('ok');
    expect(r.end('skip').plan).to.equal('skipped: / exists');
    expect(r.end('later').status).to.equal('unknown');
    expect(existsSync(marker)).to.equal(false);
  });

  it('a step timeout fails the step and stops the remote command', async () => {
    const tag = `stackplay-timeout-${process.pid}-${Date.now()}`;
    const inv = world.inventory({ h1: {} });
    const r = await world.run(playbook(`
      - name: slow
        shell: "exec -a ${tag} sleep 60"
        timeout: 0.5
        ignore_errors: true
      - {name: next, shell: "true"}`), inv);
    expect(r.end('slow').status).to.equal('failed');
    expect(r.end('slow').msg).to.match(/timed out/);
    expect(await gone(tag), 'the remote sleep was killed').to.equal(true);
  });

  it('runs the same step on many hosts (127.0.0.2, 127.0.0.3, …) each on its own connection', async () => {
    const inv = world.inventory({ a: { address: '127.0.0.1' }, b: { address: '127.0.0.2' }, c: { address: '127.0.0.3' } });
    const r = await world.run(playbook(`
      - name: who
        shell: "echo $SSH_CONNECTION"
        register: w
      - {name: show, log: "{{w.stdout}}"}`), inv);
    for (const [h, a] of [['a', '127.0.0.1'], ['b', '127.0.0.2'], ['c', '127.0.0.3']] as const) {
      expect(r.end('who', h).status).to.equal('changed');
      expect(r.end('show', h).msg!.split(' ')[2]).to.equal(a);
    }
  });

  describe('become', () => {
    before(function () {
      requireTool(this, hasSudo, 'sudo');
    });

    it('runs the command as another user through sudo, with env and cwd inside sudo', async () => {
      const inv = world.inventory({ h1: {} });
      const r = await world.run(playbook(`
        - name: as nobody
          shell: {command: 'echo "$(id -un) $X $(pwd)"', become: true, become_user: nobody, env: {X: kept}, cwd: /}
          register: w
        - {name: show, log: "{{w.stdout}}"}`), inv);
      expect(r.end('show').msg).to.equal('nobody kept /');
    });

    it('sends the become password on stdin, never on argv, and keeps the command\'s own stdin', async () => {
      // A fake sudo first on PATH: -n fails (a password is needed), -S checks the first stdin line.
      const bin = join(tmp.dir, 'bin');
      mkdirSync(bin);
      const argvLog = join(tmp.dir, 'argv.log');
      writeFileSync(join(bin, 'sudo'), [
        '#!/bin/sh',
        `echo "$*" >> ${argvLog}`,
        'case " $* " in *" -n "*) echo "sudo: a password is required" >&2; exit 1;; esac',
        'IFS= read -r pw',
        '[ "$pw" = "pa55-w0rd-x" ] || { echo "Sorry, try again." >&2; exit 1; }',
        'while [ "$1" != "--" ]; do shift; done; shift; exec "$@"',
      ].join('\n'));
      chmodSync(join(bin, 'sudo'), 0o755);
      const built = buildCommand({ command: 'cat; echo "as $X"', stdin: 'payload\n', become: true, env: { X: 'y' } }, 'pa55-w0rd-x');
      expect(built.command).to.not.include('pa55-w0rd-x');
      expect(built.stdin).to.equal('pa55-w0rd-x\npayload\n');
      const conn = await world.transport(world.inventory({ h1: {} }), 'h1');
      try {
        const res = await conn.transport.exec(built.command, { stdin: built.stdin!, env: { PATH: `${bin}:/usr/bin:/bin` } });
        expect(res.stderr).to.equal('');
        expect(res.stdout).to.equal('payload\nas y\n');
        const wrong = buildCommand({ command: 'cat', become: true }, 'not-it');
        const bad = await conn.transport.exec(wrong.command, { stdin: wrong.stdin!, env: { PATH: `${bin}:/usr/bin:/bin` } });
        expect(bad.rc).to.equal(1);
        expect(bad.stderr).to.include('Sorry, try again.');
      } finally {
        await conn.close();
      }
      const argv = readFileSync(argvLog, 'utf8');
      expect(argv).to.include('-S');
      expect(argv).to.not.include('pa55-w0rd-x');
    });

    it('with a password sudo does not need (root), the command still gets only its own stdin', async () => {
      const inv = world.inventory({ h1: { extra: '    become_password: {secret: "unused-pass-123"}' } });
      const r = await world.run(playbook(`
        - name: real
          shell: {command: "cat; id -u", stdin: "payload\\n", become: true}
          register: w
        - {name: show, log: "{{json w.lines}}"}`), inv);
      expect(r.end('real').status).to.equal('changed');
      expect(r.logged('show')).to.deep.equal(['payload', '0']);
      expect(JSON.stringify(r.events)).to.not.include('unused-pass-123');
    });
  });
});
