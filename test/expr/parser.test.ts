import { expect } from 'chai';
import { parseExpression, type Expr } from '../../src/expr/index.js';
import { MAX_NESTING } from '../../src/expr/parser.js';
import { ast, problem } from './helpers.js';

/** Fully parenthesised rendering of the tree, to check precedence and associativity. */
function shape(node: Expr): string {
  switch (node.kind) {
    case 'literal': return JSON.stringify(node.value);
    case 'list': return `[${node.items.map(shape).join(', ')}]`;
    case 'variable': return node.name;
    case 'member': return `${shape(node.object)}.${node.name}`;
    case 'index': return `${shape(node.object)}[${shape(node.index)}]`;
    case 'call': return `${node.name}(${node.args.map(shape).join(', ')})`;
    case 'unary': return `(${node.operator} ${shape(node.operand)})`;
    case 'binary':
    case 'logical': return `(${shape(node.left)} ${node.operator} ${shape(node.right)})`;
  }
}

describe('expr parser', () => {
  describe('precedence', () => {
    const cases: Array<[string, string]> = [
      ['a or b and c', '(a or (b and c))'],
      ['a and b or c', '((a and b) or c)'],
      ['not a and b', '((not a) and b)'],
      ['not a == b', '(not (a == b))'],
      ['a == b and c != d', '((a == b) and (c != d))'],
      ['a + b * c', '(a + (b * c))'],
      ['a - b - c', '((a - b) - c)'],
      ['a * b % c / d', '(((a * b) % c) / d)'],
      ['-a * b', '((- a) * b)'],
      ['a + b < c * d', '((a + b) < (c * d))'],
      ['(a or b) and c', '((a or b) and c)'],
      ['x not in y', '(x not in y)'],
      ['not x in y', '(not (x in y))'],
      ['s matches "^a" or s contains "b"', '((s matches "^a") or (s contains "b"))'],
      ['a.b[0].c', 'a.b[0].c'],
      ["a['k'].b", 'a["k"].b'],
      ['len(a.b) >= 2', '(len(a.b) >= 2)'],
      ['not not a', '(not (not a))'],
      ['-3', '-3'],
      ['[1, "a", [true, null]]', '[1, "a", [true, null]]'],
      ['a.in', 'a.in'],
    ];
    for (const [source, expected] of cases) {
      it(`${source}  →  ${expected}`, () => expect(shape(ast(source))).to.equal(expected));
    }
  });

  describe('literals', () => {
    it('reads numbers, floats and exponents', () => {
      expect(shape(ast('12'))).to.equal('12');
      expect(shape(ast('1.5'))).to.equal('1.5');
      expect(shape(ast('2e3'))).to.equal('2000');
    });
    it('reads strings with escapes in both quote styles', () => {
      const node = ast(String.raw`'it\'s\n' + "say \"hi\"\t\u0041"`);
      if (node.kind !== 'binary') throw new Error('expected a binary node');
      expect(node.left).to.include({ kind: 'literal', value: "it's\n" });
      expect(node.right).to.include({ kind: 'literal', value: 'say "hi"\tA' });
    });
    it('keeps the backslash of unknown escapes so regexes read naturally', () => {
      const node = ast(String.raw`'\d+\.\w'`);
      expect(node.kind === 'literal' && node.value).to.equal(String.raw`\d+\.\w`);
    });
  });

  describe('spans', () => {
    it('records offsets and lengths for nodes', () => {
      const node = ast('x and  result.stdout');
      expect(node).to.include({ kind: 'logical', offset: 0, length: 20 });
      if (node.kind !== 'logical') throw new Error('shape');
      expect(node.right).to.include({ kind: 'member', offset: 7, length: 13, nameOffset: 14 });
    });
    it('records the operator position of comparisons', () => {
      const node = ast('a  not in b');
      expect(node).to.include({ kind: 'binary', operator: 'not in', operatorOffset: 3, operatorLength: 6 });
    });
  });

  describe('problems with positions', () => {
    const cases: Array<[string, string, number, number]> = [
      ['', 'the expression is empty', 0, 0],
      ['a and', "expected an operand after 'and'", 2, 3],
      ['a and )', "expected an operand after 'and'", 6, 1],
      ['a ==', "expected an operand after '=='", 2, 2],
      ['a not in', "expected an operand after 'not in'", 2, 6],
      ['lenght(x)', "unknown function 'lenght' — did you mean 'len'?", 0, 6],
      ['frobnicate(x)', "unknown function 'frobnicate'", 0, 10],
      ['a = 1', "'=' is not an operator: use '==' to compare", 2, 1],
      ['a && b', "use 'and' instead of '&&'", 2, 2],
      ['a || b', "use 'or' instead of '||'", 2, 2],
      ['!a', "use 'not' instead of '!'", 0, 1],
      ['a === b', "use '==' instead of '==='", 2, 3],
      ["'abc", 'unterminated string: missing the closing \'', 0, 4],
      ['(a', "expected ')' to close the '('", 2, 0],
      ['a)', "unmatched ')'", 1, 1],
      ['a b', "unexpected 'b': expected an operator such as 'and', 'or' or '=='", 2, 1],
      ['a < b < c', "comparisons cannot be chained (a < b < c): combine them with 'and'", 6, 1],
      ['len(a, b)', 'len() takes 1 argument, got 2', 0, 9],
      ['default(a)', 'default() takes 2 arguments, got 1', 0, 10],
      ["defined('x')", 'defined() expects a variable path such as result.stdout', 8, 3],
      ['x == True', "write 'true' instead of 'True'", 5, 4],
      ['a.b(1)', 'methods cannot be called', 2, 1],
      ['a.startswith("x")', 'methods cannot be called: write startswith(a, …)', 2, 10],
      ['a[]', "expected an index inside '[ ]'", 2, 1],
      ['a.0', 'use [0] to index a list, not .0', 2, 1],
      ['[1, 2', "expected ',' or ']' in the list opened at offset 0", 5, 0],
      ['{{ x }}', 'conditions are expressions, not templates: write them without {{ }}', 0, 2],
      ["s matches '('", 'invalid regular expression: missing closing )', 10, 3],
      ['3x', "a number cannot be followed directly by 'x'", 1, 1],
      ['a # b', "unexpected character '#'", 2, 1],
      ['and', "expected a value before 'and'", 0, 3],
    ];
    for (const [source, message, offset, length] of cases) {
      it(`${JSON.stringify(source)}: ${message}`, () => {
        expect(problem(source)).to.deep.equal({ message, offset, length });
      });
    }
  });

  it('returns the same cached result for the same source', () => {
    const first = parseExpression('a.b == 1 and c');
    expect(parseExpression('a.b == 1 and c')).to.equal(first);
    expect(parseExpression('a.b == 1 and d')).to.not.equal(first);
  });
});

describe('expr parser: nesting limit', () => {
  it('accepts 100 levels and refuses the 101st at its position, for every way of nesting', () => {
    expect(parseExpression(`${'('.repeat(MAX_NESTING)}1${')'.repeat(MAX_NESTING)}`).ok).to.equal(true);
    const cases: Array<[string, number]> = [
      [`${'('.repeat(5000)}1${')'.repeat(5000)}`, MAX_NESTING],
      [`${'not '.repeat(5000)}x`, MAX_NESTING * 4],
      [`1${' + 1'.repeat(5000)}`, 1 + MAX_NESTING * 4 + 1],
      [`${'['.repeat(5000)}${']'.repeat(5000)}`, MAX_NESTING],
      [`${'len('.repeat(3000)}x${')'.repeat(3000)}`, MAX_NESTING * 4],
    ];
    for (const [source, offset] of cases) {
      const r = parseExpression(source);
      expect(r.ok, source.slice(0, 20)).to.equal(false);
      if (!r.ok) {
        expect(r.problem.message).to.include('nests more than 100 levels');
        expect(r.problem.offset, source.slice(0, 20)).to.equal(offset);
      }
    }
  });
});
