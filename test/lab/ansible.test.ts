// Ansible's ngine_io.cloudstack modules (Debian's `ansible` package) against the lab, unchanged, for the
// 4.18, 4.19.1 and 4.20.1 profiles: cs_zone_info, cs_configuration (change, then no change), cs_router
// (restart and stop, polling the jobs) and cs_instance_info (one instance by name with its volumes, and
// all). One ansible-playbook run on local hosts, one per lab, with each lab's URL and keys as module defaults.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stopLabs, testLab } from './helpers.js';

const run = promisify(execFile);

// One run for every profile: each lab is a host of its own (all local), so the modules run side by side.
const PLAYBOOK = `
- hosts: all
  connection: local
  gather_facts: false
  module_defaults:
    group/ngine_io.cloudstack.cloudstack: { api_url: "{{ cs_url }}", api_key: "{{ cs_key }}", api_secret: "{{ cs_secret }}" }
  tasks:
    - ngine_io.cloudstack.cs_zone_info: {}
      register: zones
    - ngine_io.cloudstack.cs_configuration: { name: integration.api.port, value: 8096 }
      register: cfg1
    - ngine_io.cloudstack.cs_configuration: { name: integration.api.port, value: 8096 }
      register: cfg2
    - ngine_io.cloudstack.cs_router: { name: "{{ router }}", state: restarted }
      register: restarted
    - ngine_io.cloudstack.cs_router: { name: "{{ router2 }}", state: stopped }
      register: stopped
    - ngine_io.cloudstack.cs_instance_info: { name: "{{ instance }}" }
      register: one
    - ngine_io.cloudstack.cs_instance_info: {}
      register: all
    - copy:
        dest: "{{ out }}"
        content: "{{ {'zones': zones.zones | map(attribute='name') | list,
                      'cfg': [cfg1.changed, cfg1.value, cfg2.changed],
                      'restarted': [restarted.changed, restarted.state, restarted.requires_upgrade],
                      'stopped': [stopped.changed, stopped.state],
                      'one': one.instances | map(attribute='name') | list,
                      'volumes': one.instances[0].volumes,
                      'ip': one.instances[0].default_ip,
                      'all': all.instances | length} | to_json }}"
`;

const PROFILES = ['4.18.2.5', '4.19.1.0', '4.20.1.0'];

describe('lab with Ansible ngine_io.cloudstack modules', function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-ansible-'))));
  afterEach(async () => {
    await stopLabs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`cs_zone_info, cs_configuration, cs_router and cs_instance_info work unchanged (${PROFILES.join(', ')})`, async () => {
    const labs = await Promise.all(PROFILES.map((version) => testLab({ version })));
    const hosts: Record<string, Record<string, string>> = {};
    const expected: Record<string, unknown> = {};
    labs.forEach((lab, i) => {
      const w = lab.world;
      const [router, router2] = w.routers.filter((r) => w.owner(r.ownerId).kind === 'account');
      const instance = w.userVms.find((v) => v.ownerId === w.adminAccount.id)!;
      const name = `lab${i}`;
      hosts[name] = {
        ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3', cs_url: lab.apiUrl, cs_key: lab.apiKey,
        cs_secret: lab.secretKey, router: router!.name, router2: router2!.name, instance: instance.name, out: path.join(dir, `${name}.json`),
      };
      expected[name] = {
        zones: ['zone1'], cfg: [true, '8096', false], restarted: [true, 'Running', false], stopped: [true, 'Stopped'],
        one: [instance.name], volumes: [{ size: 8 * 1024 ** 3, type: 'ROOT', name: `ROOT-${instance.internalId}` }],
        ip: instance.ipAddress, all: 1,
      };
    });
    const inventory = path.join(dir, 'inventory.json');
    fs.writeFileSync(inventory, JSON.stringify({ all: { hosts } }));
    const pb = path.join(dir, 'pb.yml');
    fs.writeFileSync(pb, PLAYBOOK);
    await run('ansible-playbook', ['-i', inventory, '-f', String(PROFILES.length), pb], {
      env: {
        ...process.env, HOME: dir, ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'), ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0',
        ANSIBLE_PIPELINING: '1',
      },
    });
    const got = Object.fromEntries(Object.keys(hosts).map((h) => [h, JSON.parse(fs.readFileSync(path.join(dir, `${h}.json`), 'utf8'))]));
    expect(got).to.deep.equal(expected);
    for (const [i, lab] of labs.entries()) {
      expect(lab.state().settings['integration.api.port']).to.equal('8096');
      expect(lab.state().routers.find((r) => r['name'] === hosts[`lab${i}`]!['router2'])?.['state']).to.equal('Stopped');
    }
  });
});
