import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { stepRegistry } from '../../src/steps/registry.js';
import { FIXTURES, REPO_ROOT } from '../support/paths.js';

describe('loader', () => {
  it('reports all five mistakes of a playbook at once, in order', () => {
    const text = readFileSync(join(FIXTURES, 'five-mistakes/playbook.yml'), 'utf8');
    const r = loadPlaybook('p.yml', text, { steps: stepRegistry });
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    const got = r.problems.sorted().map((p) => `${p.code}@${p.pos?.line}:${p.pos?.col}`);
    expect(got).to.deep.equal([
      'unknown-step-type@7:9',
      'unknown-key@9:9',
      'template-syntax@12:32',
      'missing-argument@14:16',
      'unknown-handler@17:17',
    ]);
    expect(r.problems.items.find((p) => p.code === 'unknown-step-type')!.message).to.include("did you mean 'shell'");
    expect(r.problems.items.find((p) => p.code === 'unknown-key')!.message).to.include("did you mean 'when'");
  });

  it('loads the example playbook into an AST with positions', () => {
    const text = readFileSync(join(REPO_ROOT, 'playbooks/examples/hello.yml'), 'utf8');
    const r = loadPlaybook('hello.yml', text, { steps: stepRegistry });
    if (!r.ok) throw new Error(JSON.stringify(r.problems.items));
    const play = r.playbook.plays[0]!;
    expect(play.steps[0]).to.include({ kind: 'task', type: 'log', name: 'Say hello' });
    expect(play.steps[0]!.pos.line).to.equal(11);
    const block = play.steps.find((s) => s.kind === 'block');
    expect(block?.kind).to.equal('block');
    expect(play.handlers.map((h) => h.name)).to.deep.equal(['Report']);
  });

  it('flags undefined variables when the caller knows every source, with a suggestion', () => {
    const text = 'name: t\nvars:\n  greeting: hi\nplays:\n  - name: p\n    hosts: localhost\n    steps:\n      - name: s\n        log: "{{greting}}"\n        when: gretting == 1\n';
    const r = loadPlaybook('t.yml', text, { steps: stepRegistry, knownVars: new Set() });
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    const msgs = r.problems.sorted().map((p) => `${p.code}@${p.pos?.line}:${p.pos?.col} ${p.message}`);
    expect(msgs).to.deep.equal([
      "undefined-variable@9:17 undefined variable 'greting' — did you mean 'greeting'?",
      "undefined-variable@10:15 undefined variable 'gretting' in 'when' — did you mean 'greeting'?",
    ]);
  });

  it('does not flag registered, set and loop variables', () => {
    const text = [
      'name: t', 'plays:', '  - name: p', '    hosts: localhost', '    steps:',
      '      - name: a', '        local: "true"', '        register: r',
      '      - name: b', '        set: { x: 1 }',
      '      - name: c', '        log: "{{r.rc}} {{x}} {{item}} {{inventory_hostname}}"', '        loop: [1]',
    ].join('\n');
    const r = loadPlaybook('t.yml', text, { steps: stepRegistry, knownVars: new Set() });
    expect(r.ok, JSON.stringify(r.ok ? '' : r.problems.items)).to.equal(true);
  });
});
