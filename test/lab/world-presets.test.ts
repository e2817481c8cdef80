// The default world is a small production site (two zones, 23 routers with one Stopped, redundant pairs,
// VPCs with and without tiers, project routers, an IPv6 network, tenant jobs that come and go, durations
// with a long tail), all seeded; `preset: classic` is the lab's first world, unchanged.

import { expect } from 'chai';
import { ManualClock, type Lab } from '../../src/lab/index.js';
import { DurationDraws } from '../../src/lab/jobs/durations.js';
import { buildWorld } from '../../src/lab/world/build.js';
import { traitsOf } from '../../src/lab/world/traits.js';
import { LabConfigError, resolveWorldConfig } from '../../src/lab/world/world-config.js';
import { ok, stopLabs, testLab } from './helpers.js';

const build = (config: unknown = undefined, seed: string | number = 1) => buildWorld({ seed, config: resolveWorldConfig(config), msAddress: '127.0.0.1' });

describe('lab world presets', () => {
  afterEach(stopLabs);

  it('the default world: two zones, 23 routers (one Stopped), pairs, VPCs with and without tiers, projects, IPv6', () => {
    const w = build();
    expect(w.zones.map((z) => z.name)).to.deep.equal(['zone1', 'zone2']);
    expect(w.hosts).to.have.length(4);
    expect(w.systemVms.map((v) => `${v.name}@${w.zone(v.zoneId)!.name}`)).to.deep.equal(['s-1-VM@zone1', 'v-2-VM@zone1', 's-3-VM@zone2', 'v-4-VM@zone2']);
    expect(w.routers).to.have.length(23);
    expect(w.routers.filter((r) => r.state === 'Stopped').map((r) => r.name)).to.deep.equal(['r-20-VM']);
    expect(w.routers.filter((r) => r.isRedundant)).to.have.length(10);
    expect(w.vpcs.map((v) => `${v.name}:${v.tierIds.length}:${v.routerIds.length}`)).to.deep.equal(['vpc-z1-1:3:1', 'rvpc-z1-1:3:2', 'evpc-z1-1:0:1', 'vpc-z2-1:3:1']);
    expect(w.routers.filter((r) => w.owner(r.ownerId).kind === 'project')).to.have.length(2);
    expect(w.networks.filter((n) => n.ipv6).map((n) => n.name)).to.deep.equal(['net-z1-1']);
    expect(traitsOf(w)).to.deep.equal({ preset: 'production', backgroundJobs: 3, durationsSpread: 0.25 });
    expect(build().routers.map((r) => r.id)).to.deep.equal(w.routers.map((r) => r.id));
  });

  it('preset classic is the first world: one zone, s-1-VM, v-2-VM and six routers, idle and exact', () => {
    const w = build({ preset: 'classic' });
    expect([...w.systemVms, ...w.routers].map((v) => v.name)).to.deep.equal(['s-1-VM', 'v-2-VM', 'r-3-VM', 'r-4-VM', 'r-5-VM', 'r-6-VM', 'r-7-VM', 'r-8-VM']);
    expect(w.routers.every((r) => r.state === 'Running')).to.equal(true);
    expect(w.networks.some((n) => n.ipv6)).to.equal(false);
    expect(traitsOf(w)).to.deep.equal({ preset: 'classic', backgroundJobs: 0, durationsSpread: 0 });
  });

  it('keys override the preset; per-zone counts take a list; problems are reported together', () => {
    const w = build({ preset: 'classic', zones: 3, networks: [1, 0, 2], stopped: ['r-7-VM'], background_jobs: 1 });
    expect(w.routers).to.have.length(5 + 4 + 6);
    expect(w.networks.filter((n) => n.name.startsWith('net-')).map((n) => n.name)).to.deep.equal(['net-z1-1', 'net-z3-1', 'net-z3-2']);
    expect(w.vmByName('r-7-VM')!.state).to.equal('Stopped');
    expect(traitsOf(w).backgroundJobs).to.equal(1);
    let err: unknown;
    try {
      resolveWorldConfig({ preset: 'huge', networks: [1, -1], background_jobs: -1, durations_spread: 5, stopped: 'r-3-VM' });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(LabConfigError);
    expect((err as LabConfigError).problems).to.deep.equal([
      'config.preset: expected one of classic, production',
      'config.background_jobs: expected a number of jobs in flight between 0 and 1000',
      'config.durations_spread: expected a spread between 0 (exact durations) and 2',
      'config.stopped: expected a list of VM names',
      'config.networks: expected a non-negative integer, or a list with one per zone',
    ]);
  });

  it('durations are drawn around the nominal value, seeded, with stragglers; spread 0 is exact', () => {
    expect(new DurationDraws(1, 0).draw(60_000, 'reboot:3')).to.equal(60_000);
    const draw = (seed: number) => {
      const d = new DurationDraws(seed, 0.25);
      return Array.from({ length: 2000 }, (_, i) => d.draw(60_000, `reboot:${i % 40}`));
    };
    const a = draw(1);
    expect(draw(1)).to.deep.equal(a);
    expect(draw(2)).to.not.deep.equal(a);
    const sorted = [...a].sort((x, y) => x - y);
    expect(sorted[1000]!).to.be.within(54_000, 66_000); // the median stays near nominal
    expect(a.filter((x) => x > 120_000).length).to.be.within(20, 140); // about one in twenty is a straggler
    expect(sorted[0]!).to.be.greaterThan(20_000);
  });

  it('in a lab, router reboots end at different times; in the classic world all at once', async () => {
    const ends = async (lab: Lab): Promise<number[]> => {
      const ids = lab.world.routers.filter((r) => r.state === 'Running').slice(0, 10).map((r) => r.id);
      for (const id of ids) await ok(lab, { command: 'rebootRouter', id });
      const done = new Map<string, number>();
      for (let t = 0; done.size < ids.length && t < 3_600; t += 5) {
        await lab.advance(5_000);
        for (const j of lab.state().jobs) if (j.command === 'rebootRouter' && j.status !== 0 && !done.has(String(j.id))) done.set(String(j.id), t);
      }
      return [...done.values()];
    };
    const spread = await ends(await testLab({ clock: new ManualClock(), config: { preset: 'production', background_jobs: 0 } }));
    const exact = await ends(await testLab({ clock: new ManualClock() }));
    expect(new Set(exact).size).to.equal(1);
    expect(new Set(spread).size).to.be.greaterThan(3);
  });

  it('tenant jobs come and go in listAsyncJobs listall=true, seeded; a restart fails the ones in flight', async () => {
    const lab = await testLab({ clock: new ManualClock(), config: { preset: 'production' } });
    const listed = async () => ((await ok(lab, { command: 'listAsyncJobs', listall: 'true' })).asyncjobs ?? []) as Array<Record<string, unknown>>;
    const first = await listed();
    expect(first).to.have.length(3);
    expect(first.every((j) => /^tenant\d$/.test(String(j.account)) && String(j.cmd).startsWith('org.apache.cloudstack.api.command.user.'))).to.equal(true);
    const seen = new Set<string>();
    for (let i = 0; i < 120; i++) {
      await lab.advance(30_000);
      for (const j of await listed()) seen.add(String(j.jobid));
    }
    expect(seen.size).to.be.greaterThan(20);
    const all = lab.state().jobs;
    expect(all.filter((j) => j.status === 1).length).to.be.greaterThan(20);
    const twin = await testLab({ clock: new ManualClock(), config: { preset: 'production' } });
    for (let i = 0; i < 120; i++) await twin.advance(30_000);
    expect(twin.state().jobs.map((j) => j.command)).to.deep.equal(all.map((j) => j.command));
    const before = lab.state().jobs.filter((j) => j.status === 0).length;
    expect(before).to.be.greaterThan(0);
    await lab.restartManagementServer({ wait: false });
    for (let i = 0; i < 10; i++) await lab.advance(5_000);
    expect(lab.state().jobs.filter((j) => j.status === 2 && j.resultCode === 530).length).to.be.at.least(before);
  });
});
