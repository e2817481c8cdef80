// `stackplay lab` in the foreground and `stackplay lab status` from another process, as an operator
// rehearsing would use them; Ctrl-C (SIGINT) stops the lab cleanly.

import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../support/paths.js';

describe('cli: lab', function () {
  this.timeout(60_000);

  it('prints endpoints and credentials, answers status, and stops on SIGINT', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-lab-cli-'));
    const child = spawn(process.execPath, [BIN, 'lab', '--api-port', '0', '--ssh-port', '0', '--state-dir', dir], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`lab did not start: ${out}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Press Ctrl-C to stop')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    expect(out).to.match(/API\s+http:\/\/127\.0\.0\.1:\d+\/client\/api/);
    expect(out).to.include('host key     SHA256:');
    const status = spawnSync(process.execPath, [BIN, 'lab', 'status', '--state-dir', dir], { encoding: 'utf8' });
    expect(status.status).to.equal(0);
    expect(status.stdout).to.include('lab running');
    expect(status.stdout).to.include('integration port DB 0, closed');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).to.equal(0);
    expect(out).to.include('stopped');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a lab file with unknown keys is the operator\'s mistake: exit 2 naming each key, not an internal error', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-labcfg-'));
    const cfg = join(dir, 'lab.yml');
    writeFileSync(cfg, 'version: 4.21.0.0\nmanagementServers: 2\n');
    const r = spawnSync(process.execPath, [BIN, 'lab', '--config', cfg, '--state-dir', join(dir, 'state')], { encoding: 'utf8', timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include('version: unknown key').and.include('managementServers: unknown key');
    expect(r.stderr).to.not.include('internal error');
  });

  it('a port already in use is an error with a hint, not an internal error', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-lab-busy-'));
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'lab', '--api-port', String(port), '--ssh-port', '0', '--state-dir', dir], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } });
      let err = '';
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      c.on('exit', (code) => resolve({ code, err }));
    });
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
    expect(r.code).to.equal(1);
    expect(r.err).to.include('EADDRINUSE');
    expect(r.err).to.include('pick another port');
    expect(r.err).to.not.include('internal error');
  });

  it('copy to a host without an sftp subsystem (as the lab hosts are) fails the step with the reason, not as unreachable', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'stackplay-lab-copy-'));
    const pb = join(dir, 'copy.yml');
    writeFileSync(pb, ['name: copy', 'plays:', '  - name: p', '    hosts: mgmt1', '    steps:',
      '      - {name: Put a file, copy: {content: "x", dest: /tmp/x}}'].join('\n'));
    const r = spawnSync(process.execPath, [BIN, 'run', pb, '--lab', '-o', 'plain', '--journal-dir', join(dir, 'runs')], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.match(/failed\s+mgmt1\s+Put a file: .*sftp subsystem/);
  });
});
