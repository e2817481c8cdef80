// Inside the lab's system VMs: /var/cache/cloud/enabled_svcs and disabled_svcs per VM type as the setup
// scripts write them (several lines on routers: keepalived on redundant ones, radvd where IPv6 is on),
// and systemctl/ps for those services, read over SSH from the KVM host as an operator would. The classic
// preset keeps the lab's first, one-line file for today's bundled playbooks.

import { expect } from 'chai';
import type { Lab } from '../../src/lab/index.js';
import { ok, stopLabs, testLab, waitFor } from './helpers.js';

/** Runs a command inside a VM, from the KVM host it runs on. */
async function inVm(lab: Lab, name: string, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const vm = [...lab.state().systemVms, ...lab.state().routers].find((v) => v.name === name)!;
  return lab.exec(vm.host as string, `ssh -p 3922 -i /root/.ssh/id_rsa.cloud ${vm.linkLocalIp as string} '${command}'`);
}

describe('lab system VMs: enabled_svcs and their services', () => {
  afterEach(stopLabs);

  it('writes one line for SSVM and CPVM and routing_svcs lines for routers (4.19 template: no frr); classic keeps one line', async () => {
    const lab = await testLab({ config: { preset: 'production' } });
    const w = lab.world;
    expect((await inVm(lab, 's-1-VM', 'cat /var/cache/cloud/enabled_svcs /var/cache/cloud/disabled_svcs')).stdout)
      .to.equal('cloud apache2 nfs-common portmap\nconntrackd keepalived haproxy dnsmasq\n');
    expect((await inVm(lab, 'v-2-VM', 'cat /var/cache/cloud/enabled_svcs /var/cache/cloud/disabled_svcs')).stdout)
      .to.equal('cloud\nhaproxy dnsmasq apache2 nfs-common portmap\n');
    // r-5-VM: isolated, IPv6 (radvd appended by restore_ipv6); r-6-VM: isolated; r-9/10-VM: redundant pair
    const r5 = w.vmByName('r-5-VM');
    expect(r5?.kind === 'router' && w.network(r5.networkIds[0]!)?.ipv6).to.equal(true);
    expect((await inVm(lab, 'r-5-VM', 'cat /var/cache/cloud/enabled_svcs')).stdout).to.equal('haproxy apache2\ndnsmasq\nradvd\n');
    expect((await inVm(lab, 'r-6-VM', 'cat /var/cache/cloud/enabled_svcs /var/cache/cloud/disabled_svcs')).stdout)
      .to.equal('haproxy apache2\ndnsmasq\ncloud nfs-common portmap\nkeepalived conntrackd\n');
    expect((await inVm(lab, 'r-9-VM', 'cat /var/cache/cloud/enabled_svcs /var/cache/cloud/disabled_svcs')).stdout)
      .to.equal('haproxy apache2\nkeepalived\ncloud nfs-common portmap\ndnsmasq conntrackd\n');
    // a VPC router: no radvd in the file (vpcrouter.sh sets IPv6 up without it)
    expect((await inVm(lab, 'r-13-VM', 'cat /var/cache/cloud/enabled_svcs')).stdout).to.equal('haproxy apache2\ndnsmasq\n');
    // the classic preset writes the file the same way
    const classic = await testLab();
    expect((await inVm(classic, 'r-3-VM', 'cat /var/cache/cloud/enabled_svcs')).stdout).to.equal('haproxy apache2\ndnsmasq\n');
    expect((await inVm(classic, 'r-5-VM', 'cat /var/cache/cloud/enabled_svcs')).stdout).to.equal('haproxy apache2\nkeepalived\n');
  });

  it('systemctl is-active answers for the services of the file; ps shows their daemons', async () => {
    const lab = await testLab({ config: { preset: 'production' } });
    const act = await inVm(lab, 'r-9-VM', 'systemctl is-active haproxy apache2 keepalived dnsmasq cloud');
    expect(act).to.include({ code: 3, stdout: 'active\nactive\nactive\ninactive\ninactive\n' });
    const en = await inVm(lab, 'r-6-VM', 'for s in $(cat /var/cache/cloud/enabled_svcs); do systemctl is-active --quiet $s && echo "$s up"; done');
    expect(en.stdout).to.equal('haproxy up\napache2 up\ndnsmasq up\n');
    expect((await inVm(lab, 'r-5-VM', 'systemctl is-enabled radvd keepalived')).stdout).to.equal('enabled\ndisabled\n');
    expect((await inVm(lab, 'r-6-VM', 'pgrep -l dnsmasq; pgrep haproxy >/dev/null && echo ha')).stdout).to.match(/^\d+ dnsmasq\nha\n$/);
  });

  it('radvd runs on the PRIMARY of a redundant IPv6 pair only; a 4.20 template adds frr on the first line', async () => {
    const lab = await testLab({ config: { preset: 'production', zones: 1, ipv6Networks: 0, background_jobs: 0 } });
    const pair = lab.world.routers.filter((r) => r.isRedundant && !r.vpcId).slice(0, 2);
    lab.world.network(pair[0]!.networkIds[0]!)!.ipv6 = true;
    const [primary, backup] = pair.map((r) => r.name) as [string, string];
    expect((await inVm(lab, primary, 'cat /var/cache/cloud/enabled_svcs; systemctl is-active radvd')).stdout).to.equal('haproxy apache2\nkeepalived\nradvd\nactive\n');
    expect((await inVm(lab, backup, 'systemctl is-active radvd')).stdout).to.equal('inactive\n');
    await ok(lab, { command: 'rebootRouter', id: pair[0]!.id });
    await waitFor(() => lab.state().jobs.every((j) => j.status !== 0), 'reboot job');
    expect((await inVm(lab, primary, 'cat /var/cache/cloud/enabled_svcs')).stdout).to.equal('haproxy apache2 frr\nkeepalived\nradvd\n');
  });
});
