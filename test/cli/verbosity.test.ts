// -v / -vv on `stackplay run`: the transports' own events (SSH connections, logins, every API call and
// job poll) in the plain output, masked; without -v the plain output stays the run's own story.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../support/paths.js';

function run(flags: string[], journal: string) {
  const r = spawnSync(process.execPath, [BIN, 'run', 'cloudstack/preflight', '--lab', '-o', 'plain', '--journal-dir', journal, ...flags], {
    cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000,
  });
  return { code: r.status, out: r.stdout + r.stderr, lines: r.stdout.split('\n').filter((l) => l.includes('⇄')) };
}

describe('cli: -v and -vv show the transports at work', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-verbose-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('no -v: no transport lines; -v: logins and connections but no API call; -vv: every call as sent, masked', () => {
    const quiet = run([], join(dir, 'a'));
    expect(quiet.code, quiet.out).to.equal(0);
    expect(quiet.lines).to.deep.equal([]);
    const v = run(['-v'], join(dir, 'b'));
    expect(v.code, v.out).to.equal(0);
    expect(v.lines.some((l) => /API /.test(l))).to.equal(false);
    const vv = run(['-vv'], join(dir, 'c'));
    expect(vv.code, vv.out).to.equal(0);
    const calls = vv.lines.filter((l) => / ⇄ API GET .*command=listManagementServers/.test(l));
    expect(calls.length).to.be.greaterThan(0);
    for (const l of calls) expect(l).to.match(/apiKey=\*\*\*&.*signature=\*\*\*/);
    expect(vv.lines.some((l) => /API listZones → HTTP 200/.test(l))).to.equal(true);
  });
});
