// The loop type check at load time: a loop whose template is known to give no list is refused at its
// position; where another source may still provide a list (-e, the inventory, register/set) or the
// value is unknown until the run, the loop is left to the run.

import { expect } from 'chai';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { stepRegistry } from '../../src/steps/registry.js';

function problems(loop: string, knownVars: readonly string[] | undefined, extraSteps = ''): string[] {
  const text = `name: t
vars: { csv: "a,b", list: [a] }
plays:
  - name: p
    hosts: localhost
    vars: { cfg: { routers: [r-1], label: x } }
    steps:${extraSteps}
      - name: s
        log: "{{ item }}"
        loop: "${loop}"
`;
  const r = loadPlaybook('p.yml', text, { steps: stepRegistry, ...(knownVars ? { knownVars: new Set(knownVars) } : {}) });
  return r.ok ? [] : r.problems.sorted().map((p) => `${p.code}@${p.pos?.line}:${p.pos?.col} ${p.message}`);
}

describe('loader: the type of a loop known at load time', () => {
  it('refuses a variable of the play or playbook that holds no list, at the loop', () => {
    expect(problems('{{ csv }}', [])).to.deep.equal(["wrong-type@10:15 'loop' must give a list, but 'csv' is a string (set in the vars of the play or playbook)"]);
    expect(problems('{{ cfg.label }}', [])[0]).to.include("'cfg.label' is a string");
    expect(problems('{{ cfg }}', [])[0]).to.include("'cfg' is a mapping");
  });

  it('refuses functions that never give a list, and text around the {{ }}', () => {
    expect(problems("{{ join list ',' }}", undefined)[0]).to.include("'join' gives a string");
    expect(problems('{{ len list }}', undefined)[0]).to.include("'len' gives a number");
    expect(problems('{{ eq 1 1 }}', undefined)[0]).to.include("'eq' gives a boolean");
    expect(problems('{{ list }},{{ list }}', undefined)[0]).to.include('more than one {{ }}');
  });

  it('leaves lists, list functions and values another source can replace to the run', () => {
    expect(problems('{{ list }}', [])).to.deep.equal([]);
    expect(problems('{{ cfg.routers }}', [])).to.deep.equal([]);
    expect(problems("{{ split csv ',' }}", [])).to.deep.equal([]);
    expect(problems('{{ first list }}', [])).to.deep.equal([]);
    // -e or the inventory may give csv a list; without an inventory nothing is known of variables
    expect(problems('{{ csv }}', ['csv'])).to.deep.equal([]);
    expect(problems('{{ csv }}', undefined)).to.deep.equal([]);
    // a step may set it before the loop runs
    expect(problems('{{ csv }}', [], '\n      - name: r\n        set: { csv: [x] }')).to.deep.equal([]);
  });
});
