// docs/functions.md: the one function vocabulary of conditions and templates. Every example there is
// run in its own form (a line with '{{' is a template, any other a condition), and every function of
// the vocabulary is shown in both forms and exists in both languages, with the same arity.

import { expect } from 'chai';
import { ExpressionError, FUNCTION_SIGNATURES, VOCABULARY, evaluate, parseExpression } from '../../src/expr/index.js';
import { HELPERS, TemplateError, render } from '../../src/template/index.js';
import { readDocPage, showResult } from './doc-examples.js';

function run(input: string, scope: Record<string, unknown>): string {
  try {
    if (input.includes('{{')) return showResult(render(input, scope));
    const parsed = parseExpression(input);
    if (!parsed.ok) return `error: ${parsed.problem.message}`;
    return showResult(evaluate(parsed.ast, scope));
  } catch (error) {
    if (error instanceof ExpressionError || error instanceof TemplateError) return `error: ${error.message}`;
    throw error;
  }
}

/** The function an example calls first: `len(x)` or `{{len x}}`. */
function calledName(input: string): { readonly name: string; readonly form: 'condition' | 'template' } | undefined {
  const template = /\{\{\s*([a-z_]+)\s/.exec(input);
  if (template) return { name: template[1]!, form: 'template' };
  const call = /^([a-z_]+)\(/.exec(input);
  return call ? { name: call[1]!, form: 'condition' } : undefined;
}

describe('docs/functions.md: one vocabulary for conditions and templates', () => {
  const page = readDocPage('docs/functions.md');

  for (const example of page.examples) {
    it(`line ${example.line}: ${example.input}`, () => expect(run(example.input, page.scope)).to.equal(example.expected));
  }

  it('every function of the vocabulary is a condition function and a template helper, with one arity', () => {
    for (const [name, f] of Object.entries(VOCABULARY)) {
      expect(FUNCTION_SIGNATURES[name], name).to.include({ min: f.min, max: f.max });
      expect(HELPERS[name], name).to.include({ min: f.min, max: f.max });
      expect(HELPERS[name]!.block, name).to.not.equal(true);
    }
    // what only one language has is its own syntax: path functions, blocks, operators as helpers
    const conditionOnly = Object.keys(FUNCTION_SIGNATURES).filter((n) => !Object.hasOwn(VOCABULARY, n));
    expect(conditionOnly).to.have.members(['defined', 'default']);
  });

  it('shows every function of the vocabulary in both forms', () => {
    const shown = new Set(page.examples.map((e) => calledName(e.input)).filter((c) => c !== undefined).map((c) => `${c.form}:${c.name}`));
    for (const name of [...Object.keys(VOCABULARY), 'defined', 'default']) {
      // quote's template form is shown inside a command line
      const template = shown.has(`template:${name}`) || page.examples.some((e) => e.input.includes(`{{${name} `));
      expect(shown.has(`condition:${name}`) || page.examples.some((e) => e.input.includes(`${name}(`)), `${name}(…)`).to.equal(true);
      expect(template, `{{${name} …}}`).to.equal(true);
    }
  });

  it('a count can be stored: the template form keeps the number', () => {
    expect(render("{{count vms 'state' 'Running'}}", page.scope)).to.equal(1);
  });

  it("a function's name alone in a template reads the variable (a field inside #with)", () => {
    expect(render('{{#with cs}}{{version}}/{{count}}{{/with}}', { cs: { version: '4.20', count: 2 } })).to.equal('4.20/2');
  });
});
