// The bundled playbooks when an upgrade goes wrong in the lab: VMs that cannot be live-patched are
// named with the restart as the way out (and the restart playbook then finishes the job), the live-patch
// matrix by source version, and a router that fails to reboot. The integration port stays closed.

import { expect } from 'chai';
import { LabPlaybooks } from './lab-run.js';

const ADDRESS = '127.0.0.62';

describe('bundled playbooks against a lab with faults', function () {
  this.timeout(60_000);
  let h: LabPlaybooks | undefined;

  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const portClosed = (lab: LabPlaybooks): void => {
    expect(lab.port()).to.deep.equal({ dbValue: '0', listening: false });
  };
  const outdatedNames = (lab: LabPlaybooks): string[] => {
    const s = lab.lab.state();
    const v = s.managementServer.version;
    return [
      ...s.systemVms.filter((x) => x['state'] === 'Running' && x['version'] !== v).map((x) => String(x['name'])),
      ...s.routers.filter((x) => x['state'] === 'Running' && x['requiresUpgrade'] === true).map((x) => String(x['name'])),
    ].sort();
  };

  it('live patch: names the VMs it could not patch with the restart as the way out, which then finishes the job', async () => {
    h = await LabPlaybooks.start(ADDRESS, {
      // one management server: the live-patch playbook runs its checks on every host of the management group
      config: { managementServers: 1 },
      faults: {
        failJob: [{ vm: 'v-2-VM', command: 'patchSystemVm', errorcode: 530, errortext: 'Failed to patch systemVM v-2-VM due to No space left on device' }],
        silentPatchFailure: ['r-3-VM'],
      },
    });
    const r = await h.run('systemvm-live-patch');
    expect(r.summary.status).to.equal('failed');
    expect(r.end('Every VM was live-patched').status).to.equal('failed');
    const svmOut = r.output('System VMs that could not be live-patched (the way out is a restart)').join('\n');
    expect(svmOut).to.include('v-2-VM').and.include('cloudstack/systemvm-restart-api');
    expect(svmOut).not.to.include('s-1-VM');
    const vrOut = r.output('Routers that could not be live-patched (the way out is a restart)').join('\n');
    expect(vrOut).to.include('r-3-VM').and.include('cloudstack/systemvm-restart-api');
    expect(outdatedNames(h)).to.deep.equal(['r-3-VM', 'v-2-VM']);
    portClosed(h);

    const way = await h.run('systemvm-restart-api', { extraVars: { names: ['v-2-VM'] } });
    expect(way.summary.status).to.equal('ok');
    expect(outdatedNames(h)).to.deep.equal([]);
    portClosed(h);
  });

  it('preflight and live patch: a source of 4.13 or older is not live-patchable', async () => {
    h = await LabPlaybooks.start(ADDRESS, { config: { oldVersion: '4.13.1.0' } });
    const pre = await h.run('preflight');
    expect(pre.summary.status).to.equal('ok');
    expect(pre.output('System VMs that cannot be live-patched (source 4.13 or older)').join('\n')).to.include('s-1-VM runs 4.13');
    expect(pre.output('Routers that cannot be live-patched (template 4.13 or older)').join('\n')).to.include('not supported');
    const r = await h.run('systemvm-live-patch');
    expect(r.summary.status).to.equal('failed');
    expect(r.end('Nothing runs a version live patching does not support').msg).to.include('cloudstack/systemvm-restart-api');
    expect(h.lab.state().systemVms.every((v) => Number(v['patchCount']) === 0)).to.equal(true);
    portClosed(h);
  });

  it('preflight: a 4.14 source gets the remote-access VPN warning', async () => {
    h = await LabPlaybooks.start(ADDRESS, { config: { oldVersion: '4.14.0.0' } });
    const pre = await h.run('preflight');
    expect(pre.summary.status).to.equal('ok');
    expect(pre.output('System VMs at 4.14 (live patch works, remote-access VPN may break)').join('\n')).to.include('remote-access VPN');
    expect(pre.output('System VMs that cannot be live-patched (source 4.13 or older)')).to.deep.equal([]);
    portClosed(h);
  });

  it('restart through the API: a router that fails to reboot fails the run and is named', async () => {
    h = await LabPlaybooks.start(ADDRESS, { faults: { failJob: [{ vm: 'r-4-VM', command: 'rebootRouter', errorcode: 530, errortext: 'Failed to reboot router' }] } });
    const r = await h.run('systemvm-restart-api');
    expect(r.summary.status).to.equal('failed');
    const step = r.ends('Reboot routers in a rolling window (redundant pairs BACKUP first, then PRIMARY), then check Running and requiresupgrade=false')[0];
    expect(step?.status).to.equal('failed');
    expect(step?.msg).to.include('r-4-VM');
    const routers = h.lab.state().routers;
    expect(routers.filter((x) => x['requiresUpgrade'] === true).map((x) => x['name'])).to.deep.equal(['r-4-VM']);
    portClosed(h);
  });
});
