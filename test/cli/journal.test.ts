// Crash safety through the built binary: SIGINT/SIGTERM revert before exiting 130; after SIGKILL the
// journal keeps the open obligation, a new run on the same inventory is refused, and `recover`
// discharges it. Secrets never reach the journal.

import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../support/paths.js';

const SECRET = 'journal-secret-4711';

function setup() {
  const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-journal-'));
  const door = join(dir, 'door');
  const inv = join(dir, 'inv.yml');
  writeFileSync(inv, `vars:\n  token: {secret: "${SECRET}"}\n`);
  const pb = join(dir, 'pb.yml');
  writeFileSync(pb, [
    'name: crash test', 'plays:', '  - name: p', '    hosts: localhost', '    steps:',
    '      - name: open the door', `        local: "echo open {{token}} > ${door}"`,
    '        undo:', '          name: close the door', `          local: "echo closed > ${door}"`,
    '      - name: long work', '        pause: 60s', '      - name: never', '        log: x',
  ].join('\n'));
  return { dir, door, inv, pb, journal: join(dir, 'runs') };
}

function startRun(t: ReturnType<typeof setup>) {
  return spawn(process.execPath, [BIN, 'run', t.pb, '-i', t.inv, '--journal-dir', t.journal, '-o', 'json'], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } });
}

function waitFor(child: ReturnType<typeof spawn>, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${text}: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(t);
        resolve(out);
      }
    });
  });
}

function exited(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

function journalText(dir: string): string {
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

describe('journal, signals and recover', function () {
  this.timeout(60_000);

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig}: stops after the running step, runs the undo, exits 130`, async () => {
      const t = setup();
      const child = startRun(t);
      await waitFor(child, '"pausing 1m00s"');
      child.kill(sig);
      const code = await exited(child);
      expect(code).to.equal(130);
      expect(readFileSync(t.door, 'utf8').trim()).to.equal('closed');
      const j = journalText(t.journal);
      expect(j).to.include('"t":"discharged"');
      expect(j).to.not.include('"name":"never"');
      expect(j).to.not.include(SECRET);
      rmSync(t.dir, { recursive: true, force: true });
    });
  }

  it('SIGKILL: the obligation stays open, a new run is refused, recover discharges it', async () => {
    const t = setup();
    const child = startRun(t);
    await waitFor(child, '"pausing 1m00s"');
    child.kill('SIGKILL');
    await exited(child);
    expect(readFileSync(t.door, 'utf8').trim()).to.equal(`open ${SECRET}`);
    const again = spawnSync(process.execPath, [BIN, 'run', t.pb, '-i', t.inv, '--journal-dir', t.journal], { encoding: 'utf8' });
    expect(again.status).to.equal(2);
    expect(again.stderr).to.include('stackplay recover');
    const runs = spawnSync(process.execPath, [BIN, 'runs', '--journal-dir', t.journal], { encoding: 'utf8' });
    expect(runs.stdout).to.match(/running or crashed\s+\S+\s+-\s+1/);
    const rec = spawnSync(process.execPath, [BIN, 'recover', '--journal-dir', t.journal], { encoding: 'utf8' });
    expect(rec.status, rec.stderr).to.equal(0);
    expect(readFileSync(t.door, 'utf8').trim()).to.equal('closed');
    const after = spawnSync(process.execPath, [BIN, 'recover', '--journal-dir', t.journal], { encoding: 'utf8' });
    expect(after.stdout).to.include('nothing to recover');
    // the crashed session left no closing record; recover's session ends the journal with one
    expect(lastRecord(t.journal)).to.deep.equal({ t: 'closed', open: 0 });
    // and the run no longer looks crashed
    const listed = spawnSync(process.execPath, [BIN, 'runs', '--journal-dir', t.journal], { encoding: 'utf8' });
    expect(listed.stdout).to.match(/recovered\s+\S+\s+-\s+0/);
    expect(listed.stdout).to.not.include('running or crashed');
    expect(journalText(t.journal)).to.not.include(SECRET);
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('resume continues after SIGKILL without repeating finished steps, and discharges the adopted undo', async () => {
    const t = setup();
    const count = join(t.dir, 'count');
    writeFileSync(t.pb, [
      'name: resume test', 'plays:', '  - name: p', '    hosts: localhost', '    steps:',
      `      - {name: count, local: "echo x >> ${count}", register: c}`,
      '      - name: open the door', `        local: "echo open > ${t.door}"`,
      '        undo:', '          name: close the door', `          local: "echo closed > ${t.door}"`,
      '      - {name: long work, pause: 2s}',
      '      - {name: report, log: "rc was {{c.rc}}"}',
    ].join('\n'));
    const child = startRun(t);
    await waitFor(child, '"pausing 2.0s"');
    child.kill('SIGKILL');
    await exited(child);
    const res = spawnSync(process.execPath, [BIN, 'resume', '--journal-dir', t.journal, '-o', 'json'], { encoding: 'utf8', cwd: REPO_ROOT });
    expect(res.status, res.stderr).to.equal(0);
    expect(readFileSync(count, 'utf8')).to.equal('x\n');
    expect(readFileSync(t.door, 'utf8').trim()).to.equal('closed');
    expect(res.stdout).to.include('rc was 0');
    expect(res.stdout).to.include('done before the interruption');
    const runs = spawnSync(process.execPath, [BIN, 'runs', '--journal-dir', t.journal], { encoding: 'utf8' });
    expect(runs.stdout).to.match(/ ok\s+\S+\s+\S+\s+0 /);
    expect(lastRecord(t.journal)).to.deep.equal({ t: 'closed', open: 0 });
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('a run whose undo failed closes its journal with the obligation still open, and the next run is refused', () => {
    const t = setup();
    writeFileSync(t.pb, [
      'name: failing undo', 'plays:', '  - name: p', '    hosts: localhost', '    steps:',
      '      - name: open the door', `        local: "echo open > ${t.door}"`,
      '        undo: {name: close the door, local: "exit 4"}',
    ].join('\n'));
    const first = spawnSync(process.execPath, [BIN, 'run', t.pb, '-i', t.inv, '--journal-dir', t.journal], { encoding: 'utf8' });
    expect(first.status, first.stderr).to.equal(1);
    expect(lastRecord(t.journal)).to.deep.equal({ t: 'closed', open: 1 });
    const again = spawnSync(process.execPath, [BIN, 'run', t.pb, '-i', t.inv, '--journal-dir', t.journal], { encoding: 'utf8' });
    expect(again.status).to.equal(2);
    expect(again.stderr).to.include('left 1 undo step(s) open');
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('a clean run ends its journal with a closing record that the next run trusts without reading the rest', () => {
    const t = setup();
    writeFileSync(t.pb, ['name: clean', 'plays:', '  - name: p', '    hosts: localhost', '    steps:',
      '      - name: open the door', `        local: "echo open > ${t.door}"`,
      `        undo: {name: close the door, local: "echo closed > ${t.door}"}`].join('\n'));
    const first = spawnSync(process.execPath, [BIN, 'run', t.pb, '-i', t.inv, '--journal-dir', t.journal], { encoding: 'utf8' });
    expect(first.status, first.stderr).to.equal(0);
    expect(lastRecord(t.journal)).to.deep.equal({ t: 'closed', open: 0 });
    // an unreadable line before the closing record would make a full read fail loudly; the check never gets there
    const [file] = readdirSync(t.journal);
    const path = join(t.journal, file!);
    const text = readFileSync(path, 'utf8');
    const bogus = '{"t":"obligation","id":"o-x","stepId":"1.1","step":"x","host":"localhost","undo":["y"]}\n';
    writeFileSync(path, bogus + text);
    const again = spawnSync(process.execPath, [BIN, 'run', t.pb, '-i', t.inv, '--journal-dir', t.journal], { encoding: 'utf8' });
    expect(again.status, again.stderr).to.equal(0);
    // anything appended after the closing record (here: the same bogus obligation) means a full read again
    writeFileSync(path, text + bogus);
    const third = spawnSync(process.execPath, [BIN, 'run', t.pb, '-i', t.inv, '--journal-dir', t.journal], { encoding: 'utf8' });
    expect(third.status).to.equal(2);
    rmSync(t.dir, { recursive: true, force: true });
  });
});

function lastRecord(dir: string): unknown {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  expect(files).to.have.length(1);
  const lines = readFileSync(join(dir, files[0]!), 'utf8').trim().split('\n');
  return JSON.parse(lines.at(-1)!);
}
