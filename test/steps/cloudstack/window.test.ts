// The rolling window of the CloudStack steps: the next unit starts as soon as any finishes (no batch
// barrier), a chain runs in order and stops after a failed unit, caps per zone and per host hold at every
// moment, and an interrupt starts nothing new. Each unit finishes only when the test releases it, so
// "in flight at once" is observed, never timed.

import { expect } from 'chai';
import { describeWindow, runWindow, type Placement, type WindowLimits } from '../../../src/steps/cloudstack/window.js';

interface U { readonly name: string; readonly zone?: string; readonly hosts?: string[] }

function harness(chains: U[][], limits: WindowLimits, signal?: AbortSignal) {
  const release = new Map<string, (v: 'continue' | 'stop') => void>();
  const inFlight = new Set<string>();
  const started: string[] = [];
  const left: Array<[string, string, string | undefined]> = [];
  const snapshots: string[][] = [];
  const done = runWindow(chains, limits, {
    place: (u): Placement => ({ zone: u.zone ?? 'z1', hosts: u.hosts ?? [] }),
    run: (u) => new Promise((resolve) => {
      started.push(u.name);
      inFlight.add(u.name);
      snapshots.push([...inFlight].sort());
      release.set(u.name, (v) => {
        inFlight.delete(u.name);
        resolve(v);
      });
    }),
    left: (u, why, cause) => left.push([u.name, why, cause?.name]),
  }, signal);
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    started, left, snapshots, done, inFlight,
    async finish(name: string, v: 'continue' | 'stop' = 'continue'): Promise<void> {
      const r = release.get(name);
      if (!r) throw new Error(`${name} is not running (running: ${[...inFlight].join(', ')})`);
      release.delete(name);
      r(v);
      await settle();
    },
    settle,
  };
}

const units = (...names: string[]): U[][] => names.map((name) => [{ name }]);

describe('steps: the rolling window', () => {
  it('starts the next unit as soon as any finishes, not when the slowest of a batch does', async () => {
    const w = harness(units('a', 'b', 'c', 'd'), { concurrency: 2 });
    await w.settle();
    expect(w.started).to.deep.equal(['a', 'b']);
    await w.finish('a');
    // b is still running: a batch of two would wait for it before starting c
    expect(w.started).to.deep.equal(['a', 'b', 'c']);
    expect([...w.inFlight].sort()).to.deep.equal(['b', 'c']);
    await w.finish('c');
    expect(w.started).to.deep.equal(['a', 'b', 'c', 'd']);
    await w.finish('b');
    await w.finish('d');
    await w.done;
    expect(Math.max(...w.snapshots.map((s) => s.length))).to.equal(2);
    expect(w.left).to.deep.equal([]);
  });

  it('runs a chain in order, gives a chain under way the next slot, and leaves its rest after a failed unit', async () => {
    const w = harness([[{ name: 'p-backup' }, { name: 'p-primary' }], [{ name: 'x' }], [{ name: 'q-backup' }, { name: 'q-primary' }]], { concurrency: 1 });
    await w.settle();
    expect(w.started).to.deep.equal(['p-backup']);
    await w.finish('p-backup');
    expect(w.started, 'the pair is finished before new work begins').to.deep.equal(['p-backup', 'p-primary']);
    await w.finish('p-primary');
    await w.finish('x');
    await w.finish('q-backup', 'stop');
    await w.done;
    expect(w.started).to.deep.equal(['p-backup', 'p-primary', 'x', 'q-backup']);
    expect(w.left).to.deep.equal([['q-primary', 'chain-stopped', 'q-backup']]);
  });

  it('keeps the caps per zone and per host at every moment and passes over a unit that does not fit', async () => {
    const chains = [
      [{ name: 'a', zone: 'z1', hosts: ['kvm01'] }], [{ name: 'b', zone: 'z1', hosts: ['kvm01'] }],
      [{ name: 'c', zone: 'z1', hosts: ['kvm02'] }], [{ name: 'd', zone: 'z2', hosts: ['kvm03', 'kvm04'] }],
      [{ name: 'e', zone: 'z2', hosts: ['kvm04'] }],
    ];
    const w = harness(chains, { concurrency: 4, perZone: 2, perHost: 1 });
    await w.settle();
    // b waits for kvm01, e for kvm04; c and d fit
    expect(w.started).to.deep.equal(['a', 'c', 'd']);
    await w.finish('d');
    expect(w.started).to.deep.equal(['a', 'c', 'd', 'e']);
    await w.finish('c');
    expect(w.started, 'b still waits for kvm01').to.deep.equal(['a', 'c', 'd', 'e']);
    await w.finish('a');
    expect(w.started).to.deep.equal(['a', 'c', 'd', 'e', 'b']);
    await w.finish('b');
    await w.finish('e');
    await w.done;
    const zoneOf = new Map(chains.flat().map((u) => [u.name, u]));
    for (const s of w.snapshots) {
      for (const z of ['z1', 'z2']) expect(s.filter((n) => zoneOf.get(n)!.zone === z).length, s.join(',')).to.be.at.most(2);
      for (const h of ['kvm01', 'kvm02', 'kvm03', 'kvm04']) expect(s.filter((n) => zoneOf.get(n)!.hosts.includes(h)).length, s.join(',')).to.be.at.most(1);
    }
  });

  it('starts nothing new once interrupted, lets the running units end, and reports the rest', async () => {
    const stop = new AbortController();
    const w = harness(units('a', 'b', 'c'), { concurrency: 1 }, stop.signal);
    await w.settle();
    stop.abort();
    await w.finish('a');
    await w.done;
    expect(w.started).to.deep.equal(['a']);
    expect(w.left).to.deep.equal([['b', 'interrupted', undefined], ['c', 'interrupted', undefined]]);
  });

  it('a unit that throws counts as failed and does not stall the window', async () => {
    const started: string[] = [];
    const left: string[] = [];
    await runWindow([[{ name: 'a' }, { name: 'a2' }], [{ name: 'b' }]], { concurrency: 1 }, {
      place: () => ({ zone: 'z', hosts: [] }),
      run: async (u) => {
        started.push(u.name);
        if (u.name === 'a') throw new Error('boom');
        return 'continue';
      },
      left: (u) => left.push(u.name),
    });
    expect(started).to.deep.equal(['a', 'b']);
    expect(left).to.deep.equal(['a2']);
  });

  it('describes itself for plans', () => {
    expect(describeWindow({ concurrency: 5, perZone: 2, perHost: 1 }, 'unit(s)')).to.equal(
      'at most 5 unit(s) at a time, the next starting as soon as one finishes; at most 2 per zone; at most 1 per host');
  });
});
