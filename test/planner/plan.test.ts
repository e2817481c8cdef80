// The planner: which hosts each play runs on, and what the run must reach — SSH connections (their
// host keys are checked before it starts), CloudStack endpoints and the tunnels to them — read from the
// step types' declarations (runsOn, arg.host), never from a list of argument names.

import { expect } from 'chai';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { planRun, type RunPlan } from '../../src/planner/plan.js';
import { runTargets } from '../../src/planner/targets.js';
import { SecretRegistry } from '../../src/secrets/masker.js';
import { stepRegistry } from '../../src/steps/registry.js';
import { arg } from '../../src/steps/schema/arg.js';
import { defineStep, type StepType } from '../../src/steps/types.js';

const INVENTORY = [
  'hosts:',
  '  web: {address: 10.0.0.1}',
  '  bastion: {address: 10.0.0.2}',
  '  jump: {address: 10.0.0.3}',
  '  ms1: {address: 10.0.0.4, cloudstack: {url: "http://10.0.0.4:8080/client/api", via: jump}}',
  '',
].join('\n');

const inventory = (() => {
  const inv = loadInventory('inv.yml', INVENTORY, { secrets: new SecretRegistry(), resolveSecrets: false });
  if (!inv.ok) throw new Error(JSON.stringify(inv.problems.items));
  return inv.inventory;
})();

function plan(plays: string, types: ReadonlyMap<string, StepType> = stepRegistry, limit?: string): RunPlan {
  const pb = loadPlaybook('t.yml', `name: t\nplays:\n${plays}\n`, { steps: types });
  if (!pb.ok) throw new Error(JSON.stringify(pb.problems.items));
  return planRun(pb.playbook.plays, inventory, types, limit);
}

function needing(steps: string, types: ReadonlyMap<string, StepType>): string[] {
  return [...plan(`  - name: p\n    hosts: localhost\n    steps:\n${steps}`, types).ssh].sort();
}

describe('planner: hosts × steps', () => {
  it('a step type of its own declares which argument names a host it reaches over SSH', () => {
    const relay = defineStep({
      name: 'relay', summary: 'test: reaches a host over SSH', effect: 'none', result: {},
      args: { through: arg.host('ssh', 'a host reached over SSH'), note: arg.string('not a host') },
      async apply() {
        return { changed: false };
      },
    });
    const types = new Map<string, StepType>([...stepRegistry, ['relay', relay]]);
    expect(needing('      - name: s\n        relay: {through: bastion, note: web}', types)).to.deep.equal(['bastion']);
  });

  it("wait_for's host is an address, not an inventory host; a CloudStack host needs its 'via'; a step run on the play's host needs that host", () => {
    expect(needing([
      '      - name: probe',
      '        wait_for: {port: 22, host: web}',
      '      - name: facts',
      '        cloudstack.facts: {host: ms1}',
    ].join('\n'), stepRegistry)).to.deep.equal(['jump', 'localhost']);
  });

  it('each play gets its hosts with --limit applied; a play that selects none needs nothing', () => {
    const p = plan([
      '  - name: web', '    hosts: web:bastion', '    steps:', '      - {name: s, shell: "true"}',
      '  - name: none left', '    hosts: jump', '    steps:', '      - {name: s, shell: "true"}',
    ].join('\n'), stepRegistry, 'web,ms1');
    expect([...p.plays.values()].map((pp) => pp.hosts)).to.deep.equal([['web'], []]);
    expect(p.ssh).to.deep.equal(['web']);
    expect(p.touched).to.deep.equal(['web']);
  });

  it('CloudStack endpoints and their tunnels: a step naming a management server, and a play run on one', () => {
    const named = plan(['  - name: p', '    hosts: web', '    steps:', '      - {name: f, cloudstack.facts: {host: ms1}}'].join('\n'));
    expect(named).to.deep.include({ cloudstack: ['ms1'], tunnels: ['jump'] });
    // the API is reached through jump's SSH connection; web runs no step over SSH
    expect(named.ssh).to.deep.equal(['jump']);
    expect([...named.touched].sort()).to.deep.equal(['ms1', 'web']);
    const onMs = plan(['  - name: p', '    hosts: ms1', '    steps:', '      - {name: f, cloudstack.facts: {}}'].join('\n'));
    expect(onMs).to.deep.include({ cloudstack: ['ms1'], tunnels: ['jump'], ssh: ['jump'] });
  });

  it("the journal's targets come from the plan: a host only named by a wait_for address is not one", () => {
    const p = plan(['  - name: p', '    hosts: web', '    steps:', '      - {name: w, wait_for: {port: 22, host: bastion}}', '      - {name: f, cloudstack.facts: {host: ms1}}'].join('\n'));
    expect(runTargets(p, inventory)).to.deep.equal([
      'cloudstack:http://10.0.0.4:8080/client/api via ssh:10.0.0.3:22', 'ssh:10.0.0.1:22', 'ssh:10.0.0.3:22', 'ssh:10.0.0.4:22',
    ]);
  });
});
