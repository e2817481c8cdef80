// The live task list in a real pseudo-terminal (script(1)): titles stay whole whatever size the
// terminal reports, including a pty nobody sized (0 columns), and the recap follows the list.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../support/paths.js';
import { requireTool } from '../support/require-tool.js';
import { inPty as inPtyLive, plainText, screenShows } from './pty.js';

const SCRIPT = '/usr/bin/script';
const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

function inPty(cols: number, args: readonly string[], env: Record<string, string> = {}): { status: number | null; text: string } {
  const cmd = `stty cols ${cols} rows 30; ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  const r = spawnSync(SCRIPT, ['-qfec', cmd, '/dev/null'], {
    cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', CI: '', TERM: 'xterm-256color', COLUMNS: '', ...env },
  });
  // eslint-disable-next-line no-control-regex
  const text = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  return { status: r.status, text };
}

/** Lines of at most two visible characters in a row: a title broken up character by character. */
function longestRunOfTinyLines(text: string): number {
  let best = 0;
  let run = 0;
  for (const line of text.split('\n')) {
    run = line.trim().length > 0 && line.trim().length <= 2 ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

describe('task list in a pseudo-terminal', function () {
  this.timeout(60_000);
  before(function () {
    requireTool(this, existsSync(SCRIPT), 'script(1) from bsdutils');
  });

  for (const cols of [0, 100]) {
    it(`keeps titles whole on a terminal that reports ${cols} columns`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'stackplay-tasklist-'));
      const { status, text } = inPty(cols, ['run', 'playbooks/examples/hello.yml', '-o', 'tasklist', '--journal-dir', join(dir, 'runs')]);
      rmSync(dir, { recursive: true, force: true });
      expect(status, text).to.equal(0);
      expect(text).to.include('Tour of the DSL');
      expect(text).to.include('RECAP');
      expect(longestRunOfTinyLines(text), text).to.be.below(3);
    });
  }

  it('a failing step stays visible with its message after the list collapses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-tasklist-'));
    const pb = join(dir, 'pb.yml');
    writeFileSync(pb, ['name: t', 'plays:', '  - name: Some play', '    hosts: localhost', '    steps:',
      '      - {name: Fine step, log: fine}', '      - {name: Broken step, fail: the disk is full}', '      - {name: Never, log: x}'].join('\n'));
    try {
      const { status, text } = inPty(100, ['run', pb, '-o', 'tasklist', '--journal-dir', join(dir, 'runs')]);
      expect(status, text).to.equal(1);
      const after = text.slice(text.lastIndexOf('Some play'));
      expect(after).to.include('Broken step');
      expect(after).to.include('the disk is full');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a long silent step shows its elapsed time while it runs (the list never looks frozen)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-tasklist-'));
    const pb = join(dir, 'pb.yml');
    writeFileSync(pb, ['name: t', 'plays:', '  - name: Some play', '    hosts: localhost', '    steps:',
      '      - {name: Sleep a while, local: "sleep 3.5"}', '      - {name: Then this, log: x}'].join('\n'));
    try {
      const { status, text } = inPty(100, ['run', pb, '-o', 'tasklist', '--journal-dir', join(dir, 'runs')]);
      expect(status, text).to.equal(0);
      // running frames put the time right after the title; the finished line has its [changed] mark first
      const shown = new Set([...text.matchAll(/Sleep a while (\d+(?:\.\d+)?s)/g)].map((m) => m[1]));
      expect(shown.size, text).to.be.at.least(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // listr2 listens to a task's output from the first frame that draws the task: a line given before
  // (a step's progress given as it starts) was lost, and a first step saying it once ("pausing 1m00s")
  // showed nothing while it ran
  it('draws the line a first step gives as it starts, before any frame drew the step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-tasklist-'));
    const pb = join(dir, 'pb.yml');
    writeFileSync(pb, ['name: t', 'plays:', '  - name: Some play', '    hosts: localhost', '    steps:',
      '      - {name: Wait a minute, pause: 1m}', '      - {name: Then this, log: x}'].join('\n'));
    const run = inPtyLive([process.execPath, BIN, 'run', pb, '-o', 'tasklist', '--journal-dir', join(dir, 'runs')], { cwd: REPO_ROOT, dir });
    try {
      await screenShows(run, 'localhost: pausing 1m00s');
    } finally {
      run.ctrlC();
      const { status } = await run.exited;
      rmSync(dir, { recursive: true, force: true });
      expect(status, plainText(run.raw())).to.equal(130);
    }
  });
});
