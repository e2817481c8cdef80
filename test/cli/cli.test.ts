// End to end through the built binary, as a user runs it.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN, FIXTURES, REPO_ROOT } from '../support/paths.js';

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('cli', () => {
  it('list shows the bundled playbooks in the order an operator uses them: readiness, preflight, the server restart, the system VM playbooks, the proof', () => {
    const r = cli(['list']);
    expect(r.code).to.equal(0);
    const names = [...r.out.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]);
    expect(names.slice(0, 7)).to.deep.equal(['cloudstack/upgrade-readiness', 'cloudstack/preflight', 'cloudstack/management-restart', 'cloudstack/systemvm-restart', 'cloudstack/systemvm-restart-api', 'cloudstack/systemvm-live-patch', 'cloudstack/upgrade-proof']);
  });

  it('--version prints the package version', () => {
    const r = cli(['--version']);
    expect(r.code).to.equal(0);
    expect(r.out.trim()).to.match(/^\d+\.\d+\.\d+$/);
  });

  it('runs the example playbook with --output json: one event per line, recap, exit 0', () => {
    const r = cli(['run', 'playbooks/examples/hello.yml', '--output', 'json']);
    expect(r.code, r.err).to.equal(0);
    const events = r.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: string; name?: string; phase?: string });
    expect(events[0]!.type).to.equal('run-start');
    expect(events.at(-1)!.type).to.equal('run-end');
    expect(events.at(-1)!.status).to.equal('ok');
    expect(events.some((e) => e.type === 'step-end' && e.phase === 'undo' && e.name === 'Close it again')).to.equal(true);
    expect(events.some((e) => e.type === 'step-end' && e.phase === 'handler' && e.name === 'Report')).to.equal(true);
    // every line says which version of the event format it is
    expect(events.filter((e) => (e as { schema_version?: unknown }).schema_version !== 1)).to.deep.equal([]);
  });

  it('prints plain lines and a recap when not on a terminal', () => {
    const r = cli(['run', 'playbooks/examples/hello.yml']);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.include('PLAY Tour of the DSL');
    expect(r.out).to.match(/RECAP\n\s+localhost\s+ok=\d+/);
  });

  it('validate prints all five mistakes with positions and a code frame, exit 2, no stack', () => {
    const r = cli(['validate', join(FIXTURES, 'five-mistakes/playbook.yml')]);
    expect(r.code).to.equal(2);
    for (const pos of [':7:9  unknown-step-type', ':9:9  unknown-key', ':12:32  template-syntax', ':14:16  missing-argument', ':17:17  unknown-handler']) {
      expect(r.err).to.include(pos);
    }
    expect(r.err).to.include('5 problems found; nothing was run.');
    expect(r.err).to.include('> ');
    expect(r.err).to.not.match(/at .*\.js:\d+/);
  });

  it('run refuses an invalid playbook before doing anything (exit 2)', () => {
    const r = cli(['run', join(FIXTURES, 'invalid/unknown-step-type.yml')]);
    expect(r.code).to.equal(2);
    expect(r.err).to.include("unknown step type 'shel' — did you mean 'shell'?");
  });

  it('a missing playbook or a bad option is a usage error (exit 2) without a stack', () => {
    const a = cli(['run', 'no/such/playbook']);
    expect(a.code).to.equal(2);
    expect(a.err).to.include("playbook 'no/such/playbook' not found");
    const b = cli(['run', 'playbooks/examples/hello.yml', '--forks', 'many']);
    expect(b.code).to.equal(2);
    const c = cli(['frobnicate']);
    expect(c.code).to.equal(2);
  });

  it('a failing step gives exit 1', () => {
    const r = cli(['run', join(FIXTURES, 'valid/fails.yml'), '-o', 'plain']);
    expect(r.code).to.equal(1);
    expect(r.out).to.include('failed');
  });

  it('--output json: a run-summary object before run-end lists every failure with its host and message', () => {
    const r = cli(['run', join(FIXTURES, 'valid/fails.yml'), '-o', 'json']);
    expect(r.code, r.err).to.equal(1);
    const events = r.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; failures?: Array<Record<string, unknown>>; warnings?: unknown[] });
    expect(events.at(-1)!.type).to.equal('run-end');
    const summary = events.at(-2)!;
    expect(summary.type).to.equal('run-summary');
    expect(summary.failures).to.have.length.above(0);
    for (const f of summary.failures!) {
      expect(f).to.include.keys('host', 'step', 'message', 'units');
      expect(f['handled']).to.equal(null);
    }
    expect(summary.warnings).to.deep.equal([]);
  });

  it('plain output: a closing summary above the recap names each failure with its host', () => {
    const r = cli(['run', join(FIXTURES, 'valid/fails.yml'), '-o', 'plain']);
    expect(r.code).to.equal(1);
    expect(r.out).to.match(/\nFAILED \(\d+ failures?\)\n\s+✖ localhost\s+\S[^\n]*\n[\s\S]*\nRECAP\n/);
  });

  it('steps lists the step types generated from their definitions', () => {
    const r = cli(['steps']);
    expect(r.code).to.equal(0);
    for (const t of ['assert', 'set', 'log', 'fail', 'pause', 'local', 'shell']) expect(r.out).to.include(t);
    const one = cli(['steps', 'local']);
    expect(one.out).to.include('command');
    expect(one.out).to.include('required');
  });

  it('steps TYPE describes each argument from its schema: kind, limits, default, host use', () => {
    const r = cli(['steps', 'wait_for']);
    expect(r.code).to.equal(0);
    expect(r.out).to.match(/^ {2}port +port +TCP port to probe$/m);
    expect(r.out).to.match(/^ {2}timeout +duration +give up after this long \(default '5m'\)$/m);
    expect(r.out).to.match(/^ {2}from +inventory host +.*\(reached over SSH\)$/m);
    expect(cli(['steps', 'cloudstack.systemvms']).out).to.match(/^ {2}concurrency +integer +VMs handled at the same time; the next starts as soon as one finishes \(at least 1, default 1\)$/m);
  });

  it("-e takes a JSON object of variables, as Ansible's -e does, and a non-mapping there is an error at its position", () => {
    const r = cli(['run', join(FIXTURES, 'valid/extra-vars.yml'), '-e', '{"who": "json", "n": [1, 2]}', '-o', 'json']);
    expect(r.code, r.out + r.err).to.equal(0);
    expect(r.out).to.include('hello json [1,2]');
    const bad = cli(['run', join(FIXTURES, 'valid/extra-vars.yml'), '-e', '{"who": "json"', '-o', 'plain']);
    expect(bad.code).to.equal(2);
    expect(bad.out + bad.err).to.match(/-e:1:1/);
    expect(bad.out + bad.err).not.to.match(/\n\s+at /);
  });

  it('--list-hosts and --list-steps print what a run would cover and exit 0: no connection, no journal', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-outline-'));
    try {
      // port 9 (discard) on loopback: a run would have to connect; the listing must not
      writeFileSync(join(dir, 'inv.yml'), 'hosts:\n  ms1: { address: 127.0.0.1, port: 9 }\n  ms2: { address: 127.0.0.1, port: 9 }\n  kvm1: { address: 127.0.0.1, port: 9 }\ngroups:\n  management: { hosts: [ms1, ms2] }\n');
      writeFileSync(join(dir, 'pb.yml'), [
        'name: outline', 'plays:', '  - name: servers', '    hosts: management', '    steps:',
        '      - name: Group', '        tags: [restart]', '        block:', '          - name: Inner', '            shell: "true"',
        '  - name: all hosts', '    hosts: all', '    steps:', '      - name: Last', '        log: hi', '',
      ].join('\n'));
      const journal = join(dir, 'runs');
      const r = cli(['run', join(dir, 'pb.yml'), '-i', join(dir, 'inv.yml'), '--list-hosts', '--list-steps', '--limit', 'ms1,kvm1', '--journal-dir', journal]);
      expect(r.code, r.out + r.err).to.equal(0);
      expect(r.out).to.match(/play 1: servers \(hosts: management\)\n {2}hosts \(1\):\n {4}ms1\n {2}steps:\n {4}Group \(block\) {2}\[tags: restart\]\n {6}Inner \(shell\)\n/);
      expect(r.out).to.match(/play 2: all hosts \(hosts: all\)\n {2}hosts \(2\):\n {4}ms1\n {4}kvm1\n/);
      expect(existsSync(journal) ? readdirSync(journal) : []).to.deep.equal([]);
      const j = cli(['run', join(dir, 'pb.yml'), '-i', join(dir, 'inv.yml'), '--list-hosts', '-o', 'json', '--journal-dir', journal]);
      expect(JSON.parse(j.out)).to.deep.equal({ schema_version: 1, type: 'outline', plays: [
        { name: 'servers', hosts_pattern: 'management', hosts: ['ms1', 'ms2'] },
        { name: 'all hosts', hosts_pattern: 'all', hosts: ['ms1', 'ms2', 'kvm1'] },
      ] });
      const bad = cli(['run', join(dir, 'pb.yml'), '-i', join(dir, 'inv.yml'), '--list-steps', '--tags', 'restrat', '--journal-dir', journal]);
      expect(bad.code).to.equal(2);
      expect(bad.err).to.include("did you mean 'restart'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('-C / --check is --dry-run under Ansible\'s name: writes are predicted, not made', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-check-'));
    try {
      const marker = join(dir, 'made');
      writeFileSync(join(dir, 'pb.yml'), ['name: check', 'plays:', '  - name: p', '    hosts: localhost', '    steps:', '      - name: Write', `        local: "touch ${marker}"`, ''].join('\n'));
      for (const flag of ['-C', '--check']) {
        const r = cli(['run', join(dir, 'pb.yml'), flag, '-o', 'plain', '--journal-dir', join(dir, 'runs')]);
        expect(r.code, r.out + r.err).to.equal(0);
        expect(r.out).to.match(/would/i);
        expect(existsSync(marker)).to.equal(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('-e key=value and -e @file set variables with the highest precedence', () => {
    const r = cli(['run', join(FIXTURES, 'valid/extra-vars.yml'), '-e', 'who=world', '-e', `@${join(FIXTURES, 'valid/extra.yml')}`, '-o', 'json']);
    expect(r.code, r.out + r.err).to.equal(0);
    expect(r.out).to.include('hello world 42');
  });
});
