// The bundled playbooks stop on a filter that names nothing before anything is written, dry runs too:
// a typo in a zone or VM name is a clear error with a non-zero exit, never a "successful" upgrade that
// touched nothing.

import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startLab } from '../../src/lab/index.js';
import { BIN, REPO_ROOT } from '../support/paths.js';

/** Only this file's labs use this address. */
const ADDRESS = '127.0.0.85';

describe('cli: bundled playbooks and filters that name nothing', function () {
  this.timeout(90_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'stackplay-selection-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, NO_COLOR: '1', HOME: dir, SSH_AUTH_SOCK: '' });

  it('live patch, dry run, an unknown zone: the zone is named with the zones that exist, exit 1, nothing planned', () => {
    const r = spawnSync(process.execPath, [BIN, 'run', 'cloudstack/systemvm-live-patch', '--lab', '--dry-run', '-e', 'zones=[nosuchzone]', '-o', 'plain', '--journal-dir', join(dir, 'runs')], {
      cwd: REPO_ROOT, encoding: 'utf8', env: env(), timeout: 60_000,
    });
    expect(r.status, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.match(/failed\s+mgmt1\s+The zones named exist[^:]*: zones: no zone 'nosuchzone' on mgmt1 \(zones: [^)]*zone1[^)]*\)\. Nothing was done\./);
    expect(r.stdout).to.not.match(/would\s+mgmt1\s+Live-patch/);
    expect(r.stdout).to.match(/FAILED \(1 failure\)\n\s+✖ mgmt1\s+The zones named exist[^\n]*no zone 'nosuchzone'/);
  });

  it('restart through the API, a misspelt system VM name: did you mean, exit 1, and no VM was touched', async () => {
    const lab = await startLab({ address: ADDRESS, speed: 1000, stateDir: join(dir, 'lab') });
    try {
      const before = JSON.stringify(lab.state().systemVms.map((v) => [v['name'], v['state'], v['version']]));
      const vm = String(lab.state().systemVms[0]!['name']);
      const child = spawn(process.execPath, [BIN, 'run', 'cloudstack/systemvm-restart-api', '-i', lab.inventoryPath, '-e', `names=[${vm.toLowerCase()}]`, '-o', 'plain', '--journal-dir', join(dir, 'runs')], { cwd: REPO_ROOT, env: env() });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(status, out).to.equal(1);
      expect(out).to.include(`names: no system VM or router '${vm.toLowerCase()}' on mgmt1 — did you mean '${vm}'?`);
      expect(JSON.stringify(lab.state().systemVms.map((v) => [v['name'], v['state'], v['version']]))).to.equal(before);
      expect(lab.state().routers.filter((x) => x['requiresUpgrade'] === false)).to.have.length(0);
    } finally {
      await lab.stop();
    }
  });
});
