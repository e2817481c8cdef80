// Table-driven over the whole step registry: for every duration, port and list argument of every step
// type, a bad value written in the playbook is a load-time problem at its own line and column, and the
// same bad value arriving through a template fails the step at run time at the template's position
// (before the step does anything). The arguments come from the schemas, so a new step type is covered
// as soon as it is registered.

import { expect } from 'chai';
import { loadPlaybook } from '../../../src/loader/load-playbook.js';
import type { Kind } from '../../../src/steps/schema/kinds.js';
import type { AnySchema } from '../../../src/steps/schema/schema.js';
import { stepRegistry } from '../../../src/steps/registry.js';
import type { StepType } from '../../../src/steps/types.js';
import { runYaml } from '../../support/run-yaml.js';

/** A value each kind accepts (for the arguments a step needs besides the one under test). */
function sample(kind: Kind<unknown>): unknown {
  const m = kind.meta;
  switch (m.family) {
    case 'string': case 'any': case 'pattern': return 'x';
    case 'bool': return true;
    case 'duration': return '1s';
    case 'port': return 8096;
    case 'url': return 'http://127.0.0.1:9/';
    case 'custom': return '0644';
    case 'int': return m.min ?? 1;
    case 'enum': return m.values[0];
    case 'host': return 'ms1';
    case 'list': return [sample(m.item)];
    case 'map': return { A: sample(m.value) };
    case 'object': return Object.fromEntries(Object.entries(m.fields).filter(([, f]) => (f as AnySchema).presence === 'required').map(([k, f]) => [k, sample(f.kind)]));
  }
}

/** Arguments a step type needs to be valid apart from `arg` (its cross-argument rules included). */
function base(def: StepType, arg: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(def.args)) if (schema.presence === 'required' && name !== arg) out[name] = sample(schema.kind);
  if (def.name === 'wait_for' && arg !== 'port') out['path'] = '/tmp/x';
  if (def.name === 'copy') out['content'] = 'x';
  if (def.name === 'cloudstack.vm_services' && arg !== 'services') out['services'] = ['haproxy'];
  return out;
}

interface Case {
  readonly what: string;
  /** Written in the playbook (JSON is YAML flow style). */
  readonly bad: unknown;
  readonly code: string;
  /** In the message. */
  readonly says: string;
  /** Offset of the problem from the value's first character (an item inside a list). */
  readonly at?: number;
}

function cases(kind: Kind<unknown>): Case[] {
  const m = kind.meta;
  if (m.family === 'duration') {
    return [
      { what: 'not a duration', bad: 'ten seconds', code: 'wrong-type', says: "must be a duration like 5, '30s'" },
      { what: "past Node's timer limit", bad: '1000h', code: 'bad-value', says: 'at most about 24.8 days' },
    ];
  }
  if (m.family === 'port') {
    return [
      { what: 'out of range', bad: 70000, code: 'bad-value', says: 'must be a TCP port number (1 to 65535), not 70000' },
      { what: 'not a number', bad: 'eighty', code: 'wrong-type', says: 'must be a TCP port number' },
    ];
  }
  if (m.family === 'list') {
    const out: Case[] = m.single
      ? [{ what: 'a mapping for a list', bad: { a: 1 }, code: 'wrong-type', says: 'must be a list of' }]
      : [{ what: 'a scalar for a list', bad: 5, code: 'wrong-type', says: 'write [5] for a list of one' }];
    const item = m.item.meta.family;
    const badItem = item === 'int' ? 'x' : item === 'pattern' ? '(' : item === 'enum' ? 'nope' : item === 'string' ? { a: 1 } : item === 'object' ? [1] : undefined;
    if (badItem !== undefined) out.push({ what: 'a bad item', bad: ['ok', badItem].slice(item === 'string' || item === 'pattern' ? 0 : 1), code: item === 'pattern' || item === 'enum' ? 'bad-value' : 'wrong-type', says: '', at: item === 'string' || item === 'pattern' ? 6 : 1 });
    return out;
  }
  return [];
}

const INVENTORY = 'hosts:\n  ms1:\n    address: 127.0.0.1\n    cloudstack:\n      url: http://127.0.0.1:9/client/api\n      api_key: { secret: k-0123456789 }\n      secret_key: { secret: s-0123456789 }\n';

function playbook(type: string, arg: string, value: string, others: Record<string, unknown>): string {
  return [
    'name: t', 'plays:', '  - name: p', '    hosts: localhost', '    steps:', '      - name: s', `        ${type}:`,
    `          ${arg}: ${value}`, ...Object.entries(others).map(([k, v]) => `          ${k}: ${JSON.stringify(v)}`), '',
  ].join('\n');
}

describe('step contract: every duration, port and list argument of every step type', function () {
  this.timeout(60_000);
  const tested: string[] = [];
  for (const def of [...stepRegistry.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const [arg, schema] of Object.entries(def.args)) {
      for (const c of cases(schema.kind)) {
        tested.push(`${def.name}.${arg}`);
        const col = arg.length + 13; // "          ARG: " — where the value starts

        it(`${def.name} ${arg}: ${c.what}, written in the playbook → load-time problem at its position`, () => {
          const r = loadPlaybook('t.yml', playbook(def.name, arg, JSON.stringify(c.bad), base(def, arg)), { steps: stepRegistry });
          expect(r.ok).to.equal(false);
          if (r.ok) return;
          const p = r.problems.items.find((x) => x.message.includes(`'${def.name}' argument '${arg}`));
          expect(p, JSON.stringify(r.problems.items)).to.not.equal(undefined);
          expect({ code: p!.code, line: p!.pos?.line, col: p!.pos?.col }).to.deep.equal({ code: c.code, line: 8, col: col + (c.at ?? 0) });
          expect(p!.message).to.include(c.says);
        });

        // raw arguments (patterns, conditions) are not templates: a '{{' in them is text
        if (schema.isRaw || c.at !== undefined) continue;
        it(`${def.name} ${arg}: ${c.what}, from a template → the step fails at the template's position`, async () => {
          const { ends, summary } = await runYaml(playbook(def.name, arg, '"{{bad}}"', base(def, arg)), { inventory: INVENTORY, extraVars: { bad: c.bad } });
          expect(summary.exitCode).to.equal(1);
          const end = ends('s')[0]!;
          expect(end.status).to.equal('failed');
          expect(end.msg).to.match(new RegExp(`^argument '${arg}' of 's' `));
          expect(end.msg).to.include(c.says);
          expect(end.msg).to.match(new RegExp(`\\(t\\.yml:8:${col}\\)$`));
        });
      }
    }
  }

  it('covers the arguments the issue names (the table is not empty by accident)', () => {
    expect(tested).to.include.members(['pause.duration', 'follow.timeout', 'wait_for.port', 'cloudstack.wait.port', 'shell.ok_codes', 'http.status', 'cloudstack.systemvms.zones', 'follow.failure']);
  });
});
