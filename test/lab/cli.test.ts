// `stackplay lab` entry points: runLab prints endpoints and logs calls, stops on abort; labStatus reads
// the state directory; the lab file is validated; inventories/lab.yml matches what the lab writes.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { formatLabStatus, labOptionsFrom, labStatus, LAB_DEV_API_KEY, runLab } from '../../src/lab/cli.js';
import { parseLabFile } from '../../src/lab/lab-file.js';
import { LabConfigError } from '../../src/lab/world/world-config.js';
import type { Lab } from '../../src/lab/index.js';
import { spawn } from 'node:child_process';
import { api, canConnect, freePort } from './helpers.js';
import { BIN, REPO_ROOT } from '../support/paths.js';

describe('lab CLI entry points', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runLab prints endpoints, logs API calls with secrets masked, and stops on abort', async () => {
    const lines: string[] = [];
    const ac = new AbortController();
    let lab: Lab | undefined;
    const cfg = path.join(dir, 'lab.yml');
    fs.writeFileSync(cfg, 'world: { preset: classic, zones: 1, networks: 1, redundantNetworks: 0, vpcs: 0, projectNetworks: 0 }\nspeed: 500\n');
    const done = runLab({ config: cfg, apiPort: 0, sshPort: 0, stateDir: dir, signal: ac.signal, onReady: (l) => (lab = l) }, (l) => lines.push(l));
    while (!lab) await new Promise((r) => setTimeout(r, 5));
    expect(lines.join('\n')).to.include(`API          ${lab.apiUrl}`);
    expect(lines.join('\n')).to.include(`api key      ${LAB_DEV_API_KEY}`);
    expect(lines.join('\n')).to.include('1 routers');
    expect(lines.join('\n')).to.include('500x faster');
    expect((await api(lab, { command: 'listZones' })).status).to.equal(200);
    const logged = lines.find((l) => l.includes(' api GET listZones'))!;
    expect(logged).to.match(/apiKey=\*\*\* .*signature=\*\*\* -> 200$/);
    expect(lines.join('\n').split(lab.secretKey)).to.have.length(2);
    const st = await labStatus(dir);
    expect(st).to.include({ running: true, pid: process.pid, apiUrl: lab.apiUrl });
    expect(formatLabStatus(st).join('\n')).to.include('1 total, 1 requiring upgrade');
    ac.abort();
    await done;
    expect(lines[lines.length - 1]).to.equal('stackplay lab: stopped (all listeners closed).');
    expect(await canConnect(lab.apiPort)).to.equal(false);
  });

  /** Runs `stackplay lab` until it is up, then stops it; returns what it printed. */
  async function cliLab(args: string[]): Promise<string> {
    const child = spawn(process.execPath, [BIN, 'lab', ...args, '--state-dir', dir], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (c) => reject(new Error(`lab exited with ${c}: ${out}`)));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Press Ctrl-C to stop')) resolve();
        });
      });
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    return out;
  }

  it("`stackplay lab --config FILE` takes the file's apiPort, sshPort and speed; a flag still wins; the default speed is 100", async function () {
    this.timeout(60_000);
    const [apiPort, sshPort] = [await freePort(), await freePort()];
    const cfg = path.join(dir, 'lab.yml');
    fs.writeFileSync(cfg, `speed: 7\napiPort: ${apiPort}\nsshPort: ${sshPort}\nworld: { managementServers: 1 }\n`);
    const fromFile = await cliLab(['--config', cfg]);
    expect(fromFile).to.include(`API          http://127.0.0.1:${apiPort}/client/api`);
    expect(fromFile).to.include(`root@127.0.0.1:${sshPort} (mgmt1)`);
    expect(fromFile).to.include('lab time runs 7x faster');
    fs.writeFileSync(cfg, `apiPort: ${apiPort}\nsshPort: ${sshPort}\nworld: { managementServers: 1 }\n`);
    expect(await cliLab(['--config', cfg, '--speed', '3'])).to.include('lab time runs 3x faster');
    expect(await cliLab(['--config', cfg])).to.include('lab time runs 100x faster');
  });

  it('labStatus reports a missing lab', async () => {
    const st = await labStatus(dir);
    expect(st.running).to.equal(false);
    expect(formatLabStatus(st)[0]).to.match(/^no lab state in /);
  });

  it('defaults: fixed ports 8080/2222, dev keys, speed 100, state dir .stackplay/lab', () => {
    const o = labOptionsFrom({});
    expect(o).to.include({ apiPort: 8080, sshPort: 2222, speed: 100, apiKey: LAB_DEV_API_KEY });
    expect(o.stateDir).to.equal(path.resolve('.stackplay/lab'));
    expect(() => labOptionsFrom({ speed: 'fast' })).to.throw('--speed: expected a non-negative number');
  });

  it('the lab file reports all problems at once', () => {
    let err: unknown;
    try {
      parseLabFile('world: { zonez: 2 }\nspeeed: 3\nfaults: { breakEverything: true }\n');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(LabConfigError);
    expect((err as LabConfigError).problems).to.have.length(3);
    expect(parseLabFile('faults:\n  restartNever: true\ndb: { user: u, password: p }\n')).to.deep.equal({
      faults: { restartNever: true }, dbUser: 'u', dbPassword: 'p',
    });
  });

  it('inventories/lab.yml matches the inventory the lab writes with its CLI defaults', async () => {
    const lines: string[] = [];
    const ac = new AbortController();
    let lab: Lab | undefined;
    const done = runLab({ apiPort: 0, sshPort: 0, stateDir: dir, signal: ac.signal, onReady: (l) => (lab = l) }, (l) => lines.push(l));
    while (!lab) await new Promise((r) => setTimeout(r, 5));
    const written = yaml.load(fs.readFileSync(lab.inventoryPath, 'utf8')) as any;
    ac.abort();
    await done;
    const shipped = yaml.load(fs.readFileSync(path.resolve('inventories/lab.yml'), 'utf8')) as any;
    const norm = (inv: any, ports: Record<string, number>, url: string) => {
      for (const [name, h] of Object.entries<any>(inv.hosts)) {
        h.key_file = path.basename(h.key_file);
        h.known_hosts = path.basename(h.known_hosts);
        h.port = ports[name];
        if (h.cloudstack) h.cloudstack.url = url;
      }
      return inv;
    };
    const ports = Object.fromEntries(lab.hosts.map((h) => [h.name, h.port]));
    expect(norm(shipped, ports, lab.apiUrl)).to.deep.equal(norm(written, ports, lab.apiUrl));
    expect(shipped.hosts.mgmt1.key_file).to.equal('id_ed25519');
  });
});
