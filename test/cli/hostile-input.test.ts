// Hostile and secret-bearing input that is valid: it must run, finish and keep its secrets. A
// catastrophic pattern runs in linear time; -e values under secret-looking names and secret sources in
// playbook vars are masked in the output and the journal (the journal's header masked -e values, the
// events did not).

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../support/paths.js';

describe('cli: hostile but valid input', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-hostile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const journalText = (): string => readdirSync(join(dir, 'runs')).map((f) => readFileSync(join(dir, 'runs', f), 'utf8')).join('\n');
  const run = (pb: string, args: string[] = [], env: Record<string, string> = {}) =>
    // a generous hang guard: a backtracking engine never returns from the pattern below
    spawnSync(process.execPath, [BIN, 'run', pb, '--journal-dir', join(dir, 'runs'), '-o', 'plain', ...args], {
      // SIGKILL: a process spinning in a backtracking regex never gets to its SIGTERM handler
      cwd: REPO_ROOT, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1', ...env },
    });
  const playbook = (lines: string[]): string => {
    const pb = join(dir, 'pb.yml');
    writeFileSync(pb, ['name: t', ...lines].join('\n'));
    return pb;
  };

  it("'aaaa…!' matches '^(a+)+$' is decided, not spun on forever", () => {
    const pb = playbook(['plays:', '  - name: p', '    hosts: localhost', '    steps:', '      - name: backtracking bait',
      `        when: "'${'a'.repeat(40)}!' matches '^(a+)+$'"`, '        log: matched', '      - name: after', '        log: finished']);
    const r = run(pb);
    expect(r.error, 'the run finished').to.equal(undefined);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include('finished');
    expect(r.stdout).to.not.include('matched');
  });

  it('-e values under secret-looking names are masked in the output, the events and the journal', () => {
    const pb = playbook(['plays:', '  - name: p', '    hosts: localhost', '    steps:', '      - name: show', '        log: "token is {{ api_token }}, user is {{ user_name }}"']);
    const r = run(pb, ['-e', 'api_token=S3CR3T-cli-token', '-e', 'user_name=alice']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('token is ***, user is alice');
    expect(r.stdout + r.stderr).to.not.include('S3CR3T');
    expect(journalText()).to.include('user is alice');
    expect(journalText()).to.not.include('S3CR3T');
  });

  it('{ secret }, { env } and { file } work in playbook vars as in an inventory, masked everywhere', () => {
    writeFileSync(join(dir, 'db-password'), 'S3CR3T-from-file\n');
    const pb = playbook(['vars:', '  a: { secret: S3CR3T-literal }', '  b: { env: HOSTILE_TEST_SECRET }', '  c: { file: db-password }',
      'plays:', '  - name: p', '    hosts: localhost', '    steps:', '      - name: show', '        log: "a={{ a }} b={{ b }} c={{ c }} len={{ len c }}"']);
    const r = run(pb, [], { HOSTILE_TEST_SECRET: 'S3CR3T-from-env' });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    // resolved (the length is that of the file's first line), never shown
    expect(r.stdout).to.include('a=*** b=*** c=*** len=16');
    expect(r.stdout + r.stderr + journalText()).to.not.include('S3CR3T');
  });
});
