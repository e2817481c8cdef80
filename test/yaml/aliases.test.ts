// YAML aliases: an alias is its anchored node (positions point at the anchor, merge keys work), and the
// nodes aliases add are counted against a budget, so a billion-laughs document is refused at its alias.

import { expect } from 'chai';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { stepRegistry } from '../../src/steps/registry.js';
import { ALIAS_BUDGET, parseYaml, sourceFile, toValue } from '../../src/yaml/yaml-nodes.js';

describe('yaml: aliases', () => {
  it('an alias is the anchored value; merge keys add its pairs', () => {
    const r = parseYaml(sourceFile('f.yml', 'base: &b {x: 1, y: [1, 2]}\nm:\n  <<: *b\n  z: 3\nl: [*b, *b]\n'));
    expect(r.ok && toValue(r.node)).to.deep.equal({ base: { x: 1, y: [1, 2] }, m: { x: 1, y: [1, 2], z: 3 }, l: [{ x: 1, y: [1, 2] }, { x: 1, y: [1, 2] }] });
  });

  it('a playbook whose steps share an anchored step loads, and a problem in it is reported once, at the anchor', () => {
    const text = ['name: t', 'plays:', '  - name: p', '    hosts: localhost', '    steps:', '      - &s {name: s, log: hi, retires: 2}', '      - *s', '      - *s', ''].join('\n');
    const r = loadPlaybook('p.yml', text, { steps: stepRegistry });
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.problems.items.map((p) => `${p.pos?.line}:${p.pos?.col} ${p.code}`)).to.deep.equal(['6:31 unknown-key']);
    const fine = loadPlaybook('p.yml', text.replace(', retires: 2', ''), { steps: stepRegistry });
    expect(fine.ok && fine.playbook.plays[0]!.steps.map((s) => s.name)).to.deep.equal(['s', 's', 's']);
  });

  it('refuses aliases past the budget at the alias that crosses it', () => {
    const items = (n: number, of: string): string => `[${Array(n).fill(of).join(', ')}]`;
    const under = `a: &a ${items(1000, 'x')}\nb: ${items(Math.floor(ALIAS_BUDGET / 1001), '*a')}\n`;
    expect(parseYaml(sourceFile('f.yml', under)).ok).to.equal(true);
    const over = `a: &a ${items(1000, 'x')}\nb: ${items(Math.floor(ALIAS_BUDGET / 1001) + 1, '*a')}\n`;
    const r = parseYaml(sourceFile('f.yml', over));
    expect(r.ok).to.equal(false);
    if (!r.ok) {
      expect(r.code).to.equal('alias-budget');
      expect(r.pos.line).to.equal(2);
      expect(r.pos.col).to.equal(5 + Math.floor(ALIAS_BUDGET / 1001) * 4);
    }
  });
});
