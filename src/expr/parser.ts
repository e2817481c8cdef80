// Recursive-descent parser for conditions (`when`, `until`, `failed_when`, `changed_when`).
// Produces an AST with offsets, or the first problem with a message that says what was expected.

import type { BinaryOperator, Expr, ExpressionProblem } from './ast.js';
import { isPath } from './ast.js';
import { FUNCTION_SIGNATURES, describeArity } from './signatures.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { conditionHabits } from '../diagnostics/jinja-habits.js';
import { regexProblem } from './regex.js';
import { TokenizeError, describeToken, tokenize, type Token } from './tokenizer.js';
import { binary, COMPARISONS, describePathShort, end, FOREIGN_LITERALS, KEYWORDS, ParseError } from './parser-support.js';

export type ParseResult =
  | { readonly ok: true; readonly ast: Expr }
  | { readonly ok: false; readonly problem: ExpressionProblem };

/**
 * How deep an expression may nest — parentheses, lists, calls, `not`/`-` chains, and operator chains
 * (each operator adds a level to the tree): far past any real condition, well short of the call stack
 * of the parser and of the evaluator that walks the tree.
 */
export const MAX_NESTING = 100;

class Parser {
  private index = 0;
  private depth = 0;

  /** One level deeper (restored by the caller when its construct ends); refused past MAX_NESTING. */
  private deeper(token: Token): void {
    if (++this.depth > MAX_NESTING) {
      this.fail(`the expression nests more than ${MAX_NESTING} levels deep here (parentheses, lists, calls or chained operators): split it up`, token);
    }
  }

  constructor(private readonly tokens: readonly Token[]) {}

  private get current(): Token {
    return this.tokens[this.index]!;
  }

  private peek(ahead = 1): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  private advance(): Token {
    const token = this.current;
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private isWord(word: string, token = this.current): boolean {
    return token.type === 'identifier' && token.text === word;
  }

  private isOperator(text: string, token = this.current): boolean {
    return token.type === 'operator' && token.text === text;
  }

  private fail(message: string, token: Token = this.current): never {
    throw new ParseError({ message, offset: token.offset, length: Math.max(token.length, token.type === 'end' ? 0 : 1) });
  }

  parseAll(): Expr {
    if (this.current.type === 'end') this.fail('the expression is empty');
    const expr = this.parseOr();
    const token = this.tokens[this.index]!;
    if (token.type !== 'end') {
      if (this.isOperator(')')) this.fail("unmatched ')'");
      if (this.isOperator(']')) this.fail("unmatched ']'");
      if (this.isOperator(',')) this.fail("unexpected ',' outside a list or function call");
      this.fail(`unexpected ${describeToken(token)}: expected an operator such as 'and', 'or' or '=='`);
    }
    return expr;
  }

  private parseOr(): Expr {
    const depth = this.depth;
    let left = this.parseAnd();
    while (this.isWord('or')) {
      this.deeper(this.current);
      const op = this.advance();
      const right = this.parseAnd(op);
      left = { kind: 'logical', operator: 'or', left, right, offset: left.offset, length: end(right) - left.offset };
    }
    this.depth = depth;
    return left;
  }

  private parseAnd(after?: Token): Expr {
    const depth = this.depth;
    let left = this.parseNot(after);
    while (this.isWord('and')) {
      this.deeper(this.current);
      const op = this.advance();
      const right = this.parseNot(op);
      left = { kind: 'logical', operator: 'and', left, right, offset: left.offset, length: end(right) - left.offset };
    }
    this.depth = depth;
    return left;
  }

  private parseNot(after?: Token): Expr {
    if (this.isWord('not')) {
      this.deeper(this.current);
      const op = this.advance();
      const operand = this.parseNot(op);
      this.depth--;
      return { kind: 'unary', operator: 'not', operand, offset: op.offset, length: end(operand) - op.offset };
    }
    return this.parseComparison(after);
  }

  private comparisonOperator(): { operator: BinaryOperator; tokens: number } | undefined {
    const token = this.current;
    if (token.type === 'operator' && COMPARISONS.has(token.text)) return { operator: token.text as BinaryOperator, tokens: 1 };
    if (this.isWord('in')) return { operator: 'in', tokens: 1 };
    if (this.isWord('matches')) return { operator: 'matches', tokens: 1 };
    if (this.isWord('contains')) return { operator: 'contains', tokens: 1 };
    if (this.isWord('not') && this.isWord('in', this.peek())) return { operator: 'not in', tokens: 2 };
    return undefined;
  }

  private parseComparison(after?: Token): Expr {
    const left = this.parseAdditive(after);
    const found = this.comparisonOperator();
    if (!found) return left;
    const opToken = this.current;
    for (let i = 0; i < found.tokens; i++) this.advance();
    const lastOpToken = this.tokens[this.index - 1]!;
    const operatorLength = end(lastOpToken) - opToken.offset;
    const right = this.parseAdditive({ ...opToken, text: found.operator, length: operatorLength });
    if (this.comparisonOperator()) {
      this.fail("comparisons cannot be chained (a < b < c): combine them with 'and'");
    }
    if (found.operator === 'matches' && right.kind === 'literal' && typeof right.value === 'string') {
      const problem = regexProblem(right.value);
      if (problem) throw new ParseError({ message: problem, offset: right.offset, length: right.length });
    }
    return {
      kind: 'binary', operator: found.operator, left, right,
      operatorOffset: opToken.offset, operatorLength,
      offset: left.offset, length: end(right) - left.offset,
    };
  }

  private parseAdditive(after?: Token): Expr {
    const depth = this.depth;
    let left = this.parseMultiplicative(after);
    while (this.isOperator('+') || this.isOperator('-')) {
      this.deeper(this.current);
      const op = this.advance();
      const right = this.parseMultiplicative(op);
      left = binary(op, left, right);
    }
    this.depth = depth;
    return left;
  }

  private parseMultiplicative(after?: Token): Expr {
    const depth = this.depth;
    let left = this.parseUnary(after);
    while (this.isOperator('*') || this.isOperator('/') || this.isOperator('%')) {
      this.deeper(this.current);
      const op = this.advance();
      const right = this.parseUnary(op);
      left = binary(op, left, right);
    }
    this.depth = depth;
    return left;
  }

  private parseUnary(after?: Token): Expr {
    if (this.isOperator('-')) {
      this.deeper(this.current);
      const op = this.advance();
      const operand = this.parseUnary(op);
      this.depth--;
      if (operand.kind === 'literal' && typeof operand.value === 'number') {
        return { kind: 'literal', value: -operand.value, offset: op.offset, length: end(operand) - op.offset };
      }
      return { kind: 'unary', operator: '-', operand, offset: op.offset, length: end(operand) - op.offset };
    }
    return this.parsePostfix(after);
  }

  private parsePostfix(after?: Token): Expr {
    const depth = this.depth;
    let expr = this.parsePrimary(after);
    for (;;) {
      if (this.isOperator('.') || this.isOperator('[')) this.deeper(this.current);
      if (this.isOperator('.')) {
        const dot = this.advance();
        const name = this.current;
        if (name.type !== 'identifier') {
          if (name.type === 'number') this.fail(`use [${name.text}] to index a list, not .${name.text}`, name);
          this.fail("expected a field name after '.'", name.type === 'end' ? dot : name);
        }
        this.advance();
        if (this.isOperator('(')) {
          const hint = Object.hasOwn(FUNCTION_SIGNATURES, name.text) ? `: write ${name.text}(${describePathShort(expr)}, …)` : '';
          this.fail(`methods cannot be called${hint}`, name);
        }
        expr = { kind: 'member', object: expr, name: name.text, nameOffset: name.offset, offset: expr.offset, length: end(name) - expr.offset };
      } else if (this.isOperator('[')) {
        const open = this.advance();
        if (this.isOperator(']')) this.fail("expected an index inside '[ ]'");
        const index = this.parseOr();
        const close = this.expectOperator(']', `expected ']' to close the '[' at offset ${open.offset}`);
        expr = { kind: 'index', object: expr, index, offset: expr.offset, length: end(close) - expr.offset };
      } else if (this.isOperator('(')) {
        this.fail('only functions can be called');
      } else {
        this.depth = depth;
        return expr;
      }
    }
  }

  private expectOperator(text: string, message: string): Token {
    if (!this.isOperator(text)) this.fail(message);
    return this.advance();
  }

  private parsePrimary(after?: Token): Expr {
    const token = this.current;
    switch (token.type) {
      case 'number':
        this.advance();
        return { kind: 'literal', value: token.number ?? Number(token.text), offset: token.offset, length: token.length };
      case 'string':
        this.advance();
        return { kind: 'literal', value: token.text, offset: token.offset, length: token.length };
      case 'identifier':
        return this.parseIdentifier(token, after);
      case 'operator':
        if (token.text === '(') {
          this.deeper(token);
          this.advance();
          if (this.isOperator(')')) this.fail("expected an expression inside '( )'");
          const inner = this.parseOr();
          this.expectOperator(')', "expected ')' to close the '('");
          this.depth--;
          return inner;
        }
        if (token.text === '[') return this.parseList();
        break;
      case 'end':
        break;
    }
    if (after) this.fail(`expected an operand after '${after.text}'`, token.type === 'end' ? after : token);
    return this.fail(`expected a value, a variable or '(' but found ${describeToken(token)}`);
  }

  private parseIdentifier(token: Token, after?: Token): Expr {
    const name = token.text;
    if (name === 'true' || name === 'false') {
      this.advance();
      return { kind: 'literal', value: name === 'true', offset: token.offset, length: token.length };
    }
    if (name === 'null') {
      this.advance();
      return { kind: 'literal', value: null, offset: token.offset, length: token.length };
    }
    if (KEYWORDS.has(name)) {
      if (after) this.fail(`expected an operand after '${after.text}' but found '${name}'`);
      this.fail(`expected a value before '${name}'`);
    }
    if (Object.hasOwn(FOREIGN_LITERALS, name)) this.fail(`write '${FOREIGN_LITERALS[name]}' instead of '${name}'`);
    this.advance();
    if (this.isOperator('(')) return this.parseCall(token);
    return { kind: 'variable', name, offset: token.offset, length: token.length };
  }

  private parseCall(nameToken: Token): Expr {
    const name = nameToken.text;
    this.deeper(nameToken);
    const signature = Object.hasOwn(FUNCTION_SIGNATURES, name) ? FUNCTION_SIGNATURES[name] : undefined;
    if (!signature) {
      this.fail(`unknown function '${name}'${didYouMean(name, Object.keys(FUNCTION_SIGNATURES))}`, nameToken);
    }
    this.advance();
    const args: Expr[] = [];
    if (!this.isOperator(')')) {
      for (;;) {
        args.push(this.parseOr());
        if (this.isOperator(',')) {
          this.advance();
          continue;
        }
        break;
      }
    }
    const close = this.expectOperator(')', `expected ',' or ')' in the arguments of ${name}()`);
    this.depth--;
    const node = { kind: 'call' as const, name, args, offset: nameToken.offset, length: end(close) - nameToken.offset };
    if (args.length < signature.min || args.length > signature.max) {
      throw new ParseError({
        message: `${name}() takes ${describeArity(signature)}, got ${args.length}`,
        offset: node.offset, length: node.length,
      });
    }
    const first = args[0];
    if (name === 'defined' && first && !isPath(first)) {
      throw new ParseError({ message: 'defined() expects a variable path such as result.stdout', offset: first.offset, length: first.length });
    }
    return node;
  }

  private parseList(): Expr {
    this.deeper(this.current);
    const open = this.advance();
    const items: Expr[] = [];
    while (!this.isOperator(']')) {
      items.push(this.parseOr());
      if (this.isOperator(',')) {
        this.advance();
        continue;
      }
      if (!this.isOperator(']')) this.fail(`expected ',' or ']' in the list opened at offset ${open.offset}`);
    }
    const close = this.advance();
    this.depth--;
    return { kind: 'list', items, offset: open.offset, length: end(close) - open.offset };
  }
}

/** Parses without caching; see parseExpression in parse.ts. */
export function parseUncached(source: string): ParseResult {
  try {
    return { ok: true, ast: new Parser(tokenize(source)).parseAll() };
  } catch (error) {
    if (error instanceof ParseError || error instanceof TokenizeError) return { ok: false, problem: jinjaHabit(source) ?? error.problem };
    throw error;
  }
}

/** A Jinja filter or test in a condition that does not parse: the stackplay way to write it, at its spot. */
function jinjaHabit(source: string): ExpressionProblem | undefined {
  return conditionHabits(source, new Set(Object.keys(FUNCTION_SIGNATURES)))[0];
}
