// systemvm-restart end to end against the lab (the classic world: quick, two management servers): the
// success path, the dead-man timers on every server and what their scripts do, `via`, sysvmadm failing,
// printing ERROR lines or skipping a section, interrupts, an API that refuses to restore the setting, the
// dry run. After every run the setting is back and no server listens on the integration port.

import { expect } from 'chai';
import { LabPlaybooks, expectOk } from './lab-run.js';

const ADDRESS = '127.0.0.61';

describe('systemvm-restart against the lab', function () {
  this.timeout(60_000);
  let h: LabPlaybooks;

  beforeEach(async () => {
    h = await LabPlaybooks.start(ADDRESS);
  });
  afterEach(async () => {
    await h.stop();
  });

  const closedEverywhere = (): void => {
    expect(h.port().dbValue).to.equal('0');
    expect(h.listening()).to.deep.equal({ mgmt1: false, mgmt2: false });
  };
  const outdated = (): { svms: string[]; routers: string[] } => {
    const s = h.lab.state();
    const v = s.managementServer.version;
    return {
      svms: s.systemVms.filter((x) => x['state'] === 'Running' && (x['version'] !== v || x['agentState'] !== 'Up')).map((x) => String(x['name'])),
      routers: s.routers.filter((r) => r['state'] === 'Running' && r['requiresUpgrade'] === true).map((r) => String(r['name'])),
    };
  };
  const CLOSE = 'Close the integration port on every management server';

  it('sysvmadm restarts everything, then the port is closed on every server and the setting restored', async () => {
    const r = await h.run('systemvm-restart');
    expectOk(r);
    expect(outdated()).to.deep.equal({ svms: [], routers: [] });
    expect(r.end('Run cloudstack-sysvmadm').status).to.equal('changed');
    expect(h.lab.state().sysvmadmRuns).to.have.length(1);
    // the undo put the value back and restarted mgmt1 (which opened the port); mgmt2 never started in the window
    const close = r.ends(CLOSE);
    expect(close.map((e) => [e.phase, e.status])).to.deep.equal([['undo', 'changed']]);
    // (its start time changed, unless the lab's speed restarted it within the same second: then the probe says so)
    expect(close[0]!.msg).to.match(/mgmt1: (it started \(.*\) while the database held the port|its integration port is listening); drained through mgmt2 \([^;]*\); restarted mgmt1/);
    expect(close[0]!.msg).to.include('mgmt2: not restarted since before the port was opened');
    expect(r.end('No server listens and the database value is the one from before the run').status).to.equal('ok');
    expect(r.text()).not.to.include(h.lab.dbPassword);
    closedEverywhere();
  });

  it('arms a dead-man timer on every management server and disarms them after the undo', async () => {
    const r = await h.run('systemvm-restart');
    expectOk(r);
    const byHost = h.lab.state().hostActivity;
    for (const ms of ['mgmt1', 'mgmt2']) {
      const timers = byHost[ms]!.timers;
      expect(timers.map((t) => t.state), ms).to.deep.equal(['stopped']);
      // the unit names only a root-only script (it holds the database password)
      expect(timers[0]!.command).to.match(/^\/bin\/sh \/run\/stackplay-deadman\/stackplay-deadman-[\w.-]+\.sh$/);
      expect(timers[0]!.command).not.to.include(h.lab.dbPassword);
      expect((await h.exec(ms, `test -e ${timers[0]!.command.replace('/bin/sh ', '')}`)).rc, `disarming removed the script on ${ms}`).to.equal(1);
    }
    expect(r.text()).not.to.include(h.lab.dbPassword);
  });

  it('the dead-man scripts, run on the servers, write the value back and close every open port, one server after the other', async () => {
    // the scripts as armed (disarming removes them), read while the run is under way
    const scripts: Record<string, Promise<{ code: number; stdout: string }>> = {};
    const r = await h.run('systemvm-restart', {
      onEvent: (e) => {
        if (e.type !== 'step-start' || e.name !== 'Run cloudstack-sysvmadm') return;
        for (const [ms, a] of Object.entries(h.lab.state().hostActivity)) scripts[ms] = h.lab.exec(ms, `cat ${a.timers[0]!.command.replace('/bin/sh ', '')}`);
      },
    });
    expectOk(r);
    const text = { mgmt1: (await scripts['mgmt1']!).stdout, mgmt2: (await scripts['mgmt2']!).stdout };
    for (const t of Object.values(text)) {
      expect(t.split('\n')[1]).to.equal('rm -f "$0"');
      // mysql reads the login from printf (a shell builtin): the password is never an argument of a process
      expect(t).to.match(/^printf '%s' '\[client\]\n/m).and.match(/\| mysql --defaults-extra-file=\/dev\/stdin /);
      // (each mysql — the value written back, the server's own mshost row read — gets it the same way)
      for (const l of t.split('\n').filter((x) => x.includes(h.lab.dbPassword))) expect(l).to.match(/^password="/);
      for (const l of t.split('\n').filter((x) => x.includes('| mysql'))) expect(l).not.to.include(h.lab.dbPassword);
    }
    expect(text.mgmt2).to.include('\nsleep 600\n');
    // the state a dead runner leaves behind: 8096 in the database, both servers listening
    h.lab.world.config.set('integration.api.port', '8096');
    await h.lab.server('mgmt1').restart();
    await h.lab.server('mgmt2').restart();
    expect(h.listening()).to.deep.equal({ mgmt1: true, mgmt2: true });
    const body = (t: string): string => t.split('\n').slice(2).join('\n');
    const [a, b] = await Promise.all([h.exec('mgmt1', body(text.mgmt1)), h.exec('mgmt2', body(text.mgmt2))]);
    expect([a.rc, b.rc], `${a.stderr}${b.stderr}`).to.deep.equal([0, 0]);
    for (let i = 0; i < 400 && h.lab.state().managementServers.some((s) => s.state !== 'running'); i++) await new Promise((res) => setTimeout(res, 5));
    closedEverywhere();
  });

  it('through via: the API and the integration port are reached over the SSH connection', async () => {
    const r = await h.run('systemvm-restart', { via: true });
    expectOk(r);
    expect(r.end('Wait for the integration port (probed through \'via\' when configured)').msg).to.include('via mgmt1');
    expect(outdated()).to.deep.equal({ svms: [], routers: [] });
    closedEverywhere();
  });

  it('a failing sysvmadm fails the run and still closes the port', async () => {
    const r = await h.run('systemvm-restart', { extraVars: { sysvmadm_command: 'false' } });
    expect(r.summary.status).to.equal('failed');
    expect(r.end('Run cloudstack-sysvmadm').status).to.equal('failed');
    expect(r.ends(CLOSE).map((e) => e.status)).to.deep.equal(['changed']);
    closedEverywhere();
  });

  it('an ERROR line fails sysvmadm although it exits 0', async () => {
    const r = await h.run('systemvm-restart', { extraVars: { sysvmadm_command: 'echo ERROR: Failed to stop secondary storage vm with id 1; true' } });
    expect(r.summary.status).to.equal('failed');
    expect(r.end('Run cloudstack-sysvmadm').status).to.equal('failed');
    expect(r.end('Run cloudstack-sysvmadm').msg).to.include('ERROR: Failed to stop secondary storage vm');
    closedEverywhere();
  });

  it('sysvmadm that exits 0 without reporting its sections fails the run', async () => {
    const r = await h.run('systemvm-restart', { extraVars: { sysvmadm_command: 'echo Stopping and starting 0 running routing vm; true' } });
    expect(r.summary.status).to.equal('failed');
    expect(r.end('Run cloudstack-sysvmadm').msg).to.include('it never reported these sections: secondary storage, console proxy');
    closedEverywhere();
  });

  it('an interrupt during sysvmadm still restores the setting and closes the port', async () => {
    const stop = new AbortController();
    const r = await h.run('systemvm-restart', {
      interrupt: stop.signal,
      onEvent: (e) => {
        if (e.type === 'step-start' && e.name === 'Run cloudstack-sysvmadm') setTimeout(() => stop.abort(), 5);
      },
    });
    expect(r.summary.status).to.not.equal('ok');
    expect(r.ends(CLOSE).map((e) => e.phase)).to.deep.equal(['undo']);
    closedEverywhere();
  });

  it('an interrupt while the management server restarts still restores the setting and closes the port', async () => {
    const stop = new AbortController();
    const r = await h.run('systemvm-restart', {
      interrupt: stop.signal,
      onEvent: (e) => {
        if (e.type === 'step-start' && e.name.startsWith('Restart the management server once its own jobs are done')) setTimeout(() => stop.abort(), 1);
      },
    });
    expect(r.summary.status).to.not.equal('ok');
    expect(r.ends(CLOSE).map((e) => [e.phase, e.status])).to.deep.equal([['undo', 'changed']]);
    closedEverywhere();
  });

  it('when the API refuses to restore the setting, mysql writes it (login on its input) before any restart', async () => {
    const r = await h.run('systemvm-restart', {
      onEvent: (e) => {
        if (e.type === 'step-start' && e.name === CLOSE) h.lab.setFaults({ apiError: [{ command: 'updateConfiguration', errorcode: 530, errortext: 'database busy', times: 5 }] });
      },
    });
    expectOk(r);
    const close = r.ends(CLOSE);
    expect(close.map((e) => e.status)).to.deep.equal(['changed']);
    expect(close[0]!.msg).to.include('written through the database');
    expect(r.events.some((e) => e.type === 'warning' && e.message.includes('writing it into the database on mgmt1 with mysql'))).to.equal(true);
    closedEverywhere();
  });

  it('the password is on no command line stackplay sends, except sysvmadm\'s own -p', async () => {
    const lines: string[] = [];
    const off = h.lab.on('log', (e) => {
      if (e.kind === 'host') lines.push(`${e.host}: ${e.command}`);
    });
    try {
      expectOk(await h.run('systemvm-restart', {
        onEvent: (e) => {
          if (e.type === 'step-start' && e.name === CLOSE) h.lab.setFaults({ apiError: [{ command: 'updateConfiguration', times: 5 }] });
        },
      }));
    } finally {
      off();
    }
    // the lab logs every command with the password masked: a *** is a password on a command line
    const withSecret = lines.filter((l) => l.includes('***'));
    expect(withSecret.length).to.be.greaterThan(0);
    for (const l of withSecret) expect(l, l).to.match(/cloudstack-sysvmadm -d localhost -u cloud -p \*\*\* -a /);
    expect(lines.some((l) => /cat \| mysql --defaults-extra-file=\/dev\/stdin/.test(l)), 'the database fallback ran').to.equal(true);
  });

  it('the dry run plans the change and changes nothing', async () => {
    const r = await h.run('systemvm-restart', { dryRun: true });
    expectOk(r);
    expect(r.end('Open the integration port (takes effect at the next management-server restart)').plan).to.include("from '0' to '8096'");
    expect(r.end('Run cloudstack-sysvmadm').plan).to.include('cloudstack-sysvmadm');
    expect(r.end('Run cloudstack-sysvmadm').plan).not.to.include(h.lab.dbPassword);
    // counting the routers is a read: the dry run shows the -t the run would choose now
    expect(r.end('Run cloudstack-sysvmadm').plan).to.match(/ -t 10 .*\(-t 10 for the 6 running router\(s\) counted now; counted again just before it runs\)$/);
    expect(h.lab.state().sysvmadmRuns).to.have.length(0);
    expect(h.lab.state().timers, 'no dead-man timer in a dry run').to.deep.equal([]);
    expect(outdated().svms).to.have.length.greaterThan(0);
    closedEverywhere();
  });
});
