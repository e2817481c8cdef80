// The bundled playbooks end to end against the lab: each succeeds on a freshly upgraded cloud (system VMs
// and routers at the old version), its dry run changes nothing, and after every run the integration
// port is back to its previous database value and not listening — also when sysvmadm fails or the run
// is interrupted in the middle.

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { stepRegistry } from '../../src/steps/registry.js';
import { failures, LabPlaybooks, PLAYBOOKS, playbookPath, type PlaybookRun } from './lab-run.js';
import { inventoryVars } from './validate.test.js';

const ADDRESS = '127.0.0.61';

describe('bundled playbooks against the lab', function () {
  this.timeout(60_000);
  let h: LabPlaybooks;

  beforeEach(async () => {
    h = await LabPlaybooks.start(ADDRESS);
  });
  afterEach(async () => {
    await h.stop();
  });

  const ok = (r: PlaybookRun): void => {
    expect(failures(r), 'failed steps').to.deep.equal([]);
    expect(r.summary.status).to.equal('ok');
  };
  const portRestored = (): void => {
    expect(h.port()).to.deep.equal({ dbValue: '0', listening: false });
  };
  const msVersion = (): string => h.lab.state().managementServer.version;
  const outdated = (): { svms: string[]; routers: string[] } => {
    const s = h.lab.state();
    return {
      svms: s.systemVms.filter((v) => v['state'] === 'Running' && (v['version'] !== msVersion() || v['agentState'] !== 'Up')).map((v) => String(v['name'])),
      routers: s.routers.filter((r) => r['state'] === 'Running' && r['requiresUpgrade'] === true).map((r) => String(r['name'])),
    };
  };

  it('every playbook validates against the inventory the lab writes', () => {
    const known = inventoryVars(h.lab.inventoryPath);
    for (const name of PLAYBOOKS) {
      const r = loadPlaybook(name, readFileSync(playbookPath(name), 'utf8'), { steps: stepRegistry, knownVars: known });
      expect(r.ok ? [] : r.problems.items.map((p) => p.message), name).to.deep.equal([]);
    }
  });

  it('starts from an upgraded management server with outdated system VMs and routers', () => {
    const o = outdated();
    expect(o.svms).to.have.length.greaterThan(0);
    expect(o.routers).to.have.length.greaterThan(0);
    portRestored();
  });

  it('preflight passes on a healthy cloud and changes nothing', async () => {
    const before = JSON.stringify(h.lab.state().systemVms);
    const r = await h.run('preflight');
    ok(r);
    expect(r.end('Hard checks').status).to.equal('ok');
    expect(r.output('Live patching is available on this management-server version').join('\n')).to.include('available');
    expect(r.end('Summary of what would be touched').msg).to.include(`CloudStack ${msVersion()}`);
    expect(JSON.stringify(h.lab.state().systemVms)).to.equal(before);
    portRestored();
  });

  it('preflight fails when integration.api.port is set in the database', async () => {
    h.lab.world.config.set('integration.api.port', '8096');
    const r = await h.run('preflight');
    expect(r.summary.status).to.equal('failed');
    expect(r.end('integration.api.port is 0 (or negative) in the database').status).to.equal('failed');
    expect(r.end('Hard checks').status).to.equal('failed');
  });

  it('systemvm-restart: sysvmadm restarts everything, then the port is closed and the setting restored', async () => {
    const r = await h.run('systemvm-restart');
    ok(r);
    expect(outdated()).to.deep.equal({ svms: [], routers: [] });
    const sysvmadm = r.end('Run cloudstack-sysvmadm');
    expect(sysvmadm.status).to.equal('changed');
    expect(h.lab.state().sysvmadmRuns).to.have.length(1);
    // The undo ran: setting back, management server restarted, port closed — then checked again.
    expect(r.ends('Put integration.api.port back to its previous value').map((e) => [e.phase, e.status])).to.deep.equal([['undo', 'changed']]);
    expect(r.ends('Restart the management server so the restored value takes effect').map((e) => e.status)).to.deep.equal(['changed']);
    expect(r.end('The database value is the one from before the run').status).to.equal('ok');
    expect(r.text()).not.to.include(h.lab.dbPassword);
    portRestored();
  });

  it('systemvm-restart: arms a dead-man timer on the management server and disarms it before the undo', async () => {
    const r = await h.run('systemvm-restart');
    ok(r);
    const timers = h.lab.state().timers;
    expect(timers.map((t) => t.state)).to.deep.equal(['stopped']);
    // the unit names only a root-only script (the command holds the database password)
    expect(timers[0]!.command).to.match(/^\/bin\/sh \/run\/stackplay-deadman\/stackplay-deadman-[\w.-]+\.sh$/);
    expect(timers[0]!.command).not.to.include(h.lab.dbPassword);
    const script = timers[0]!.command.replace('/bin/sh ', '');
    expect((await h.exec('mgmt1', `test -e ${script}`)).rc, 'disarming removed the script').to.equal(1);
    expect(r.text()).not.to.include(h.lab.dbPassword);
  });

  it('systemvm-restart: the dead-man command, run on the management server, closes the port by itself', async () => {
    // the script the timer would run, read while it is armed (disarming removes it)
    let scriptText: Promise<{ code: number; stdout: string }> | undefined;
    const r = await h.run('systemvm-restart', {
      onEvent: (e) => {
        if (scriptText || e.type !== 'step-progress' || !/dead-man timer armed/.test(e.message)) return;
        scriptText = h.lab.exec('mgmt1', `cat ${h.lab.state().timers[0]!.command.replace('/bin/sh ', '')}`);
      },
    });
    ok(r);
    const script = (await scriptText!).stdout;
    const lines = script.trim().split('\n');
    expect(lines[1]).to.equal('rm -f "$0"');
    const command = lines.at(-1)!;
    expect(command).to.match(/^mysql /);
    // The state a dead runner leaves behind: the port open in the database and listening.
    h.lab.world.config.set('integration.api.port', '8096');
    await h.lab.restartManagementServer();
    expect(h.port()).to.deep.equal({ dbValue: '8096', listening: true });
    const res = await h.exec('mgmt1', command);
    expect(res.rc, res.stderr).to.equal(0);
    for (let i = 0; i < 400 && h.lab.state().managementServer.state !== 'running'; i++) await new Promise((res) => setTimeout(res, 5));
    expect(h.lab.state().managementServer.state).to.equal('running');
    portRestored();
  });

  it('systemvm-restart through via: the API and the integration port are reached over the SSH connection', async () => {
    const r = await h.run('systemvm-restart', { via: true });
    ok(r);
    expect(r.end('Wait for the integration port (probed through \'via\' when configured)').msg).to.include('via mgmt1');
    expect(outdated()).to.deep.equal({ svms: [], routers: [] });
    portRestored();
  });

  it('systemvm-restart: a failing sysvmadm fails the run and still closes the port', async () => {
    const r = await h.run('systemvm-restart', { extraVars: { sysvmadm_command: 'false' } });
    expect(r.summary.status).to.equal('failed');
    expect(r.end('Run cloudstack-sysvmadm').status).to.equal('failed');
    expect(r.ends('Wait for the integration port to close').map((e) => e.status)).to.deep.equal(['ok']);
    portRestored();
  });

  it('systemvm-restart: an ERROR line fails sysvmadm although it exits 0', async () => {
    const r = await h.run('systemvm-restart', { extraVars: { sysvmadm_command: 'echo ERROR: Failed to stop secondary storage vm with id 1; true' } });
    expect(r.summary.status).to.equal('failed');
    expect(r.end('Run cloudstack-sysvmadm').status).to.equal('failed');
    expect(r.end('Run cloudstack-sysvmadm').msg).to.include('ERROR: Failed to stop secondary storage vm');
    portRestored();
  });

  it('systemvm-restart: sysvmadm that exits 0 without reporting its sections fails the run', async () => {
    const r = await h.run('systemvm-restart', { extraVars: { sysvmadm_command: 'echo Stopping and starting 0 running routing vm; true' } });
    expect(r.summary.status).to.equal('failed');
    expect(r.end('Run cloudstack-sysvmadm').status).to.equal('changed');
    expect(r.end('sysvmadm reported every section it was asked for').msg).to.include('secondary storage 0, console proxy 0, routers 1');
    portRestored();
  });

  it('systemvm-restart: an interrupt during sysvmadm still restores the setting and closes the port', async () => {
    const stop = new AbortController();
    const r = await h.run('systemvm-restart', {
      interrupt: stop.signal,
      onEvent: (e) => {
        if (e.type === 'step-start' && e.name === 'Run cloudstack-sysvmadm') setTimeout(() => stop.abort(), 5);
      },
    });
    expect(r.summary.status).to.not.equal('ok');
    expect(r.ends('Put integration.api.port back to its previous value').map((e) => e.phase)).to.deep.equal(['undo']);
    portRestored();
  });

  it('systemvm-restart: an interrupt while the management server restarts still restores the setting and closes the port', async () => {
    const stop = new AbortController();
    const r = await h.run('systemvm-restart', {
      interrupt: stop.signal,
      onEvent: (e) => {
        if (e.type === 'step-end' && e.name === 'Restart the management server (integration.api.port is read only at start)') stop.abort();
      },
    });
    expect(r.summary.status).to.not.equal('ok');
    expect(r.ends('Put integration.api.port back to its previous value').map((e) => [e.phase, e.status])).to.deep.equal([['undo', 'changed']]);
    portRestored();
  });

  it('systemvm-restart: when the API refuses to restore the setting, the database is written before the closing restart', async () => {
    const r = await h.run('systemvm-restart', {
      onEvent: (e) => {
        if (e.type === 'step-start' && e.name === 'Put integration.api.port back to its previous value') {
          h.lab.setFaults({ apiError: [{ command: 'updateConfiguration', errorcode: 530, errortext: 'database busy', times: 5 }] });
        }
      },
    });
    expect(r.summary.status).to.equal('failed');
    expect(r.ends('Put integration.api.port back to its previous value').map((e) => e.status)).to.deep.equal(['failed']);
    expect(r.ends('Make sure the database holds the previous value before restarting').map((e) => e.status)).to.deep.equal(['changed']);
    portRestored();
  });

  it('systemvm-restart: the dry run plans the change and changes nothing', async () => {
    const r = await h.run('systemvm-restart', { dryRun: true });
    ok(r);
    expect(r.end('Open the integration port (takes effect at the next management-server restart)').plan).to.include("from '0' to '8096'");
    expect(r.end('Run cloudstack-sysvmadm').plan).to.include('cloudstack-sysvmadm');
    expect(r.end('Run cloudstack-sysvmadm').plan).not.to.include(h.lab.dbPassword);
    expect(h.lab.state().sysvmadmRuns).to.have.length(0);
    expect(h.lab.state().timers, 'no dead-man timer in a dry run').to.deep.equal([]);
    expect(outdated().svms).to.have.length.greaterThan(0);
    portRestored();
  });

  it('systemvm-live-patch: patches system VMs and routers without the integration port, services active', async () => {
    let opened = false;
    const r = await h.run('systemvm-live-patch', {
      onEvent: () => {
        if (h.port().listening || h.port().dbValue !== '0') opened = true;
      },
    });
    ok(r);
    expect(opened).to.equal(false);
    expect(outdated()).to.deep.equal({ svms: [], routers: [] });
    expect(h.lab.state().systemVms.every((v) => Number(v['patchCount']) > 0)).to.equal(true);
    const checked = r.ends('System VM services are active (SSVM cloud/apache2/portmap, CPVM cloud)').filter((e) => e.status === 'ok');
    expect(checked.map((e) => e.host).sort()).to.deep.equal(['kvm01', 'kvm02']);
    portRestored();
  });

  it('systemvm-live-patch: refuses before 4.17 and names the restart playbooks', async () => {
    await h.stop();
    h = await LabPlaybooks.start(ADDRESS, { version: '4.16.1.0' });
    const r = await h.run('systemvm-live-patch');
    expect(r.summary.status).to.equal('failed');
    expect(r.end('The management server can live-patch').msg).to.include('cloudstack/systemvm-restart');
    expect(h.lab.state().systemVms.every((v) => Number(v['patchCount']) === 0)).to.equal(true);
    portRestored();
  });

  it('systemvm-restart-api: restarts through the signed API only', async () => {
    let opened = false;
    const r = await h.run('systemvm-restart-api', {
      onEvent: () => {
        if (h.port().listening || h.port().dbValue !== '0') opened = true;
      },
    });
    ok(r);
    expect(opened).to.equal(false);
    expect(outdated()).to.deep.equal({ svms: [], routers: [] });
    expect(h.lab.state().sysvmadmRuns).to.have.length(0);
    portRestored();
  });

  it('systemvm-restart-api: the dry run lists what would be touched and changes nothing', async () => {
    const r = await h.run('systemvm-restart-api', { dryRun: true });
    ok(r);
    const plan = r.end('Reboot routers in a rolling window (redundant pairs BACKUP first, then PRIMARY), then check Running and requiresupgrade=false').plan ?? '';
    expect(plan).to.match(/would reboot \d+ router/);
    expect(outdated().routers).to.have.length.greaterThan(0);
    portRestored();
  });
});
