// Step arguments at load time: names are checked against the schema's own properties only, static
// host names against the inventory (when there is one), variable names of `set` as variable names.

import { expect } from 'chai';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { stepRegistry } from '../../src/steps/registry.js';

function problems(steps: string, hosts?: ReadonlySet<string>): string[] {
  const text = `name: t\nplays:\n  - name: p\n    hosts: localhost\n    steps:\n${steps}\n`;
  const r = loadPlaybook('t.yml', text, hosts ? { steps: stepRegistry, hosts } : { steps: stepRegistry });
  return r.ok ? [] : r.problems.sorted().map((p) => `${p.pos?.line}:${p.pos?.col} ${p.code} ${p.message}`);
}

describe('loader: step arguments', () => {
  for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
    it(`'${name}' is an unknown argument, not something every object has`, () => {
      expect(problems(`      - name: s\n        shell: {command: "true", ${name}: x}`)).to.deep.equal([
        `7:34 unknown-argument 'shell' has no argument '${name}'`,
      ]);
    });
  }

  it("set refuses '__proto__' and other names that are not variable names", () => {
    expect(problems('      - name: s\n        set: {__proto__: {polluted: 1}, "a-b": 1, ok: 2}')).to.deep.equal([
      "7:15 bad-name 'set' sets variables: '__proto__' is not a variable name (letters, digits, _)",
      "7:41 bad-name 'set' sets variables: 'a-b' is not a variable name (letters, digits, _)",
    ]);
  });

  it('a static host name that is not in the inventory is a load-time problem, with a suggestion', () => {
    const hosts = new Set(['localhost', 'mgmt1', 'jump']);
    expect(problems('      - name: s\n        http: {url: "http://10.0.0.5/", via: mgmt2}\n      - name: t\n        cloudstack.facts: {host: mgmt1}', hosts)).to.deep.equal([
      "7:46 unknown-host 'http' argument 'via' names 'mgmt2', which is not in the inventory — did you mean 'mgmt1'?",
    ]);
    // without an inventory (validate with no -i) the name cannot be checked
    expect(problems('      - name: s\n        http: {url: "http://10.0.0.5/", via: mgmt2}')).to.deep.equal([]);
  });

  it('a bad value inside a list or an object is reported where it is', () => {
    expect(problems([
      '      - name: s',
      '        follow:',
      '          command: "true"',
      "          progress: ['^ok', {pattern: '(', message: x}]",
      '          failure: ["^E", "["]',
    ].join('\n'))).to.deep.equal([
      "9:39 bad-value 'follow' argument 'progress[1].pattern' is refused: invalid regular expression: missing closing )",
      "10:27 bad-value 'follow' argument 'failure[1]' is refused: invalid regular expression: missing closing ]",
    ]);
  });

  it('an integer with a range, a port and a URL say what they accept', () => {
    expect(problems([
      '      - name: s',
      '        cloudstack.systemvms: {action: restart, concurrency: 0}',
      '      - name: t',
      '        http: {url: "ftp://example.org/x"}',
    ].join('\n'))).to.deep.equal([
      "7:62 bad-value 'cloudstack.systemvms' argument 'concurrency' must be an integer of at least 1, not 0",
      "9:21 bad-value 'http' argument 'url' must be an http:// or https:// URL, not a ftp:// one",
    ]);
  });
});
