// The bundled CloudStack playbooks load without a single problem, with the real step registry, against
// the example inventory (undefined-variable checks on) and without one, each with a one-line description
// for `stackplay list`.

import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { SecretRegistry } from '../../src/secrets/masker.js';
import { stepRegistry } from '../../src/steps/registry.js';
import { REPO_ROOT } from '../support/paths.js';
import { PLAYBOOKS, playbookPath } from './lab-run.js';

const dir = join(REPO_ROOT, 'playbooks', 'cloudstack');

/** Variables the inventory defines (what `stackplay validate -i` uses for undefined-variable checks). */
export function inventoryVars(path: string): Set<string> {
  const r = loadInventory(path, readFileSync(path, 'utf8'), { secrets: new SecretRegistry(), resolveSecrets: false });
  if (!r.ok) throw new Error(`${path}: ${JSON.stringify(r.problems.items)}`);
  const known = new Set(Object.keys(r.inventory.vars));
  for (const h of r.inventory.hosts.values()) for (const k of [...Object.keys(h.groupVars), ...Object.keys(h.hostVars)]) known.add(k);
  return known;
}

function problems(file: string, knownVars?: Set<string>): string[] {
  const r = loadPlaybook(file, readFileSync(file, 'utf8'), knownVars ? { steps: stepRegistry, knownVars } : { steps: stepRegistry });
  return r.ok ? [] : r.problems.sorted().map((p) => `${p.pos?.line ?? '?'}:${p.pos?.col ?? '?'} ${p.code} ${p.message}`);
}

describe('bundled CloudStack playbooks', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();

  it('are the bundled upgrade playbooks', () => {
    expect(files).to.deep.equal([...PLAYBOOKS].map((n) => `${n}.yml`).sort());
  });

  const example = join(REPO_ROOT, 'inventories', 'example.yml');
  const known = inventoryVars(example);

  it('the example inventory defines what the playbooks read from it', () => {
    expect([...known]).to.include.members(['cloudstack_db', 'cloudstack_host_name']);
  });

  for (const name of PLAYBOOKS) {
    it(`${name} validates against inventories/example.yml with no problems`, () => {
      expect(problems(playbookPath(name), known)).to.deep.equal([]);
    });

    it(`${name} validates without an inventory`, () => {
      expect(problems(playbookPath(name))).to.deep.equal([]);
    });

    it(`${name} has a name and a one-line description`, () => {
      const r = loadPlaybook(playbookPath(name), readFileSync(playbookPath(name), 'utf8'), { steps: stepRegistry });
      if (!r.ok) throw new Error('invalid');
      expect(r.playbook.name).to.be.a('string').and.not.equal('');
      const text = readFileSync(playbookPath(name), 'utf8');
      const line = /^description: (.*)$/m.exec(text)?.[1] ?? '';
      expect(line.length).to.be.within(20, 200);
    });
  }

  it('a misspelled step argument in a bundled playbook would be reported (the check can fail)', () => {
    const text = readFileSync(playbookPath('systemvm-live-patch'), 'utf8').replace('livepatch: true', 'livepach: true');
    const r = loadPlaybook('x.yml', text, { steps: stepRegistry });
    expect(r.ok).to.equal(false);
  });

  it('a variable the inventory does not define would be reported (undefined-variable checks are on)', () => {
    const text = readFileSync(playbookPath('systemvm-restart'), 'utf8').replace('db: "{{cloudstack_db}}"', 'db: "{{cloudstack_dbx}}"');
    expect(text).to.include('cloudstack_dbx');
    const r = loadPlaybook('x.yml', text, { steps: stepRegistry, knownVars: known });
    expect(r.ok).to.equal(false);
  });
});
