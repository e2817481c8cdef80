// cloudstack.routers against the lab as rolling work: with the lab's ManualClock nothing finishes until the
// test advances lab time, so "the next unit started while a slower one still ran" is seen in the lab's
// jobs and the step's events. A router that was already Stopped is reported and never waited for, a
// redundant router whose peer is down is not rebooted, and the per-host cap holds at every start.

import { expect } from 'chai';
import type { RunEvent } from '../../../src/engine/events.js';
import { ManualClock, startLab } from '../../../src/lab/index.js';
import { CsHarness, steps, type CsRun } from './harness.js';

type Subtask = Extract<RunEvent, { type: 'subtask' }>;
interface Summary {
  skipped_routers: Array<{ id: string; name: string; zone: string; state: string; reason: string }>;
  units: Array<{ name: string; status: string; message: string }>;
}

/** Waits for a condition with a generous hang guard (the old batch code never reaches some of them). */
async function until(pred: () => boolean, what: string, guardMs = 15_000): Promise<void> {
  const end = Date.now() + guardMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const started = (events: readonly RunEvent[], title: string): boolean =>
  events.some((e) => e.type === 'subtask' && e.status === 'running' && e.title.startsWith(title));

describe('steps: cloudstack.routers as rolling work', function () {
  this.timeout(60_000);
  let h: CsHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('starts the next network as soon as one finishes while a slower VPC restart still runs (ManualClock)', async () => {
    const clock = new ManualClock();
    const lab = await startLab({ address: '127.0.0.38', clock, speed: 1, sshKvmHosts: 0, config: { preset: 'classic' } });
    h = new CsHarness(lab);
    await clock.advance(10_000); // the system VMs' agents connect
    const events: RunEvent[] = [];
    const pending = (command: string): number => lab.state().jobs.filter((j) => j['command'] === command && j['status'] === 0).length;
    // units in order: net-z1-1 (restartNetwork, 30 s), vpc-z1-1 (restartVPC, 45 s), prj-net-z1-1 (30 s); two at a time
    const running = h.run(steps(`
- name: patch
  cloudstack.routers: {action: restart-network, livepatch: true, networks: [net-z1-1, vpc-z1-1-tier1, prj-net-z1-1], concurrency: 2}`), { onEvent: (e) => events.push(e) });
    await until(() => pending('restartNetwork') === 1 && pending('restartVPC') === 1, 'the first two units to be submitted');
    expect(started(events, 'network prj-net-z1-1')).to.equal(false);
    await clock.advance(31_000);
    await until(() => started(events, 'network prj-net-z1-1') && pending('restartNetwork') === 1, 'the third unit to start once the first finished');
    // the VPC (45 s) is still running: a batch barrier would have held the third unit until it ended
    expect(pending('restartVPC')).to.equal(1);
    const ok = (): string[] => events.filter((e): e is Subtask => e.type === 'subtask' && e.status === 'ok').map((e) => e.title.split(' (')[0]!);
    await clock.advance(15_000);
    await until(() => ok().includes('VPC vpc-z1-1'), 'the VPC restart to end');
    expect(pending('restartNetwork'), 'the third unit ends 30 s after it started, not after the VPC').to.equal(1);
    await clock.advance(30_000);
    const run = await running;
    expect(run.end('patch').status, run.end('patch').msg).to.equal('changed');
    expect(ok()).to.deep.equal(['network net-z1-1', 'VPC vpc-z1-1', 'network prj-net-z1-1']);
  });

  it('a router that was Stopped before the run is reported and never waited for', async () => {
    // r-6-VM is the BACKUP of rnet-z1-1: its network is restarted for r-5-VM, and r-6-VM stays Stopped
    h = await CsHarness.start('127.0.0.38', { config: { stopped: ['r-6-VM'] } });
    let run: CsRun = await h.run(steps(`
- name: patch
  cloudstack.routers: {action: restart-network, livepatch: true, requiresupgrade: true, concurrency: 2, verify_timeout: 10m}
  register: r
- {name: c, capture: "{{r}}"}`));
    const e = run.end('patch');
    expect(e.status, e.msg).to.equal('changed');
    expect(run.events.filter((x) => x.type === 'step-progress' && /waiting for .*r-6-VM/.test(x.message)), 'waited for the Stopped router').to.deep.equal([]);
    const r = run.captured[0] as Summary;
    expect(r.skipped_routers).to.deep.equal([{ id: r.skipped_routers[0]!.id, name: 'r-6-VM', zone: 'zone1', state: 'Stopped', reason: 'Stopped before the run' }]);
    expect(r.units.find((u) => u.name === 'rnet-z1-1')!.message).to.match(/verified r-5-VM; not waited for: r-6-VM \(Stopped before the run\)$/);
    expect(run.events.some((x) => x.type === 'warning' && x.message === 'left alone: r-6-VM (Stopped before the run)')).to.equal(true);
    expect(h.lab.state().routers.find((x) => x['name'] === 'r-6-VM')!['state']).to.equal('Stopped');

    // a reboot would take down the pair's last Running router: r-5-VM is left alone and named
    run = await h.run(steps(`
- name: reboot
  cloudstack.routers: {action: reboot, networks: rnet-z1-1}
  register: r
- {name: c, capture: "{{r}}"}`));
    expect(run.end('reboot').status).to.equal('ok');
    expect((run.captured[0] as Summary).skipped_routers.map((s) => [s.name, s.reason])).to.deep.equal([
      ['r-6-VM', 'Stopped before the run'],
      ['r-5-VM', 'its redundant peer r-6-VM (Stopped) is not Running: rebooting r-5-VM would leave the network without a router; start the peer first'],
    ]);
    expect(h.lab.state().jobs.filter((j) => j['command'] === 'rebootRouter')).to.deep.equal([]);
  });

  it('per_host: never two units in flight on one hypervisor host', async () => {
    h = await CsHarness.start('127.0.0.38');
    const hostOf = new Map(h.lab.state().routers.map((r) => [String(r['name']), String(r['host'])]));
    const inFlight = new Map<string, string>();
    const seen: string[][] = [];
    const run = await h.run(steps(`
- name: reboot
  cloudstack.routers: {action: reboot, concurrency: 4, per_host: 1}`), {
      onEvent: (e) => {
        if (e.type !== 'subtask') return;
        const name = e.title.split(' ')[1]!;
        if (e.status === 'running' && !inFlight.has(name)) {
          inFlight.set(name, hostOf.get(name)!);
          seen.push([...inFlight.values()]);
        } else if (e.status === 'ok' || e.status === 'failed') inFlight.delete(name);
      },
    });
    expect(run.end('reboot').status, run.end('reboot').msg).to.equal('changed');
    expect(seen.length).to.equal(6);
    for (const hosts of seen) expect(new Set(hosts).size, hosts.join(',')).to.equal(hosts.length);
    expect(Math.max(...seen.map((s) => s.length))).to.equal(2);
  });
});
