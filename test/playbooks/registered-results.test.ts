// Every step type registers only the fields it declares (what `stackplay steps TYPE` and docs/steps.md
// say), checked on real results: one step of each type that can run on its own against the lab; the
// others (systemvms, routers, restart, sysvmadm, vm_services, the integration port closed) are checked
// by the bundled playbooks' tests, whose every run goes through the same check (lab-run.ts). copy and
// template need an SFTP subsystem, which the lab's SSH server does not offer: not checked here.

import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectOk, LabPlaybooks } from './lab-run.js';

describe('registered results match their step types\' declarations', function () {
  this.timeout(90_000);
  let h: LabPlaybooks;
  let dir: string;
  before(async () => {
    h = await LabPlaybooks.start('127.0.0.73');
    dir = mkdtempSync(join(tmpdir(), 'stackplay-results-'));
  });
  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one step of every type that runs on its own, each registering', async () => {
    const steps: Array<[string, string]> = [
      ['r_shell', 'shell: "echo a"'],
      ['r_local', 'local: "echo b"'],
      ['r_service', 'service: {name: cloudstack-management, state: status}'],
      ['r_wait_for', `wait_for: {port: ${new URL(h.lab.apiUrl).port}, host: ${new URL(h.lab.apiUrl).hostname}}`],
      ['r_follow', 'follow: {command: "echo done"}'],
      ['r_http', `http: {url: "${h.lab.apiUrl}?command=listZones", status: [200, 401, 432]}`],
      ['r_pause', 'pause: 1ms'],
      ['r_log', 'log: hello'],
      ['r_set', 'set: {x: 1}'],
      ['r_assert', 'assert: {that: ["1 == 1"]}'],
      ['r_api', 'cloudstack: {command: listZones}'],
      ['r_facts', 'cloudstack.facts: {}'],
      ['r_selection', 'cloudstack.selection: {}'],
      ['r_setting', 'cloudstack.setting: {name: router.health.checks.enabled, value: "true"}'],
      ['r_wait', 'cloudstack.wait: {for: api}'],
      ['r_port', 'cloudstack.integration_port: {state: inspect}'],
      ['r_sysvmadm_check', 'cloudstack.sysvmadm_check: {}'],
      ['r_fail', 'fail: on purpose'],
    ];
    const text = ['name: every step type registers', 'plays:', '  - name: p', '    hosts: mgmt1', '    steps:',
      ...steps.flatMap(([reg, step]) => [`      - name: ${reg}`, `        ${step}`, `        register: ${reg}`, ...(reg === 'r_fail' ? ['        ignore_errors: true'] : [])]), ''].join('\n');
    // any bundled playbook's name will do: its text is replaced
    const r = await h.run('preflight', { edit: () => text });
    expectOk(r);
    // every step registered (set's own variables are recorded as registered too)
    expect([...r.registered]).to.include.members(steps.map(([reg]) => reg));
  });
});
