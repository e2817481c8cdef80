// --start-at-step, --tags and --skip-tags name things of the playbook: a name that matches nothing is
// refused before anything runs (exit 2) with the closest step name or tag, instead of running
// nothing, or skipping nothing, without a word.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../support/paths.js';

const PLAYBOOK = `name: selection
plays:
  - name: p
    hosts: localhost
    steps:
      - name: Host name
        log: ran host name
        tags: [facts]
      - name: Upgrade
        log: ran upgrade
        tags: [upgrade]
`;

describe('cli: names given to --start-at-step, --tags and --skip-tags', function () {
  this.timeout(120_000);
  let dir = '';
  let file = '';
  before(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-selection-'));
    file = join(dir, 'p.yml');
    writeFileSync(file, PLAYBOOK);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function run(...flags: string[]): { code: number | null; out: string; err: string } {
    const r = spawnSync(process.execPath, [BIN, 'run', file, '-o', 'plain', ...flags], {
      cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1', HOME: dir, XDG_STATE_HOME: join(dir, 'state'), STACKPLAY_JOURNAL_DIR: '' },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  it('--start-at-step with a misspelt step name: did you mean, exit 2, nothing ran', () => {
    const r = run('--start-at-step', 'Hostname');
    expect(r.code, r.err).to.equal(2);
    expect(r.err).to.include("--start-at-step: no step is named 'Hostname' — did you mean 'Host name'?");
    expect(r.out).to.not.include('ran ');
  });

  it('--tags and --skip-tags with misspelt tags: each named with its closest tag, exit 2, nothing ran', () => {
    const r = run('--tags', 'upgrad', '--skip-tags', 'fact');
    expect(r.code, r.err).to.equal(2);
    expect(r.err).to.include("--tags: no step has the tag 'upgrad' — did you mean 'upgrade'?");
    expect(r.err).to.include("--skip-tags: no step has the tag 'fact' — did you mean 'facts'?");
    expect(r.out).to.not.include('ran ');
  });

  it('names that exist run as before (always, tagged and untagged are tags of their own)', () => {
    const r = run('--tags', 'upgrade,untagged', '--start-at-step', 'Host name');
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.include('ran upgrade');
    expect(r.out).to.not.include('ran host name');
  });
});
