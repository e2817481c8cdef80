// Which hosts a run checks host keys for before it starts: read from the step types' declarations of
// host arguments (arg.host), not from a list of argument names.

import { expect } from 'chai';
import { hostsNeedingSsh } from '../../src/cli/commands/run.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
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

function needing(steps: string, types: ReadonlyMap<string, StepType>): string[] {
  const inv = loadInventory('inv.yml', INVENTORY, { secrets: new SecretRegistry(), resolveSecrets: false });
  if (!inv.ok) throw new Error(JSON.stringify(inv.problems.items));
  const pb = loadPlaybook('t.yml', `name: t\nplays:\n  - name: p\n    hosts: localhost\n    steps:\n${steps}\n`, { steps: types });
  if (!pb.ok) throw new Error(JSON.stringify(pb.problems.items));
  return hostsNeedingSsh(pb.playbook.plays, inv.inventory, types).sort();
}

describe('cli: hosts that need SSH before a run', () => {
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
});
