import { expect } from 'chai';
import { ExpressionError, evaluate, parseExpression } from '../../src/expr/index.js';
import { readDocPage, showResult } from './doc-examples.js';

describe('docs/expressions.md examples', () => {
  const page = readDocPage('docs/expressions.md');

  it('has examples', () => expect(page.examples.length).to.be.greaterThan(40));

  for (const example of page.examples) {
    it(`line ${example.line}: ${example.input}`, () => {
      const parsed = parseExpression(example.input);
      let shown: string;
      if (!parsed.ok) {
        shown = `error: ${parsed.problem.message}`;
      } else {
        try {
          shown = showResult(evaluate(parsed.ast, page.scope));
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          shown = `error: ${error.message}`;
        }
      }
      expect(shown).to.equal(example.expected);
    });
  }
});
