// Commands of the emulated management and KVM hosts: systemctl on cloudstack-management, systemd-run
// timers on lab time, mysql and curl against the lab, and ssh from a KVM host into its system VMs.

import { expect } from 'chai';
import { ManualClock } from '../../src/lab/index.js';
import { freePort, ok, stopLabs, testLab, waitFor } from './helpers.js';

describe('lab management host commands', () => {
  afterEach(stopLabs);

  it('systemctl restart cloudstack-management restarts the server and the log records the port', async () => {
    const lab = await testLab({ clock: new ManualClock(), speed: 1 });
    const port = await freePort();
    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(port) });
    const r = await lab.exec('mgmt1', 'systemctl restart cloudstack-management && systemctl is-active cloudstack-management');
    expect(r).to.include({ code: 0, stdout: 'active\n' });
    expect(lab.state().managementServer.state).to.equal('restarting');
    await lab.advance(5_001);
    expect(lab.state().managementServer.state).to.equal('running');
    const log = await lab.exec('mgmt1', 'tail -n 50 /var/log/cloudstack/management/management-server.log');
    expect(log.stdout).to.include(`ApiServer listening on port ${port}`);
    const st = await lab.exec('mgmt1', 'systemctl stop cloudstack-management; systemctl is-active cloudstack-management; systemctl status cloudstack-management');
    expect(st.code).to.equal(3);
    expect(st.stdout).to.match(/^inactive\n● cloudstack-management.service - CloudStack Management Server\n/);
    expect((await lab.exec('mgmt1', 'systemctl status nosuch')).stderr).to.equal('Unit nosuch.service could not be found.\n');
  });

  it('systemd-run --on-active runs a command later in lab time; systemctl stop NAME.timer cancels it', async () => {
    const lab = await testLab({ clock: new ManualClock(), speed: 1 });
    const run = await lab.exec('mgmt1', "systemd-run --on-active=2h --unit=close-port sh -c 'echo fired > /tmp/fired'");
    expect(run).to.include({ code: 0, stderr: 'Running timer as unit: close-port.timer\nWill run service as unit: close-port.service\n' });
    expect((await lab.exec('mgmt1', 'systemctl is-active close-port.timer')).stdout).to.equal('active\n');
    expect((await lab.exec('mgmt1', 'systemd-run --on-active=5min --unit=close-port true')).code).to.equal(1);
    await lab.exec('mgmt1', 'systemd-run --on-active=30min --unit=other sh -c "echo other > /tmp/other"');
    await lab.exec('mgmt1', 'systemctl stop other.timer');
    await lab.advance(2 * 3_600_000 + 1);
    expect((await lab.exec('mgmt1', 'cat /tmp/fired')).stdout).to.equal('fired\n');
    expect((await lab.exec('mgmt1', 'test -e /tmp/other')).code).to.equal(1);
    const t = await lab.exec('mgmt1', 'systemctl is-active close-port.timer other.timer');
    expect(t).to.include({ code: 3, stdout: 'inactive\ninactive\n' });
    expect(lab.state().timers.map((x) => [x.unit, x.state])).to.deep.equal([['close-port', 'ran'], ['other', 'stopped']]);
    expect((await lab.exec('mgmt1', 'systemd-run --on-active=soon --unit=x true')).stderr).to.equal('Failed to parse timer value: soon\n');
  });

  it('a timer can close the integration port without the API: mysql UPDATE + restart', async () => {
    const lab = await testLab({ clock: new ManualClock(), speed: 1, restartDelayMs: 1_000 });
    const port = await freePort();
    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: String(port) });
    await lab.restartManagementServer({ wait: false });
    await lab.advance(1_001);
    expect(lab.state().managementServer.integrationPort.listening).to.equal(true);
    await lab.exec('mgmt1',
      `systemd-run --on-active=1h --unit=guard sh -c "mysql -u cloud -p${lab.dbPassword} cloud -e \\"UPDATE configuration SET value='0' WHERE name='integration.api.port'\\" && systemctl restart cloudstack-management"`);
    await lab.advance(3_600_000 + 2_000);
    expect(lab.state().managementServer.integrationPort).to.deep.equal({ dbValue: '0', effective: 0, listening: false });
  });

  it('a timer can run a script file that removes itself (how stackplay keeps a password out of the unit)', async () => {
    const lab = await testLab({ clock: new ManualClock(), speed: 1 });
    const w = await lab.exec('mgmt1', `umask 077 && mkdir -p /run/guard && printf 'rm -f "$0"\\necho ran $0 > /tmp/ran\\n' > /run/guard/g.sh && systemd-run --on-active=1h --unit=g /bin/sh /run/guard/g.sh`);
    expect(w.code, w.stderr).to.equal(0);
    expect((await lab.exec('mgmt1', 'test -e /run/guard/g.sh')).code).to.equal(0);
    await lab.advance(3_600_000 + 1);
    expect((await lab.exec('mgmt1', 'cat /tmp/ran')).stdout).to.equal('ran /run/guard/g.sh\n');
    expect((await lab.exec('mgmt1', 'test -e /run/guard/g.sh')).code).to.equal(1);
    expect((await lab.exec('mgmt1', 'sh /nonexistent')).code).to.equal(2);
    expect((await lab.exec('mgmt1', 'umask 99')).code).to.equal(1);
  });

  it('mysql checks the lab DB credentials and answers SELECT/UPDATE on configuration', async () => {
    const lab = await testLab();
    const sel = await lab.exec('mgmt1', `mysql -h localhost -u cloud -p${lab.dbPassword} -N cloud -e "SELECT value FROM configuration WHERE name='integration.api.port'"`);
    expect(sel).to.include({ code: 0, stdout: '0\n' });
    const denied = await lab.exec('mgmt1', `mysql -u cloud -pwrong -e "select 1"`);
    expect(denied).to.include({ code: 1, stderr: "ERROR 1045 (28000): Access denied for user 'cloud'@'localhost' (using password: YES)\n" });
    const far = await lab.exec('mgmt1', `mysql -h db.example -u cloud --password=${lab.dbPassword} -e "select 1"`);
    expect(far.stderr).to.equal("ERROR 2005 (HY000): Unknown MySQL server host 'db.example' (-2)\n");
    const other = await lab.exec('mgmt1', `mysql -u cloud -p${lab.dbPassword} -e "select * from vm_instance"`);
    expect(other.code).to.equal(1);
    expect(other.stderr).to.match(/^ERROR 1064 \(42000\)/);
  });

  it('curl reaches 8080 (mapped to the lab API) and reports a closed integration port like curl does', async () => {
    const lab = await testLab();
    const r = await lab.exec('mgmt1', "curl -s 'http://localhost:8080/client/api?command=listCapabilities&response=json'");
    expect(JSON.parse(r.stdout).listcapabilitiesresponse.errorcode).to.equal(401);
    const closed = await lab.exec('mgmt1', "curl -sS 'http://localhost:8096/?command=listCapabilities&response=json'");
    expect(closed).to.include({ code: 7, stderr: 'curl: (7) Failed to connect to localhost port 8096 after 0 ms: Connection refused\n', stdout: '' });
    expect((await lab.exec('mgmt1', 'curl -s http://example.org/')).code).to.equal(6);
    expect((await lab.exec('mgmt1', "curl -sf -o /tmp/out 'http://127.0.0.1:8080/client/api?command=listZones'")).code).to.equal(22);
  });

  it('cat shows /etc/cloudstack-release and db.properties without the DB password', async () => {
    const lab = await testLab();
    expect((await lab.exec('mgmt1', 'cat /etc/cloudstack-release')).stdout).to.equal('Cloudstack Release 4.20.1.0\n');
    const props = (await lab.exec('mgmt1', 'cat /etc/cloudstack/management/db.properties')).stdout;
    expect(props).to.include('db.cloud.username=cloud');
    expect(props).to.not.include(lab.dbPassword);
  });
});

describe('lab KVM hosts and system VMs', () => {
  afterEach(stopLabs);

  it('ssh -p 3922 -i /root/.ssh/id_rsa.cloud <link-local> runs commands inside a running VM on that host', async () => {
    const lab = await testLab();
    const ssvm = lab.state().systemVms.find((v) => v.type === 'ssvm')!;
    const ssh = `ssh -p 3922 -i /root/.ssh/id_rsa.cloud ${ssvm.linkLocalIp as string}`;
    const rel = await lab.exec(ssvm.host as string, `${ssh} 'cat /etc/cloudstack-release'`);
    expect(rel.stdout).to.match(/^Cloudstack Release 4\.19\.0 /);
    expect((await lab.exec(ssvm.host as string, `${ssh} cat /var/cache/cloud/enabled_svcs`)).stdout).to.equal('cloud apache2 nfs-common portmap\n');
    const act = await lab.exec(ssvm.host as string, `${ssh} 'systemctl is-active cloud apache2 haproxy'`);
    expect(act).to.include({ code: 3, stdout: 'active\nactive\ninactive\n' });
    const router = lab.state().routers.find((r) => r.name && !r.vpc && r.redundantState === 'UNKNOWN')!;
    const rs = await lab.exec(router.host as string, `ssh -p 3922 -i /root/.ssh/id_rsa.cloud ${router.linkLocalIp as string} 'cat /var/cache/cloud/enabled_svcs'`);
    expect(rs.stdout).to.equal('haproxy apache2\ndnsmasq\n');
    // a VM's files persist across sessions: what one writes, the next reads (and it wins over the boot-time file)
    const into = `ssh -p 3922 -i /root/.ssh/id_rsa.cloud ${router.linkLocalIp as string}`;
    expect((await lab.exec(router.host as string, `${into} 'echo haproxy > /var/cache/cloud/enabled_svcs; touch /tmp/mark'`)).code).to.equal(0);
    expect((await lab.exec(router.host as string, `${into} 'cat /var/cache/cloud/enabled_svcs; test -e /tmp/mark && echo kept'`)).stdout).to.equal('haproxy\nkept\n');
  });

  it('a stopped VM refuses the connection, a VM on another host is unreachable, a wrong key is denied', async () => {
    const lab = await testLab({ config: { hostsPerZone: 2 } });
    const ssvm = lab.state().systemVms.find((v) => v.type === 'ssvm')!;
    const other = ssvm.host === 'kvm01' ? 'kvm02' : 'kvm01';
    const noRoute = await lab.exec(other, `ssh -p 3922 -i /root/.ssh/id_rsa.cloud ${ssvm.linkLocalIp as string} true`);
    expect(noRoute).to.include({ code: 255, stderr: `ssh: connect to host ${ssvm.linkLocalIp as string} port 3922: No route to host\n` });
    const badKey = await lab.exec(ssvm.host as string, `ssh -p 3922 -i /root/.ssh/id_rsa ${ssvm.linkLocalIp as string} true`);
    expect(badKey).to.include({ code: 255, stderr: `root@${ssvm.linkLocalIp as string}: Permission denied (publickey).\n` });
    await ok(lab, { command: 'stopSystemVm', id: ssvm.id as string });
    await waitFor(() => lab.state().systemVms.find((v) => v.id === ssvm.id)!.state === 'Stopped', 'ssvm stopped');
    const refused = await lab.exec(ssvm.host as string, `ssh -p 3922 -i /root/.ssh/id_rsa.cloud ${ssvm.linkLocalIp as string} true`);
    expect(refused).to.include({ code: 255, stderr: `ssh: connect to host ${ssvm.linkLocalIp as string} port 3922: Connection refused\n` });
  });

  it('a router rebooted onto the 4.20 template lists frr among its services', async () => {
    const lab = await testLab();
    const r = lab.state().routers.find((x) => !x.vpc && x.redundantState === 'UNKNOWN')!;
    await ok(lab, { command: 'rebootRouter', id: r.id as string });
    await waitFor(() => lab.state().jobs.every((j) => j.status !== 0), 'reboot job');
    const out = await lab.exec(r.host as string, `ssh -p 3922 -i /root/.ssh/id_rsa.cloud ${r.linkLocalIp as string} 'cat /etc/cloudstack-release; cat /var/cache/cloud/enabled_svcs'`);
    expect(out.stdout).to.match(/^Cloudstack Release 4\.20\.1 .*\nhaproxy apache2 frr\ndnsmasq\n$/);
  });
});
