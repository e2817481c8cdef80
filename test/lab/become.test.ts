// The bundled systemvm-restart with `-e become=true` against the lab (classic preset), with a sudo
// password in the inventory: every command goes through the `if sudo -n … then read … exec sudo …` form
// that become produces, the restart and its undo succeed, and the password never shows.

import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import type { LabLogEvent } from '../../src/lab/index.js';
import { failures, LabPlaybooks } from '../playbooks/lab-run.js';

const SUDO_PASSWORD = 'lab-sudo-password-4471';

describe('lab: systemvm-restart with become', function () {
  this.timeout(120_000);
  let h: LabPlaybooks;
  afterEach(async () => h.stop());

  it('runs the restart and its undo through sudo, password on stdin and never in output', async () => {
    h = await LabPlaybooks.start('127.88.1.1');
    const inv = readFileSync(h.lab.inventoryPath, 'utf8');
    const withPassword = inv.replace(/^( {2}mgmt1:\n(?: {4}.*\n)*? {4}user: root\n)/m, `$1    become_password: { secret: "${SUDO_PASSWORD}" }\n`);
    expect(withPassword).to.not.equal(inv);
    writeFileSync(h.lab.inventoryPath, withPassword);
    const commands: string[] = [];
    h.lab.on('log', (e: LabLogEvent) => {
      if (e.kind === 'host') commands.push(e.command);
    });
    const r = await h.run('systemvm-restart', {
      extraVars: { become: true },
      // the API refuses to put the value back, so the undo writes it with mysql (login on its input, after sudo's password)
      onEvent: (e) => {
        if (e.type === 'step-start' && e.name === 'Close the integration port on every management server') {
          h.lab.setFaults({ apiError: [{ command: 'updateConfiguration', errorcode: 530, errortext: 'database busy', times: 5 }] });
        }
      },
    });
    expect(failures(r)).to.deep.equal([]);
    expect(r.summary.status).to.equal('ok');
    const sudo = commands.filter((c) => c.includes('if sudo -n -u root true 2>/dev/null; then IFS= read -r _ || :; exec sudo -n -H -u root -- /bin/sh -c '));
    // the restart, sysvmadm's start, its log and pid reads, the undo's database write and restart
    expect(sudo.filter((c) => c.includes('systemctl restart')).length, 'the restart and the undo\'s').to.equal(2);
    expect(sudo.some((c) => c.includes('nohup sh -c'))).to.equal(true);
    expect(sudo.some((c) => c.includes('UPDATE configuration'))).to.equal(true);
    // sysvmadm's routers counted with mysql through sudo as well: no warning that the count failed
    expect(sudo.some((c) => c.includes('select count(*) from vm_instance'))).to.equal(true);
    expect(r.events.filter((e) => e.type === 'warning').map((e) => e.message).join('\n')).to.not.include('could not count');
    expect(r.ends('Close the integration port on every management server')[0]!.msg).to.include('written through the database');
    const st = h.lab.state();
    expect(st.managementServer.integrationPort).to.include({ dbValue: '0', listening: false });
    expect(st.routers.every((x) => x['requiresUpgrade'] === false)).to.equal(true);
    expect(r.text()).to.not.include(SUDO_PASSWORD);
  });
});
