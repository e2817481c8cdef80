import { expect } from 'chai';
import { TemplateError, render } from '../../src/template/index.js';
import { readDocPage, showResult } from '../expr/doc-examples.js';

describe('docs/templates.md examples', () => {
  const page = readDocPage('docs/templates.md');

  it('has examples', () => expect(page.examples.length).to.be.greaterThan(50));

  for (const example of page.examples) {
    it(`line ${example.line}: ${example.input}`, () => {
      let shown: string;
      try {
        shown = showResult(render(example.input, page.scope));
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        shown = `error: ${error.message}`;
      }
      expect(shown).to.equal(example.expected);
    });
  }
});
