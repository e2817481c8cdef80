// SSH through the built binary against a private OpenSSH sshd on loopback: unknown host keys fail
// before anything runs (all hosts at once, with fingerprints), `trust` records them, then the run works.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startTestSshServer, type TestSshServer } from '../support/sshd.js';
import { BIN, REPO_ROOT } from '../support/paths.js';

describe('cli over SSH: host keys and trust', function () {
  this.timeout(60_000);
  let server: TestSshServer;
  let dir: string;
  let inv: string;
  let pb: string;

  before(async () => {
    server = await startTestSshServer({ addresses: ['127.0.0.2', '127.0.0.3'] });
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-ssh-cli-'));
    inv = join(dir, 'inv.yml');
    writeFileSync(join(dir, 'known_hosts'), '');
    writeFileSync(inv, [
      'known_hosts: ./known_hosts',
      'hosts:',
      ...['127.0.0.2', '127.0.0.3'].map((a, i) => `  h${i + 1}: {address: ${a}, port: ${server.port}, user: ${server.user}, key_file: ${server.keys.ed25519.path}}`),
      'groups:', '  web: {hosts: [h1, h2]}',
    ].join('\n'));
    pb = join(dir, 'pb.yml');
    writeFileSync(pb, ['name: ssh', 'plays:', '  - name: p', '    hosts: web', '    steps:', '      - name: who', '        shell: echo "hello from $(hostname)"', '        register: r'].join('\n'));
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, HOME: dir, NO_COLOR: '1', SSH_AUTH_SOCK: '' }, timeout: 50_000 });

  it('refuses to start with unknown host keys, naming every host and fingerprint, then trust records them', () => {
    const first = cli(['run', pb, '-i', inv, '--journal-dir', join(dir, 'runs')]);
    expect(first.status, first.stdout + first.stderr).to.equal(2);
    expect(first.stderr).to.include('h1');
    expect(first.stderr).to.include('h2');
    expect(first.stderr).to.match(/SHA256:[A-Za-z0-9+/]{43}/);
    expect(first.stderr).to.include('stackplay trust');
    expect(first.stdout).to.not.include('PLAY');
    // the refused run started nothing: its journal says so, and never looks crashed
    const refused = cli(['runs', '--journal-dir', join(dir, 'runs')]);
    expect(refused.stdout).to.match(/\srefused\s/);
    expect(refused.stdout).to.not.include('running or crashed');

    const trust = cli(['trust', 'h1', 'h2', '-i', inv]);
    expect(trust.status, trust.stdout + trust.stderr).to.equal(0);
    expect(trust.stdout).to.match(/new\s+h1/);
    expect(trust.stdout).to.include('2 new key(s) recorded');
    expect(readFileSync(join(dir, 'known_hosts'), 'utf8').trim().split('\n')).to.have.length(2);

    const run = cli(['run', pb, '-i', inv, '-o', 'json', '--journal-dir', join(dir, 'runs')]);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.include('"line":"hello from');
    const again = cli(['trust', 'h1', '-i', inv]);
    expect(again.stdout).to.match(/known\s+h1/);
  });
});
