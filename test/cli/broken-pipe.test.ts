// Output closed early (`stackplay run … | head`): the run goes on to its end without a stack trace,
// its undo steps still run, and the exit code is the run's own.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../support/paths.js';

interface Ended { readonly code: number | null; readonly stderr: string }

/** Runs the CLI and closes its stdout (or stderr too) as soon as the first output arrives, as `| head -1` does. */
function runClosingEarly(args: readonly string[], closeStderr = false): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stdout.once('data', () => {
      child.stdout.destroy();
      if (closeStderr) child.stderr.destroy();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('cli: output closed early', function () {
  this.timeout(60_000);
  let dir: string;
  let door: string;
  let pb: string;
  beforeEach(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-pipe-'));
    door = join(dir, 'door');
    pb = join(dir, 'pb.yml');
    // plenty of output after the first line, a failure, and an undo that must still run
    writeFileSync(pb, [
      'name: pipe', 'plays:', '  - name: p', '    hosts: localhost', '    steps:',
      '      - name: open the door', `        local: "echo open > ${door}"`,
      `        undo: {name: close the door, local: "echo closed > ${door}"}`,
      '      - name: talk a lot', '        local: "seq 1 20000"',
      '      - name: then fail', '        fail: on purpose',
    ].join('\n'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const mode of ['plain', 'json'] as const) {
    it(`${mode}: no EPIPE stack, the undo runs, and the exit code is the run's (1: a step failed)`, async () => {
      const r = await runClosingEarly(['run', pb, '-o', mode, '--journal-dir', join(dir, 'runs')]);
      expect(r.stderr).to.not.match(/EPIPE|\n\s+at /);
      expect(r.code, r.stderr).to.equal(1);
      expect(readFileSync(door, 'utf8').trim()).to.equal('closed');
    });
  }

  it('stdout and stderr both closed: the run still ends as it would (exit 0 for a clean run)', async () => {
    const r = await runClosingEarly(['run', 'playbooks/examples/hello.yml', '-o', 'plain', '--journal-dir', join(dir, 'runs')], true);
    expect(r.code).to.equal(0);
  });
});
