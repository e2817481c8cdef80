// cloudstack.vm_services on the lab's KVM hosts (over SSH, into the VMs on their link-local addresses):
// the services of a VM are asked about as quoted arguments, a file's words are parsed as a list, a word
// or an address that could be shell text is refused and shown, and a VM that cannot be reached is said so.

import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../../../src/lab/index.js';
import { loadPlaybook } from '../../../src/loader/load-playbook.js';
import { stepRegistry } from '../../../src/steps/registry.js';
import { isIpAddress, parseServiceList } from '../../../src/steps/cloudstack/unit-names.js';
import { shellQuote } from '../../../src/util/shell-quote.js';
import { ok, stopLabs, testLab, waitFor } from '../../lab/helpers.js';
import { playbook, runPlaybookText } from '../remote/harness.js';

describe('steps: cloudstack.vm_services', function () {
  this.timeout(60_000);

  it('parses a service list as words on any number of lines, commas allowed, and refuses what cannot be a unit name', () => {
    expect(parseServiceList('haproxy apache2\ndnsmasq\n radvd,frr\n\n')).to.deep.equal({ units: ['haproxy', 'apache2', 'dnsmasq', 'radvd', 'frr'], rejected: [] });
    expect(parseServiceList('cloud\n$(reboot) a;b `id` \'x\' -f getty@tty1.service')).to.deep.equal({
      units: ['cloud', 'getty@tty1.service'], rejected: ['$(reboot)', 'a;b', '`id`', "'x'", '-f'],
    });
    for (const ok of ['169.254.3.7', '10.0.0.1', 'fe80::1', '::1']) expect(isIpAddress(ok), ok).to.equal(true);
    for (const bad of ['169.254.3.7; reboot', '169.254.3', '300.1.1.1', 'host', '', '$(id)', '1.2.3.4\n']) expect(isIpAddress(bad), bad).to.equal(false);
  });

  it('takes exactly one of services and services_from (a load-time error)', () => {
    const text = playbook(`
      - name: both
        cloudstack.vm_services: {address: 169.254.0.1, services: [cloud], services_from: /var/cache/cloud/enabled_svcs}
      - name: none
        cloudstack.vm_services: {address: 169.254.0.1}`);
    const r = loadPlaybook('t.yml', text, { steps: stepRegistry });
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.problems.items.map((p) => [p.code, p.pos?.line])).to.deep.equal([['conflicting-arguments', 8], ['conflicting-arguments', 10]]);
  });

  describe('against the lab', () => {
    let lab: Lab;
    let home: string;
    beforeEach(async () => {
      lab = await testLab({ ssh: true });
      home = mkdtempSync(join(tmpdir(), 'stackplay-vmsvc-'));
    });
    afterEach(async () => {
      await stopLabs();
      rmSync(home, { recursive: true, force: true });
    });
    const vm = (name: string): Record<string, unknown> => [...lab.state().systemVms, ...lab.state().routers].find((v) => v['name'] === name)!;
    const run = (host: string, steps: string) =>
      runPlaybookText(playbook(steps, host), readFileSync(lab.inventoryPath, 'utf8'), { dir: home, knownHosts: join(home, 'known_hosts') });

    it('checks given services and the words of enabled_svcs inside the VM, from the host that runs it', async () => {
      const ssvm = vm('s-1-VM');
      const router = vm('r-3-VM');
      expect(ssvm['host']).to.equal(router['host']);
      const r = await run(String(ssvm['host']), `
      - name: ssvm
        cloudstack.vm_services: {vm: s-1-VM, address: "${String(ssvm['linkLocalIp'])}", services: [cloud, "apache2 portmap"]}
        register: s
      - {name: show, log: "{{json s}}"}
      - name: router
        cloudstack.vm_services: {vm: r-3-VM, address: "${String(router['linkLocalIp'])}", services_from: /var/cache/cloud/enabled_svcs}`);
      expect(r.end('ssvm').msg).to.equal(`s-1-VM (${String(ssvm['linkLocalIp'])}): cloud active, apache2 active, portmap active`);
      expect(r.logged('show')).to.deep.include({ vm: 's-1-VM', inactive: [], rejected: [], source: 'services' });
      expect(r.end('router').msg).to.equal(`r-3-VM (${String(router['linkLocalIp'])}): haproxy active, apache2 active, dnsmasq active`);
    });

    it('an inactive service fails the check unless allowed; a stopped VM is reported as unreachable', async () => {
      const router = vm('r-3-VM');
      const host = String(router['host']);
      let r = await run(host, `
      - name: check
        cloudstack.vm_services: {vm: r-3-VM, address: "${String(router['linkLocalIp'])}", services: [haproxy, keepalived, radvd], allow_inactive: radvd}
        ignore_errors: true`);
      expect(r.end('check').msg).to.equal(`r-3-VM (${String(router['linkLocalIp'])}): not active: keepalived (haproxy active, keepalived inactive, radvd inactive)`);
      const stopped = lab.state().routers.find((x) => x['name'] !== 'r-3-VM' && x['host'] === host)!;
      await ok(lab, { command: 'stopRouter', id: String(stopped['id']) });
      await waitFor(() => lab.state().routers.find((x) => x['name'] === stopped['name'])!['state'] === 'Stopped', 'the router to stop');
      r = await run(host, `
      - name: check
        cloudstack.vm_services: {vm: ${String(stopped['name'])}, address: "${String(stopped['linkLocalIp'])}", services: [haproxy]}
        ignore_errors: true`);
      expect(r.end('check').msg).to.equal(`${String(stopped['name'])} (${String(stopped['linkLocalIp'])}): cannot reach the VM from ${host} (ssh failed): ` +
        `ssh: connect to host ${String(stopped['linkLocalIp'])} port 3922: Connection refused`);
    });

    it('refuses an address or a file word that could be shell text, runs nothing, and shows the words escaped', async () => {
      const router = vm('r-3-VM');
      const host = String(router['host']);
      const ip = String(router['linkLocalIp']);
      const ssh = `ssh -p 3922 -i /root/.ssh/id_rsa.cloud ${ip}`;
      const file = 'haproxy\n$(touch /tmp/in-subst);touch /tmp/in-semicolon\n';
      expect((await lab.exec(host, `${ssh} ${shellQuote(`printf '%s' ${shellQuote(file, 'always')} > /var/cache/cloud/enabled_svcs`, 'always')}`)).code).to.equal(0);
      const r = await run(host, `
      - name: address
        cloudstack.vm_services: {vm: r-3-VM, address: "${ip}; touch /tmp/by-address", services: [haproxy]}
        ignore_errors: true
      - name: file
        cloudstack.vm_services: {vm: r-3-VM, address: "${ip}", services_from: /var/cache/cloud/enabled_svcs}
        ignore_errors: true`);
      expect(r.end('address').msg).to.equal(`r-3-VM: the address "${ip}; touch /tmp/by-address" is not an IP address; nothing was run`);
      expect(r.end('file').msg).to.equal(`r-3-VM (${ip}): /var/cache/cloud/enabled_svcs holds text that is not a unit name: ` +
        '"$(touch", "/tmp/in-subst);touch", "/tmp/in-semicolon" (not run) (haproxy active)');
      for (const m of ['by-address', 'in-subst', 'in-semicolon']) {
        expect((await lab.exec(host, `test -e /tmp/${m}`)).code, `${m} on ${host}`).to.equal(1);
        expect((await lab.exec(host, `${ssh} 'test -e /tmp/${m}'`)).code, `${m} in the VM`).to.equal(1);
      }
    });
  });
});
