// Signals under the live task list, in a real pseudo-terminal: Ctrl-C typed into the terminal (and
// SIGTERM, SIGHUP) stops the run, shows the revert and exits 130 — listr2's own SIGINT handler used to
// exit 127 at once, skipping every undo. A second Ctrl-C says what is still being reverted; a third
// leaves at once and the journal lets `stackplay recover` finish the revert.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../support/paths.js';
import { requireTool } from '../support/require-tool.js';
import { inPty, lastScreen, plainText, screenShows, SCRIPT, type PtyRun } from './pty.js';

describe('task list: signals in a pseudo-terminal', function () {
  this.timeout(90_000);
  let dir: string;
  let door: string;
  let journal: string;
  before(function () {
    requireTool(this, existsSync(SCRIPT), 'script(1) from bsdutils');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stackplay-tty-signals-'));
    door = join(dir, 'door');
    journal = join(dir, 'runs');
  });
  // a test that failed half-way must not leave its runner behind (waiting for a file that never comes)
  const started: PtyRun[] = [];
  afterEach(() => {
    for (const run of started.splice(0)) {
      try {
        process.kill(run.pid(), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** A playbook that opens a door (undo closes it, after `undoWait` holds), then works for a minute. */
  function playbook(undoWait = 'true'): string {
    const pb = join(dir, 'pb.yml');
    writeFileSync(pb, [
      'name: door', 'plays:', '  - name: Work with a door', '    hosts: localhost', '    steps:',
      '      - name: open the door', `        local: "echo open > ${door}"`,
      '        undo:', '          name: close the door', `          local: "${undoWait}; echo closed > ${door}"`,
      '      - {name: long work, pause: 60s}', '      - {name: never, log: x}',
    ].join('\n'));
    return pb;
  }
  const start = (pb: string): PtyRun => {
    const run = inPty([process.execPath, BIN, 'run', pb, '--journal-dir', journal], { cwd: REPO_ROOT, dir });
    started.push(run);
    return run;
  };

  // Ctrl-C typed into the terminal goes to the foreground process group, as for an operator; SIGTERM
  // (a service manager) and SIGHUP (the operator's SSH session dropped) are sent to the runner itself.
  for (const sig of ['Ctrl-C', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${sig} under the task list: the revert is shown, the undo runs, exit 130`, async () => {
      const run = start(playbook());
      await screenShows(run, 'pausing 1m00s');
      if (sig === 'Ctrl-C') run.ctrlC();
      else process.kill(run.pid(), sig);
      const { status } = await run.exited;
      const screen = lastScreen(run.raw());
      expect(status, screen).to.equal(130);
      expect(readFileSync(door, 'utf8').trim()).to.equal('closed');
      expect(screen).to.include('undo (reverting changes)');
      expect(screen).to.match(/✔ close the door/);
      expect(screen).to.include('Run interrupted');
    });
  }

  it('the live list during the revert: a block is not drawn done and green while the step interrupted in it is still stopping', async () => {
    const pb = join(dir, 'pb.yml');
    writeFileSync(pb, [
      'name: door', 'plays:', '  - name: Work with a door', '    hosts: localhost', '    steps:', '      - name: In a block', '        block:',
      '          - name: open the door', `            local: "echo open > ${door}"`,
      `            undo: {name: close the door, local: "sleep 1; echo closed > ${door}"}`,
      // a step that takes a moment to stop, as a remote command does
      '          - name: long work', `            local: "trap 'sleep 1; exit 1' TERM; echo working; sleep 60 & wait"`,
      '          - {name: never, log: x}',
    ].join('\n'));
    const run = start(pb);
    await screenShows(run, 'localhost: working');
    run.ctrlC();
    await screenShows(run, 'localhost: close the door');
    // the frames drawn while reverting (the last screen is not drawn yet)
    const live = plainText(run.raw()).slice(plainText(run.raw()).indexOf('^C'));
    expect(live, 'the block drawn as done and green while its step was still stopping').to.not.include('✔ In a block');
    expect(live).to.match(/✖ long work \[failed\][^\n]*\n\s+› localhost: aborted/);
    expect((await run.exited).status).to.equal(130);
  });

  it('one Ctrl-C delivered twice at once (npm exec forwarding the terminal\'s to its child) counts once', async () => {
    const run = start(playbook());
    await screenShows(run, 'pausing 1m00s');
    const pid = run.pid();
    process.kill(pid, 'SIGINT');
    process.kill(pid, 'SIGINT');
    const { status } = await run.exited;
    const text = plainText(run.raw());
    expect(status, text).to.equal(130);
    expect(text).to.not.include('SIGINT again');
    expect(readFileSync(door, 'utf8').trim()).to.equal('closed');
  });

  it('a second Ctrl-C names what is still reverted and how to leave; a third signal leaves, and recover finishes the revert', async () => {
    const release = join(dir, 'release');
    // (the loop also ends when the test's directory is gone: the forced exit leaves it running)
    const run = start(playbook(`while [ ! -e ${release} ] && [ -d ${dir} ]; do sleep 0.1; done`));
    await screenShows(run, 'pausing 1m00s');
    run.ctrlC();
    // the undo's own time on the list (shown from 1s on): the next Ctrl-C cannot be an echo of this one
    await screenShows(run, /localhost: close the door/);
    await screenShows(run, /undo \(revert changes\) \d/);
    run.ctrlC();
    await screenShows(run, /SIGINT again: reverting: 'close the door' \(undo\) on localhost; 1 undo obligation\s+still\s+open/);
    // the list wraps long lines at the terminal's width, anywhere: compare without white space
    const text = plainText(run.raw()).replace(/\s+/g, '');
    const runId = readdirSync(journal)[0]!.replace(/\.jsonl$/, '');
    expect(text).to.include(`pressCtrl-C(orsendSIGINT)oncemore`);
    expect(text).to.include(`'stackplayrecover${runId}'runsthemlater`);
    // the third as SIGTERM: a third Ctrl-C this soon after the second would count as its echo (see interrupt.ts)
    process.kill(run.pid(), 'SIGTERM');
    const { status } = await run.exited;
    const after = plainText(run.raw());
    expect(status, after.slice(-1500)).to.equal(130);
    expect(after).to.include('SIGTERM: forced exit.');
    expect(after.replace(/\s+/g, '')).to.include(`run'stackplayrecover${runId}'`);
    expect(readFileSync(door, 'utf8').trim(), 'the door is still open').to.equal('open');

    const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--journal-dir', journal], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(cli('runs').stdout).to.match(/forced exit\s+\S+\s+-\s+1/);
    writeFileSync(release, '');
    const rec = cli('recover', runId);
    expect(rec.status, rec.stdout + rec.stderr).to.equal(0);
    expect(readFileSync(door, 'utf8').trim()).to.equal('closed');
  });
});
