// Ansible habits in a playbook: every one of them gets its own hint, all in one load, at the position
// of the habit (the '|' of a filter, the 'is' of a test, the key of a task keyword or play key), and
// each hint writes the author's own values in stackplay's form.

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { parseExpression } from '../../src/expr/index.js';
import { checkTemplate } from '../../src/template/index.js';
import { stepRegistry } from '../../src/steps/registry.js';
import { FIXTURES } from '../support/paths.js';

function conditionMessage(source: string): string {
  const r = parseExpression(source);
  if (r.ok) throw new Error(`'${source}' parsed`);
  return r.problem.message;
}

function templateMessage(source: string): string {
  const r = checkTemplate(source);
  if (r.ok) throw new Error(`'${source}' parsed`);
  return r.problem.message;
}

describe('loader: Ansible habits', () => {
  it('gives one hint per habit of a playbook written the Ansible way, at each position', () => {
    const text = readFileSync(join(FIXTURES, 'habits/ansible-playbook.yml'), 'utf8');
    const r = loadPlaybook('p.yml', text, { steps: stepRegistry, knownVars: new Set() });
    if (r.ok) throw new Error('the playbook loaded');
    const got = r.problems.sorted().map((p) => [`${p.code}@${p.pos?.line}:${p.pos?.col}`, p.message]);
    const expected: ReadonlyArray<readonly [string, string]> = [
      ['ansible-habit@5:5', "'gather_facts' is Ansible's: stackplay gathers no facts"],
      ['ansible-habit@11:9', 'write log:'],
      ['template-syntax@12:28', "write {{join routers ', '}}"],
      ['ansible-habit@15:9', 'write loop: "{{ routers }}"'],
      ['ansible-habit@16:9', 'write loop_var: router'],
      ['condition-syntax@18:20', 'write defined(zone)'],
      ['condition-syntax@18:43', 'write len(routers)'],
      ['play-key-on-step@19:9', "'serial' is a play key, not a step key"],
      ['ansible-habit@22:9', 'local step'],
      ['ansible-habit@23:9', '--dry-run'],
    ];
    expect(got.map(([where]) => where)).to.deep.equal(expected.map(([where]) => where));
    expected.forEach(([, words], i) => expect(got[i]![1]).to.include(words));
  });

  it('writes a filter in the condition form and the template form, arguments kept', () => {
    expect(conditionMessage("x | default('a')")).to.include("write default(x, 'a')");
    expect(conditionMessage('result.stdout_lines | length == 2')).to.include('write len(result.stdout_lines)');
    expect(conditionMessage('x | int > 3')).to.include('write int(x)');
    expect(conditionMessage('a and vms[0].name | upper == "X"')).to.include('write upper(vms[0].name)');
    expect(conditionMessage('x | frobnicate')).to.include("there is no 'frobnicate'");
    expect(templateMessage('{{ host.name | upper }}')).to.include('write {{upper host.name}}');
    expect(templateMessage('{{ x | d("n/a") }}')).to.include('write {{default x "n/a"}}');
    expect(templateMessage('{{ vars | to_json }}')).to.include('write {{json vars}}');
  });

  it('writes a test as the function or operator that asks the same', () => {
    expect(conditionMessage('x is not defined')).to.include('write not defined(x)');
    expect(conditionMessage('x is undefined')).to.include('write not defined(x)');
    expect(conditionMessage('x is none')).to.include('write x == null');
    expect(conditionMessage('r is failed')).to.include('write r.failed');
    expect(conditionMessage('r is succeeded')).to.include('write not r.failed');
    expect(conditionMessage("cs.version is version('4.17', '>=')")).to.include("write version(cs.version) >= '4.17'");
    expect(conditionMessage("name is match('r-')")).to.include("write name matches '^r-'");
  });

  it('leaves quoted bars, block parameters and other parse errors alone', () => {
    expect(parseExpression("x matches 'a|b'").ok).to.equal(true);
    expect(checkTemplate('{{#each xs as |x i|}}{{x}}{{/each}}').ok).to.equal(true);
    expect(conditionMessage("x == 'a|b' and")).to.not.include('Jinja');
    expect(templateMessage("{{#if x}}'|'")).to.not.include('Jinja');
  });
});
