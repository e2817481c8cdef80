// The open-undo guard keys on what a run touches, not on file names or the working directory: after a
// run was killed with an undo step open, the same hosts are refused from another directory and with a
// copied (renamed) inventory; other hosts are not. Dry runs are journaled as dry runs: never refused,
// never counted as open, listed by `runs` and printed with their plan by `show`.

import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN } from '../support/paths.js';

describe('cli: the open-undo guard and dry runs in the journal', function () {
  this.timeout(60_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-guard-'));
    for (const d of ['a', 'b']) mkdirSync(join(dir, d));
    // every run journals into the default place of this "user": no --journal-dir anywhere below
    env = { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: join(dir, 'state'), HOME: dir };
    delete env['STACKPLAY_JOURNAL_DIR'];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const inventory = (file: string, name: string, address: string): string => {
    writeFileSync(file, `hosts:\n  ${name}: {address: ${address}}\n`);
    return file;
  };
  const playbook = (file: string, work: string): string => {
    writeFileSync(file, [
      'name: guarded', 'plays:', '  - name: p', '    hosts: all', '    steps:',
      '      - name: open the door', `        local: "echo open > ${join(dir, 'door')}"`,
      `        undo: {name: close the door, local: "echo closed > ${join(dir, 'door')}"}`,
      `      - {name: work, ${work}}`,
    ].join('\n'));
    return file;
  };
  const cli = (cwd: string, args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env });

  async function killedWithUndoOpen(): Promise<void> {
    const pb = playbook(join(dir, 'a', 'pb.yml'), 'pause: 60s');
    const inv = inventory(join(dir, 'a', 'site.yml'), 'mgmt1', '127.0.0.42');
    const child = spawn(process.execPath, [BIN, 'run', pb, '-i', inv, '-o', 'json'], { cwd: join(dir, 'a'), env });
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"pausing 1m00s"')) resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
  }

  it('the same host is refused from another directory with a copied, renamed inventory; another host is not', async () => {
    await killedWithUndoOpen();
    const pb = playbook(join(dir, 'b', 'pb.yml'), 'log: done');
    const copy = inventory(join(dir, 'b', 'copy.yml'), 'manager', '127.0.0.42');
    const refused = cli(join(dir, 'b'), ['run', pb, '-i', copy]);
    expect(refused.status, refused.stdout).to.equal(2);
    expect(refused.stderr).to.match(/left 1 undo step\(s\) open on what this run touches \(ssh:127\.0\.0\.42:22\)/);
    expect(refused.stderr).to.include("Run 'stackplay recover");
    const other = cli(join(dir, 'b'), ['run', pb, '-i', inventory(join(dir, 'b', 'other.yml'), 'mgmt1', '127.0.0.43')]);
    expect(other.status, other.stderr).to.equal(0);
  });

  it('a journal an older version left in ./.stackplay/runs (no targets recorded) still refuses the same inventory there, and says where it is', () => {
    const work = join(dir, 'a');
    const inv = inventory(join(work, 'site.yml'), 'mgmt1', '127.0.0.42');
    mkdirSync(join(work, '.stackplay', 'runs'), { recursive: true });
    writeFileSync(join(work, '.stackplay', 'runs', '20260101-000000-beef.jsonl'), [
      { t: 'run', runId: '20260101-000000-beef', playbook: 'pb.yml', inventory: inv, extraArgs: [], cwd: work, started: '2026-01-01T00:00:00.000Z' },
      { t: 'obligation', id: 'u1', stepId: '1.1', step: 'open the door', host: 'mgmt1', undo: ['close the door'] },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const refused = cli(work, ['run', playbook(join(work, 'pb.yml'), 'log: done'), '-i', inv]);
    expect(refused.status, refused.stdout).to.equal(2);
    expect(refused.stderr).to.include("left 1 undo step(s) open on what this run touches (the same inventory file)");
    expect(refused.stderr).to.include(`Run 'stackplay recover 20260101-000000-beef --journal-dir ${join(work, '.stackplay', 'runs')}' first`);
  });

  it('a dry run is not refused, is listed as a dry run, and show prints its plan; recover leaves it alone and finds the real run', async () => {
    await killedWithUndoOpen();
    const inv = inventory(join(dir, 'b', 'copy.yml'), 'manager', '127.0.0.42');
    const dry = cli(join(dir, 'b'), ['run', playbook(join(dir, 'b', 'pb.yml'), 'log: done'), '-i', inv, '--dry-run']);
    expect(dry.status, dry.stderr).to.equal(0);
    const runs = cli(dir, ['runs']).stdout.trim().split('\n');
    expect(runs).to.have.length(3);
    expect(runs[1]).to.match(/running or crashed .* 1 /);
    expect(runs[2]).to.match(/dry run: ok .* - /);
    const dryId = runs[2]!.split(/\s+/)[0]!;
    const show = cli(dir, ['show', dryId]);
    expect(show.stdout).to.include('dry run, ok');
    expect(show.stdout).to.match(/would\s+manager\s+open the door: would run on the runner: echo open > /);
    expect(show.stdout).to.include('RECAP (dry run: nothing was changed)');
    expect(cli(dir, ['recover', dryId]).stdout).to.include('was a dry run');
    // the killed run is still the one to recover, also when no run is named (the last run is the dry run)
    const rec = cli(dir, ['recover']);
    expect(rec.status, rec.stderr).to.equal(0);
    expect(rec.stdout).to.include(`RECOVER run ${runs[1]!.split(/\s+/)[0]!}`);
    expect(readFileSync(join(dir, 'door'), 'utf8').trim()).to.equal('closed');
  });
});
