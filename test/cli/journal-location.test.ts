// Where journals go: a per-user state directory ($XDG_STATE_HOME/stackplay/runs, else ~/.local/state/
// stackplay/runs; STACKPLAY_JOURNAL_DIR and --journal-dir override it), never the working directory —
// and no test ever writes into the checkout's journal (a root hook checks the whole test process).

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../support/paths.js';

const CHECKOUT_JOURNAL = join(REPO_ROOT, '.stackplay', 'runs');
const journalsIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort() : []);

// Root-level hooks: they run once before and once after every test of the process, whichever files ran.
let existing: string[] = [];
before(() => {
  existing = journalsIn(CHECKOUT_JOURNAL);
});
after(() => {
  const added = journalsIn(CHECKOUT_JOURNAL).filter((f) => !existing.includes(f));
  expect(added, `runs journaled into the checkout (${CHECKOUT_JOURNAL}) during the tests`).to.deep.equal([]);
});

describe('cli: where journals go', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-journal-home-'));
    mkdirSync(join(dir, 'work'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(env: Record<string, string>, args: string[] = []) {
    const pb = join(REPO_ROOT, 'playbooks/examples/hello.yml');
    const environment: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
    for (const k of ['XDG_STATE_HOME', 'STACKPLAY_JOURNAL_DIR'] as const) if (!(k in env)) delete environment[k];
    return spawnSync(process.execPath, [BIN, 'run', pb, ...args], { cwd: join(dir, 'work'), encoding: 'utf8', env: environment });
  }

  it('$XDG_STATE_HOME/stackplay/runs, and nothing in the working directory', () => {
    const r = run({ XDG_STATE_HOME: join(dir, 'state'), HOME: dir });
    expect(r.status, r.stderr).to.equal(0);
    expect(journalsIn(join(dir, 'state', 'stackplay', 'runs'))).to.have.length(1);
    expect(existsSync(join(dir, 'work', '.stackplay')), 'a .stackplay directory in the working directory').to.equal(false);
  });

  it('~/.local/state/stackplay/runs without XDG_STATE_HOME; STACKPLAY_JOURNAL_DIR and --journal-dir override it', () => {
    expect(run({ HOME: dir }).status).to.equal(0);
    expect(journalsIn(join(dir, '.local', 'state', 'stackplay', 'runs'))).to.have.length(1);
    expect(run({ HOME: dir, STACKPLAY_JOURNAL_DIR: join(dir, 'env-runs') }).status).to.equal(0);
    expect(journalsIn(join(dir, 'env-runs'))).to.have.length(1);
    expect(run({ HOME: dir, STACKPLAY_JOURNAL_DIR: join(dir, 'env-runs') }, ['--journal-dir', join(dir, 'flag-runs')]).status).to.equal(0);
    expect(journalsIn(join(dir, 'flag-runs'))).to.have.length(1);
    expect(journalsIn(join(dir, 'env-runs'))).to.have.length(1);
    expect(existsSync(join(dir, 'work', '.stackplay'))).to.equal(false);
  });

  it('a home where the state directory cannot be made is a clear error, not a hang', () => {
    const r = run({ HOME: '/proc' });
    expect(r.error, 'finished').to.equal(undefined);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/cannot write the run journal in \/proc\/\.local\/state\/stackplay\/runs: E[A-Z]+ \(use --journal-dir or STACKPLAY_JOURNAL_DIR\)/);
  });

  it('--journal-dir naming a file is a clear error (exit 2) for run and runs, not a raw ENOTDIR', () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = run({ HOME: dir }, ['--journal-dir', file]);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr).to.include(`the journal directory ${file} is not a directory`);
    expect(r.stderr).to.not.match(/internal error|ENOTDIR|\n\s+at /);
    const runs = spawnSync(process.execPath, [BIN, 'runs', '--journal-dir', file], { cwd: join(dir, 'work'), encoding: 'utf8', env: { ...process.env, HOME: dir } });
    expect(runs.status, runs.stderr).to.equal(2);
    expect(runs.stderr).to.include('is not a directory');
  });
});
