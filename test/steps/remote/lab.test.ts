// The SSH steps against the CloudStack lab's emulated management server (an explicit command interpreter,
// not a real shell): follow runs the emulated cloudstack-sysvmadm, service drives the emulated
// cloudstack-management unit, wait_for watches the integration port, all over the lab's SSH server.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../../../src/lab/index.js';
import { freePort, ok, stopLabs, testLab } from '../../lab/helpers.js';
import { playbook, runPlaybookText, type RunOptions } from './harness.js';

const RULES = `
          progress:
            - {pattern: 'Stopping and starting (?<total>\\d+) (?<kind>.+?) vm\\(s\\)', message: '{kind}: {total} vm(s)', phase: true}
          failure: '^ERROR:'
          success: 'Done restarting router'`;

describe('SSH steps against the lab management server', function () {
  this.timeout(60_000);
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'stackplay-labsteps-'));
  });
  afterEach(async () => {
    await stopLabs();
    rmSync(home, { recursive: true, force: true });
  });

  const run = (lab: Lab, steps: string, o: RunOptions = {}) =>
    runPlaybookText(playbook(steps, 'mgmt1'), readFileSync(lab.inventoryPath, 'utf8'), { dir: home, knownHosts: join(home, 'known_hosts'), ...o });

  async function openIntegrationPort(lab: Lab): Promise<number> {
    const port = await freePort();
    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(port) });
    await lab.restartManagementServer();
    return port;
  }

  it('follow runs cloudstack-sysvmadm detached and follows it to the end', async () => {
    const lab = await testLab({ ssh: true, speed: 2000 });
    await openIntegrationPort(lab);
    const r = await run(lab, `
      - name: sysvmadm
        follow:
          command: "cloudstack-sysvmadm -d {{cloudstack_db.host}} -u {{cloudstack_db.user}} -p {{quote cloudstack_db.password}} -a"
          log: /root/sysvm.log${RULES}
        register: s
      - {name: show, log: "{{json s}}"}`);
    expect(r.end('sysvmadm').status, r.end('sysvmadm').msg).to.equal('changed');
    const s = r.logged('show');
    expect(s['rc']).to.equal(0);
    expect(s['failures']).to.deep.equal([]);
    expect(s['counts']).to.deep.equal({ total: 8 });
    expect((s['lines'] as string[]).filter((l) => l !== '')).to.deep.equal([
      'Stopping and starting 1 secondary storage vm(s)...', 'Done stopping and starting secondary storage vm(s)',
      'Stopping and starting 1 console proxy vm(s)...', 'Done stopping and starting console proxy vm(s) .',
      'Stopping and starting 6 running routing vm(s)... ', 'Done restarting router(s). ',
    ]);
    expect(JSON.stringify(r.events)).to.not.include(lab.dbPassword);
    expect(lab.state().routers.every((x) => x.requiresUpgrade === false)).to.equal(true);
  });

  it('follow fails on the ERROR lines sysvmadm prints while it exits 0', async () => {
    const lab = await testLab({ ssh: true, speed: 2000 });
    // The DB says the port is set, but the server was not restarted: every API call fails.
    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(await freePort()) });
    const r = await run(lab, `
      - name: sysvmadm
        follow:
          command: "cloudstack-sysvmadm -u cloud -p {{quote cloudstack_db.password}} -s"
          log: /root/s.log${RULES.replace("success: 'Done restarting router'", '')}
        register: s
        ignore_errors: true
      - {name: show, log: "{{json s}}"}`);
    expect(r.end('sysvmadm').status).to.equal('failed');
    expect(r.end('sysvmadm').msg).to.match(/^2 failure line\(s\), first: ERROR: Failed to stop secondary storage vm with id /);
    expect(r.logged('show')['rc']).to.equal(0);
  });

  it('on interrupt stops the lab command through its pid file, as over OpenSSH', async () => {
    const lab = await testLab({ ssh: true, speed: 50 });
    await openIntegrationPort(lab);
    const ac = new AbortController();
    const r = await run(lab, `
      - name: sysvmadm
        follow: {command: "cloudstack-sysvmadm -u {{cloudstack_db.user}} -p {{quote cloudstack_db.password}} -a", log: /root/i.log}`, {
      interrupt: ac.signal,
      onEvent: (e) => {
        if (e.type === 'step-output' && e.line.startsWith('Stopping')) ac.abort();
      },
    });
    expect(r.end('sysvmadm').status).to.equal('failed');
    expect(r.end('sysvmadm').msg).to.match(/^interrupted; stopped the remote command \(pid \d+\)$/);
    expect((await lab.exec('mgmt1', 'pgrep -f cloudstack-sysvmadm')).code).to.equal(1);
  });

  it('service restarts the emulated cloudstack-management unit and wait_for sees the integration port', async () => {
    const lab = await testLab({ ssh: true, speed: 2000 });
    const port = await freePort();
    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(port) });
    const r = await run(lab, `
      - {name: before, service: {name: cloudstack-management, state: status}, register: b}
      - {name: restart, service: {name: cloudstack-management, state: restarted}, register: s}
      - {name: port, wait_for: {from: mgmt1, host: 127.0.0.1, port: ${port}, timeout: 1m}}
      - {name: show, log: "{{json s}}"}`);
    expect(r.end('before').status).to.equal('ok');
    expect(r.end('restart').status, r.end('restart').msg).to.equal('changed');
    expect(r.logged('show')).to.include({ state: 'active', action: 'restart' });
    expect(r.end('port').status, r.end('port').msg).to.equal('ok');
  });

  it('shell and wait_for search run on the emulated shell', async () => {
    const lab = await testLab({ ssh: true, speed: 2000 });
    const r = await run(lab, `
      - {name: release, shell: "cat /etc/cloudstack-release", register: rel}
      - {name: mark, shell: "echo ready-for-upgrade >> /root/notes.txt"}
      - {name: seen, wait_for: {path: /root/notes.txt, search: 'ready-(?<what>\\w+)', timeout: 10s}, register: w}
      - {name: show, log: "{{w.groups.what}} {{rel.stdout}}"}`);
    expect(r.end('seen').status, r.end('seen').msg).to.equal('ok');
    expect(r.end('show').msg).to.match(/^for Cloudstack Release \d/);
  });
});
