import { expect } from 'chai';
import { checkTemplate } from '../../src/template/index.js';

function problem(source: string): { message: string; offset: number; length: number } {
  const result = checkTemplate(source);
  if (result.ok) throw new Error(`expected a problem in ${source}`);
  return { ...result.problem };
}

describe('template checkTemplate', () => {
  it('accepts valid templates and plain strings', () => {
    for (const source of [
      'plain', '{{x}}', '{{#each xs as |x i|}}{{x.y}}{{i}}{{/each}}', '{{default a.b "c"}}',
      '{{#if (and (eq a 1) (vgte v "4.17"))}}x{{else if b}}y{{else}}z{{/if}}', '{{! comment }}', '\\{{ not a tag }}',
    ]) {
      expect(checkTemplate(source), source).to.deep.equal({ ok: true });
    }
  });

  describe('syntax errors with offsets', () => {
    const cases: Array<[string, string, number, number]> = [
      ['hello {{foo bar', "'{{' is not closed: expected '}}'", 6, 2],
      ['ab\ncd {{ x }} {{ y', "'{{' is not closed: expected '}}'", 14, 2],
      ['{{#if x}}a{{/iff}}', "'{{/iff}}' does not close '{{#if}}'", 10, 8],
      ['line\n{{#each xs}}\n  {{x}}\n{{/ eachh }}', "'{{/eachh}}' does not close '{{#each}}'", 26, 12],
      ['{{#if x}}never closed', "unexpected end of template: a '{{', '(' or block is not closed", 21, 0],
      ['a {{{x}}', "unexpected '}}': expected '}}}', '(', a name, a string, …", 6, 2],
      ['{{else}}', "unexpected '{{else}}': expected the end of the template, a comment, text, '{{{{', …", 0, 8],
      ['x\n\n  {{eq a (b}}', "unexpected '}}': expected '(', ')', a name, a string, …", 14, 2],
    ];
    for (const [source, message, offset, length] of cases) {
      it(`${JSON.stringify(source)}: ${message}`, () => expect(problem(source)).to.deep.equal({ message, offset, length }));
    }
  });

  describe('helper and usage problems', () => {
    const cases: Array<[string, string, number, number]> = [
      ['{{lenght list}}', "unknown helper 'lenght' — did you mean 'len'?", 2, 6],
      ['x {{frob a}}', "unknown helper 'frob'", 4, 4],
      ['{{upper (defualt a "b")}}', "unknown helper 'defualt' — did you mean 'default'?", 9, 7],
      ['{{#iff a}}x{{/iff}}', "unknown block helper 'iff' — did you mean 'if'? (blocks are #if, #unless, #each and #with)", 3, 3],
      ['{{#eq a b}}x{{/eq}}', "'eq' cannot open a block: write {{#if (eq …)}}…{{/if}}", 3, 2],
      ['{{if a}}', "'if' is a block helper: write {{#if …}}…{{/if}}", 2, 2],
      ['{{eq a}}', "'eq' takes 2 arguments, got 1", 0, 8],
      ['{{quote a b}}', "'quote' takes 1 argument, got 2", 0, 13],
      ['{{len a b}}', "'len' takes 1 argument, got 2", 0, 11],
      ['{{and a}}', "'and' takes at least 2 arguments, got 1", 0, 9],
      ['{{#if a b}}x{{/if}}', '{{#if}} takes 1 argument, got 2', 3, 2],
      ['{{x y=1}}', 'named arguments (key=value) are not supported', 4, 3],
      ['{{> partial}}', 'partials ({{> name}}) are not supported', 0, 13],
      ['{{#> layout}}x{{/layout}}', 'partials ({{> name}}) are not supported', 0, 25],
      ['{{#* inline "p"}}x{{/inline}}', 'decorators ({{* name}}) are not supported', 0, 29],
      ['{{@indx}}', "unknown data variable '@indx' — did you mean '@index'?", 2, 5],
      ['{{../x}}', "'../x' goes above the top level of the template", 2, 4],
      ['{{#if a as |b|}}{{b}}{{/if}}', "'as |…|' only works with #each and #with, not #if", 3, 2],
      ['{{defined "x"}}', "'defined' needs a variable path such as result.stdout", 10, 3],
      ['{{eq a undefined}}', "'undefined' is not a value here: use null", 7, 9],
      ['{{"lit" a}}', 'a literal cannot take arguments', 2, 5],
      ['{{__sp_get a}}', "unknown helper '__sp_get'", 2, 8],
      ['{{log a}}', "unknown helper 'log'", 2, 3],
      ['{{{{raw}}}}x{{{{/raw}}}}', "unknown block helper 'raw' (blocks are #if, #unless, #each and #with)", 4, 3],
    ];
    for (const [source, message, offset, length] of cases) {
      it(`${JSON.stringify(source)}: ${message}`, () => expect(problem(source)).to.deep.equal({ message, offset, length }));
    }
  });

  it('reports every problem, the first one as `problem`', () => {
    const result = checkTemplate('{{lenght a}} {{upperr b}}');
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message)).to.deep.equal([
      "unknown helper 'lenght' — did you mean 'len'?",
      "unknown helper 'upperr' — did you mean 'upper'?",
    ]);
    expect(result.problem).to.equal(result.problems[0]);
  });
});

describe('template positions with any line ending', () => {
  for (const [name, eol] of [['\\n', '\n'], ['\\r\\n', '\r\n'], ['\\r', '\r']] as const) {
    it(`maps Handlebars line/column to offsets with ${name} line ends`, () => {
      const source = `a${eol}b${eol}  {{#if x}}{{/iff}}`;
      const result = checkTemplate(source);
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(source.slice(result.problem.offset, result.problem.offset + result.problem.length)).to.equal('{{/iff}}');
    });
  }
});

describe('template: nesting limit', () => {
  it('refuses blocks and helper calls nested past 64 levels at the first one too deep, and reads comments past', () => {
    const deep = `{{default ${'(default '.repeat(3000)}x${' 1)'.repeat(3000)} 1}}`;
    const r = checkTemplate(deep);
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.problem).to.deep.include({ offset: 10 + 64 * 9, length: 1 });
    const blocks = checkTemplate(`${'{{#if x}}'.repeat(100)}${'{{/if}}'.repeat(100)}`);
    expect(!blocks.ok && blocks.problem.offset).to.equal(64 * 9);
    expect(checkTemplate(`{{!-- ${'('.repeat(100)} --}}{{#if x}}{{default (default x 1) 2}}{{/if}}`).ok).to.equal(true);
  });
});
