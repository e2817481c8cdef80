// The lab's SSH hosts with a real ssh2 client: public-key auth pinned to the lab's host key, exec of the
// emulated shell, a direct-tcpip tunnel to the integration port, KVM hosts, and the connection-drop fault.

import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import ssh2 from 'ssh2';
import type { Lab } from '../../src/lab/index.js';
import { exec, freePort, ok, sshConnect, stopLabs, testLab, waitFor } from './helpers.js';

/** GET through an SSH direct-tcpip channel (like `ssh -L`), returning status and body. */
function getThroughTunnel(c: ssh2.Client, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    c.forwardOut('127.0.0.1', 0, '127.0.0.1', port, (err, stream) => {
      if (err) return reject(err);
      const req = http.request({ path, method: 'GET', host: '127.0.0.1', createConnection: () => stream as never }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  });
}

describe('lab SSH hosts', () => {
  afterEach(stopLabs);
  let clients: ssh2.Client[] = [];
  afterEach(() => {
    for (const c of clients) c.end();
    clients = [];
  });
  const connect = async (lab: Lab, port?: number, key?: string): Promise<ssh2.Client> => {
    const c = await sshConnect(lab, port, key);
    clients.push(c);
    return c;
  };

  it('writes a known_hosts entry per host, the key pair and an inventory that points at them', async () => {
    const lab = await testLab({ ssh: true });
    const kh = fs.readFileSync(lab.knownHostsPath, 'utf8').trim().split('\n');
    expect(kh).to.have.length(lab.hosts.length);
    expect(kh[0]).to.match(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${lab.sshPort} ssh-ed25519 AAAA[A-Za-z0-9+/=]+$`));
    expect(lab.hostKeyFingerprint).to.match(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fs.statSync(lab.privateKeyPath).mode & 0o777).to.equal(0o600);
    const inv = fs.readFileSync(lab.inventoryPath, 'utf8');
    expect(inv).to.include(`port: ${lab.sshPort}`);
    expect(inv).to.include(`url: "${lab.apiUrl}"`);
    expect(inv).to.include(`api_key: { secret: "${lab.apiKey}" }`);
    expect(inv).to.include('groups:\n  management: { hosts: [mgmt1, mgmt2] }\n  kvm: { hosts: [kvm01, kvm02] }');
  });

  it('authenticates root with the lab key only and runs commands over exec', async () => {
    const lab = await testLab({ ssh: true });
    const c = await connect(lab);
    expect(await exec(c, 'echo hello && hostname')).to.deep.equal({ code: 0, stdout: 'hello\nmgmt1\n', stderr: '' });
    expect((await exec(c, 'nosuchcmd')).code).to.equal(127);
    // standard input reaches the command (copy and the dead-man timer write files this way)
    expect(await exec(c, 'cat > /tmp/in && cat /tmp/in', 'line one\nzwei ü\n')).to.deep.equal({ code: 0, stdout: 'line one\nzwei ü\n', stderr: '' });
    const other = ssh2.utils.generateKeyPairSync('ed25519');
    let failed = false;
    try {
      await connect(lab, lab.sshPort, other.private);
    } catch (e) {
      failed = /authentication/i.test((e as Error).message);
    }
    expect(failed).to.equal(true);
  });

  it('runs sysvmadm in the background under nohup and the log can be followed with tail -c +N', async () => {
    const lab = await testLab({ ssh: true, speed: 2000 });
    const port = await freePort();
    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(port) });
    const c = await connect(lab);
    await exec(c, 'systemctl restart cloudstack-management');
    await waitFor(() => lab.state().managementServer.integrationPort.listening, 'integration port');
    const start = await exec(c, `nohup cloudstack-sysvmadm -d localhost -u cloud -p ${lab.dbPassword} -a > /root/sysvm.log 2>&1 &`);
    expect(start).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    await waitFor(() => lab.state().sysvmadmRuns[0]?.state === 'done', 'sysvmadm to finish');
    const first = await exec(c, 'tail -c +1 /root/sysvm.log');
    expect(first.stdout).to.match(/Done restarting router\(s\)\. \n\n$/);
    const size = Number((await exec(c, 'stat -c %s /root/sysvm.log')).stdout.trim());
    expect((await exec(c, `tail -c +${size + 1} /root/sysvm.log`)).stdout).to.equal('');
  });

  it('forwards direct-tcpip to 127.0.0.1:<integration port> and to 8080 through the management host', async () => {
    const lab = await testLab({ ssh: true });
    const port = await freePort();
    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(port) });
    const c = await connect(lab);
    let refused = false;
    await getThroughTunnel(c, port, '/?command=listCapabilities&response=json').catch(() => (refused = true));
    expect(refused).to.equal(true);
    await lab.restartManagementServer();
    const r = await getThroughTunnel(c, port, '/?command=listRouters&listall=true&response=json');
    expect(r.status).to.equal(200);
    expect(JSON.parse(r.body).listroutersresponse.count).to.equal(5);
    const api = await getThroughTunnel(c, 8080, '/client/api?command=listZones&response=json');
    expect(api.status).to.equal(401);
  });

  it('KVM hosts are served on their own ports; ssh into a system VM works from there', async () => {
    const lab = await testLab({ ssh: true });
    const ssvm = lab.state().systemVms.find((v) => v.type === 'ssvm')!;
    const ep = lab.hosts.find((h) => h.name === ssvm.host)!;
    const c = await connect(lab, ep.port);
    const r = await exec(c, `ssh -p 3922 -i /root/.ssh/id_rsa.cloud ${ssvm.linkLocalIp as string} 'systemctl is-active cloud'`);
    expect(r).to.deep.equal({ code: 0, stdout: 'active\n', stderr: '' });
    expect((await exec(c, 'systemctl is-active cloudstack-agent')).stdout).to.equal('active\n');
  });

  it('fault sshDropAfter cuts the connection after N commands', async () => {
    const lab = await testLab({ ssh: true, faults: { sshDropAfter: 2 } });
    const c = await connect(lab);
    const closed = new Promise<void>((resolve) => c.on('close', () => resolve()));
    expect((await exec(c, 'true')).code).to.equal(0);
    expect((await exec(c, 'echo two')).stdout).to.equal('two\n');
    await closed;
    let failed = false;
    await exec(c, 'echo three').catch(() => (failed = true));
    expect(failed).to.equal(true);
  });
});
