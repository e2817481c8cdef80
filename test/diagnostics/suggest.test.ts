// One "did you mean" for the whole program: the loader's hints (keys, step types, arguments) and the
// expression language's (variables, fields, functions) follow the same rule, so a typo gets the same
// hint wherever it is made.

import { expect } from 'chai';
import { closestName, didYouMean } from '../../src/diagnostics/suggest.js';
import { ExpressionError, evaluate, parseExpression } from '../../src/expr/index.js';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { stepRegistry } from '../../src/steps/registry.js';

describe('diagnostics: did you mean', () => {
  const cases: Array<[string, string[], string | undefined]> = [
    ['shel', ['shell', 'set', 'log'], 'shell'],
    ['whne', ['when', 'name'], 'when'], // adjacent letters swapped
    ['Shell', ['shell'], 'shell'], // case alone
    ['tmout', ['timeout', 'tags'], 'timeout'], // two edits: allowed by the longer name (7 letters)
    ['time', ['timeout', 'tags'], 'timeout'], // a cut-off name
    ['lenght', ['len', 'lower'], 'len'], // a misspelt tail
    ['livepach', ['livepatch', 'cleanup'], 'livepatch'],
    ['ur', ['url', 'user'], undefined], // two letters: too short to guess
    ['Ur', ['ur'], 'ur'],
    ['zzzz', ['shell', 'when'], undefined],
    ['shell', ['shell'], undefined], // the name itself is not a suggestion
  ];
  for (const [word, candidates, want] of cases) {
    it(`'${word}' among ${candidates.join(', ')} → ${want ?? 'nothing'}`, () => {
      expect(closestName(word, candidates)).to.equal(want);
      expect(didYouMean(word, candidates)).to.equal(want === undefined ? '' : ` — did you mean '${want}'?`);
    });
  }

  function exprError(source: string, scope: Record<string, unknown>): string {
    const parsed = parseExpression(source);
    if (!parsed.ok) return parsed.problem.message;
    try {
      evaluate(parsed.ast, scope);
    } catch (err) {
      if (err instanceof ExpressionError) return err.message;
      throw err;
    }
    return 'no error';
  }

  it('the expression language hints by the same rule as the loader', () => {
    expect(exprError('tmout > 1', { timeout: 5 })).to.equal("undefined variable 'tmout' — did you mean 'timeout'?");
  });

  it('the loader hints a cut-off common key by the same rule as the expression language', () => {
    const text = 'name: t\nplays:\n  - name: p\n    hosts: localhost\n    steps:\n      - name: s\n        log: hi\n        time: 5\n';
    const r = loadPlaybook('t.yml', text, { steps: stepRegistry });
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.problems.items.map((p) => p.message)).to.deep.equal(["unknown key 'time' in a step — did you mean 'timeout'?"]);
  });
});
