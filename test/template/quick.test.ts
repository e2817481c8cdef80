// The quick scan for plain-variable templates must give exactly what Handlebars' parser and the
// analyzer give, on every template it accepts: the bundled playbooks' and a set of tricky ones.

import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { quickAnalysis } from '../../src/template/quick.js';
import { analyzeTemplate } from '../../src/template/analyze.js';
import { parseTemplate } from '../../src/template/syntax.js';
import { lineStarts } from '../../src/template/positions.js';
import type { ProgramNode } from '../../src/template/nodes.js';
import { render, checkTemplate, templateRootReferences } from '../../src/template/index.js';
import { REPO_ROOT } from '../support/paths.js';

function full(source: string): unknown {
  const parsed = parseTemplate(source);
  if (!parsed.ok) return { problems: [parsed.problem], references: [], single: false };
  const a = analyzeTemplate(parsed.program as unknown as ProgramNode, lineStarts(source), source.length);
  return { problems: a.problems, references: a.references, single: a.single };
}

function stringsIn(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') {
    if (value.includes('{{')) out.push(value);
  } else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

function bundledTemplates(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.yml')) stringsIn(yaml.load(readFileSync(join(dir, e.name), 'utf8')), out);
    }
  };
  walk(join(REPO_ROOT, 'playbooks'));
  walk(join(REPO_ROOT, 'inventories'));
  return out;
}

const ACCEPTED = [
  '{{x}}', '  {{x}}  ', '{{ x }}', '{{a.b.c}}', 'step 3 on {{inventory_hostname}}', '{{a}}{{b}}', 'x {{a}} y {{b.c}} z',
  '{{a}}\n{{b}}', '}} {{a}}', '{ {{a}} }', '{{a_b1}}', '{{ cs.version }}.{{x}}',
];
const REJECTED = [
  '{{upper x}}', '{{#if a}}b{{/if}}', '{{this}}', '{{../a}}', '{{@index}}', '{{a/b}}', '{{~a}}', '{{{a}}}', '{{a}}}',
  '\\{{a}}', '{{!c}}', '{{a-b}}', '{{else}}', '{{true}}', '{{a.true}}', '{{quote}}', '{{lookup}}', '{{a}} {{', '{{ a', '{{1}}',
  '{{a}} {{b c}}', 'a\0 {{b}}', 'a\n\u2028{{b}}', '{{b}}\u2029',
];

describe('template quick scan', () => {
  it('agrees with the parser on every bundled template it accepts', () => {
    const all = bundledTemplates();
    expect(all.length).to.be.above(50);
    let accepted = 0;
    for (const t of all) {
      const q = quickAnalysis(t);
      if (!q) continue;
      accepted++;
      expect(q, t).to.deep.equal(full(t));
    }
    expect(accepted).to.be.above(10);
  });

  for (const t of ACCEPTED) {
    it(`accepts ${JSON.stringify(t)} with the parser's analysis`, () => {
      const q = quickAnalysis(t);
      expect(q, t).to.not.equal(undefined);
      expect(q).to.deep.equal(full(t));
    });
  }

  for (const t of REJECTED) {
    it(`leaves ${JSON.stringify(t)} to the parser`, () => {
      expect(quickAnalysis(t)).to.equal(undefined);
    });
  }

  it('a quickly checked template renders like any other, with its type when it stands alone', () => {
    const source = `  {{n.count}}  `;
    expect(checkTemplate(source)).to.deep.equal({ ok: true });
    expect(templateRootReferences(source)).to.deep.equal([{ name: 'n', offset: 4, length: 7, optional: false }]);
    expect(render(source, { n: { count: 3 } })).to.equal(3);
    expect(render('a {{x}} b', { x: 1 })).to.equal('a 1 b');
    expect(() => render('a {{missing}} b', {})).to.throw(/undefined variable 'missing'/);
  });
});
