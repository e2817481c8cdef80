// World building: deterministic ids from the seed, the default layout, lab-config validation, the
// requiresupgrade rule, and a 1,000-router benchmark world that builds quickly.

import { expect } from 'chai';
import { buildWorld } from '../../src/lab/world/build.js';
import { LabConfigError, resolveWorldConfig } from '../../src/lab/world/world-config.js';

const build = (config: unknown = undefined, seed: string | number = 1) =>
  buildWorld({ seed, config: resolveWorldConfig(config), msAddress: '127.0.0.1' });

describe('lab world', () => {
  it('is deterministic for a seed and different for another seed', () => {
    const a = build();
    const b = build();
    const c = build(undefined, 2);
    expect(a.routers.map((r) => r.id)).to.deep.equal(b.routers.map((r) => r.id));
    expect(a.routers[0]!.id).to.not.equal(c.routers[0]!.id);
    expect(a.routers[0]!.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('classic layout: per zone one SSVM, one CPVM, isolated, redundant, VPC and project routers on old templates', () => {
    const w = build({ preset: 'classic', zones: 2 });
    expect(w.systemVms.map((v) => v.kind)).to.deep.equal(['ssvm', 'cpvm', 'ssvm', 'cpvm']);
    expect(w.routers).to.have.length(12);
    expect(w.routers.filter((r) => r.isRedundant).map((r) => r.redundantState)).to.deep.equal(['PRIMARY', 'BACKUP', 'PRIMARY', 'BACKUP']);
    expect(w.routers.filter((r) => w.owner(r.ownerId).kind === 'project')).to.have.length(2);
    expect(w.routers.every((r) => w.requiresUpgrade(r))).to.equal(true);
    expect(w.vpcs[0]!.tierIds).to.have.length(2);
    expect(new Set(w.routers.map((r) => r.linkLocalIp)).size).to.equal(12);
    expect(w.config.get('integration.api.port')).to.equal('0');
    expect(w.config.get('minreq.sysvmtemplate.version')).to.equal('4.20.1');
  });

  it('requiresupgrade clears on a live patch (softwareversion) or a new template', () => {
    const w = build({ preset: 'classic', upToDate: ['r-4-VM'] });
    const [r3, r4] = [w.vmByName('r-3-VM')!, w.vmByName('r-4-VM')!];
    expect(w.requiresUpgrade(r4 as never)).to.equal(false);
    expect(w.requiresUpgrade(r3 as never)).to.equal(true);
    if (r3.kind === 'router') r3.softwareVersion = w.msVersion;
    expect(w.requiresUpgrade(r3 as never)).to.equal(false);
  });

  it('reports every config problem at once', () => {
    let err: unknown;
    try {
      resolveWorldConfig({ zones: 0, networks: -1, version: 'x', colour: 'red', bench: { routers: 0 } });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(LabConfigError);
    const problems = (err as LabConfigError).problems;
    expect(problems).to.have.length(5);
    expect(problems.join('\n')).to.include('config.colour: unknown key');
  });

  it('builds a 1,000-router world in 200 networks', () => {
    const w = build({ bench: { routers: 1000, networks: 200 } });
    expect(w.routers).to.have.length(1000);
    expect(w.networks).to.have.length(200);
    expect(w.networks.every((n) => n.routerIds.length === 5)).to.equal(true);
    expect(new Set(w.routers.map((r) => r.name)).size).to.equal(1000);
  });
});
