// The `confirm` step through the built CLI: in a real terminal (script(1)) "yes" goes on, anything else,
// a time limit or Ctrl-C stops the run with its undo steps run; without a terminal nobody can answer,
// which is a no.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../support/paths.js';
import { inPty, plainText, type PtyRun } from './pty.js';

const playbook = (timeout: string): string => [
  'name: confirm', 'plays:', '  - name: p', '    hosts: localhost', '    steps:',
  '      - name: Open something', '        local: "echo opened"', '        undo: { name: Close it again, local: "echo closed-again" }',
  `      - name: Go on?`, `        confirm: { prompt: "About to reboot 23 routers", timeout: ${timeout} }`,
  '      - name: After', '        log: went-on', '',
].join('\n');

/** Resolves once the terminal shows `re` (event-driven: no sleeps). */
function shows(p: PtyRun, re: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (re.test(plainText(p.raw()))) {
        p.child.stdout.off('data', check);
        resolve();
      }
    };
    p.child.stdout.on('data', check);
    check();
  });
}

describe('cli: confirm', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-confirm-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const start = (timeout = '10m'): PtyRun => {
    writeFileSync(join(dir, 'pb.yml'), playbook(timeout));
    return inPty([process.execPath, BIN, 'run', join(dir, 'pb.yml'), '--journal-dir', join(dir, 'runs')], { cwd: REPO_ROOT, dir });
  };

  it('without a terminal nobody can answer: the step fails, the undo runs, exit 1', () => {
    writeFileSync(join(dir, 'pb.yml'), playbook('10m'));
    const r = spawnSync(process.execPath, [BIN, 'run', join(dir, 'pb.yml'), '-o', 'plain', '--journal-dir', join(dir, 'runs')], { cwd: REPO_ROOT, encoding: 'utf8', input: '', timeout: 60_000 });
    expect(r.status).to.equal(1);
    expect(r.stdout).to.include('no terminal to ask on: not confirmed');
    expect(r.stdout).to.include('closed-again');
    expect(r.stdout).not.to.include('went-on');
  });

  it('in a terminal, yes goes on', async () => {
    const p = start();
    await shows(p, /type yes and Enter/);
    p.child.stdin.write('yes\r');
    const { status } = await p.exited;
    expect(status).to.equal(0);
    expect(plainText(p.raw())).to.include('went-on');
  });

  it('in a terminal, any other answer stops the run and reverts, exit 1', async () => {
    const p = start();
    await shows(p, /type yes and Enter/);
    p.child.stdin.write('no\r');
    const { status } = await p.exited;
    expect(status).to.equal(1);
    const text = plainText(p.raw());
    expect(text).to.include("answered 'no': not confirmed");
    expect(text).to.include('Close it again');
    expect(text).not.to.include('went-on');
  });

  it('no answer within the time limit is a no', async () => {
    const p = start('1s');
    const { status } = await p.exited;
    expect(status).to.equal(1);
    expect(plainText(p.raw())).to.include('no answer within 1.0s: not confirmed');
  });

  it('Ctrl-C while it waits stops the run, reverts, exit 130', async () => {
    const p = start();
    await shows(p, /type yes and Enter/);
    p.ctrlC();
    const { status } = await p.exited;
    expect(status).to.equal(130);
    const text = plainText(p.raw());
    expect(text).to.include('interrupted while waiting for an answer');
    expect(text).to.include('Close it again');
  });

  it('--step asks before each write step: no skips it, continue stops the asking', async () => {
    writeFileSync(join(dir, 'pb.yml'), playbook('10m').replace(/      - name: Go on\?\n.*\n/, '      - {name: Second, local: "echo second-ran"}\n      - {name: Third, local: "echo third-ran"}\n'));
    const p = inPty([process.execPath, BIN, 'run', join(dir, 'pb.yml'), '--step', '--journal-dir', join(dir, 'runs')], { cwd: REPO_ROOT, dir });
    await shows(p, /run 'Open something' on localhost\?/);
    p.child.stdin.write('n\r');
    await shows(p, /run 'Second' on localhost\?/);
    p.child.stdin.write('c\r');
    const { status } = await p.exited;
    expect(status).to.equal(0);
    const text = plainText(p.raw());
    expect(text).to.include('skipped by the operator (--step)');
    expect(text).to.include('second-ran');
    expect(text).to.include('third-ran');
    expect(text).not.to.include("run 'Third'");
  });

  it('--step never asks before an undo step: the revert of a step the operator let run runs unasked', async () => {
    writeFileSync(join(dir, 'pb.yml'), playbook('10m').replace(/      - name: Go on\?\n.*\n/, '      - {name: Second, local: "echo second-ran"}\n'));
    const p = inPty([process.execPath, BIN, 'run', join(dir, 'pb.yml'), '--step', '--journal-dir', join(dir, 'runs')], { cwd: REPO_ROOT, dir });
    await shows(p, /run 'Open something' on localhost\?/);
    p.child.stdin.write('y\r');
    await shows(p, /run 'Second' on localhost\?/);
    p.child.stdin.write('y\r');
    // still asking when the undo comes: a question before it would leave the run waiting for an answer
    const asked = shows(p, /run 'Close it again' on localhost\?/).then(() => 'asked before the undo step' as const);
    const first = await Promise.race([p.exited, asked]);
    if (first === 'asked before the undo step') p.child.stdin.write('\x03');
    expect(first, plainText(p.raw())).not.to.equal('asked before the undo step');
    const { status } = await p.exited;
    const text = plainText(p.raw());
    expect(status, text).to.equal(0);
    expect(text).to.include('opened').and.include('second-ran').and.include('closed-again');
    expect(text).not.to.include("run 'Close it again'");
  });

  it('--step without a terminal is refused before anything runs', () => {
    writeFileSync(join(dir, 'pb.yml'), playbook('10m'));
    const r = spawnSync(process.execPath, [BIN, 'run', join(dir, 'pb.yml'), '--step', '--journal-dir', join(dir, 'runs')], { cwd: REPO_ROOT, encoding: 'utf8', input: '', timeout: 60_000 });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include('--step asks before each write step: it needs a terminal');
    expect(r.stdout).not.to.include('opened');
  });
});
