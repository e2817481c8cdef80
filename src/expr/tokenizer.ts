// Splits condition source into tokens with offsets. Hand-written so error messages can name the
// character and suggest the language's spelling (`and` for `&&`, `==` for `=`).

import type { ExpressionProblem } from './ast.js';

export type TokenType = 'number' | 'string' | 'identifier' | 'operator' | 'end';

export interface Token {
  readonly type: TokenType;
  /** Operator text, identifier name, or the decoded string literal. */
  readonly text: string;
  readonly number?: number;
  readonly offset: number;
  readonly length: number;
}

const TWO_CHAR_OPERATORS = new Set(['==', '!=', '<=', '>=']);
const ONE_CHAR_OPERATORS = new Set(['<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', '.']);
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"',
};

export class TokenizeError extends Error {
  constructor(readonly problem: ExpressionProblem) {
    super(problem.message);
  }
}

function fail(message: string, offset: number, length = 1): never {
  throw new TokenizeError({ message, offset, length });
}

function isIdentifierStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (isDigit(c)) {
      i = readNumber(source, i, tokens);
    } else if (c === "'" || c === '"') {
      i = readString(source, i, tokens);
    } else if (isIdentifierStart(c)) {
      let end = i + 1;
      while (end < source.length && (isIdentifierStart(source[end]!) || isDigit(source[end]))) end++;
      tokens.push({ type: 'identifier', text: source.slice(i, end), offset: i, length: end - i });
      i = end;
    } else {
      i = readOperator(source, i, tokens);
    }
  }
  tokens.push({ type: 'end', text: '', offset: source.length, length: 0 });
  return tokens;
}

function readNumber(source: string, start: number, tokens: Token[]): number {
  let end = start;
  while (isDigit(source[end])) end++;
  if (source[end] === '.' && isDigit(source[end + 1])) {
    end++;
    while (isDigit(source[end])) end++;
  }
  if ((source[end] === 'e' || source[end] === 'E') &&
      (isDigit(source[end + 1]) || ((source[end + 1] === '+' || source[end + 1] === '-') && isDigit(source[end + 2])))) {
    end += 2;
    while (isDigit(source[end])) end++;
  }
  if (end < source.length && isIdentifierStart(source[end]!)) {
    fail(`a number cannot be followed directly by '${source[end]}'`, end);
  }
  const text = source.slice(start, end);
  tokens.push({ type: 'number', text, number: Number(text), offset: start, length: end - start });
  return end;
}

function readString(source: string, start: number, tokens: Token[]): number {
  const quote = source[start]!;
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const c = source[i]!;
    if (c === quote) {
      tokens.push({ type: 'string', text: value, offset: start, length: i + 1 - start });
      return i + 1;
    }
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) break;
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      const escaped = Object.hasOwn(ESCAPES, next) ? ESCAPES[next] : undefined;
      // Unknown escapes keep their backslash so regular expressions read naturally: '\d+' is \d+.
      value += escaped ?? '\\' + next;
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  return fail(`unterminated string: missing the closing ${quote}`, start, source.length - start);
}

function readOperator(source: string, start: number, tokens: Token[]): number {
  const two = source.slice(start, start + 2);
  const c = source[start]!;
  if (two === '&&') fail("use 'and' instead of '&&'", start, 2);
  if (two === '||') fail("use 'or' instead of '||'", start, 2);
  if (source.slice(start, start + 3) === '===' || source.slice(start, start + 3) === '!==') {
    fail(`use '${two}' instead of '${source.slice(start, start + 3)}'`, start, 3);
  }
  if (TWO_CHAR_OPERATORS.has(two)) {
    tokens.push({ type: 'operator', text: two, offset: start, length: 2 });
    return start + 2;
  }
  if (c === '=') fail("'=' is not an operator: use '==' to compare", start);
  if (c === '!') fail("use 'not' instead of '!'", start);
  if (ONE_CHAR_OPERATORS.has(c)) {
    tokens.push({ type: 'operator', text: c, offset: start, length: 1 });
    return start + 1;
  }
  if (two === '{{' || two === '}}') fail('conditions are expressions, not templates: write them without {{ }}', start, 2);
  if (c === '{') fail("unexpected '{': map literals are not supported", start);
  return fail(`unexpected character '${c}'`, start);
}

/** How a token is named in messages. */
export function describeToken(token: Token): string {
  switch (token.type) {
    case 'end': return 'the end of the expression';
    case 'string': return 'a string';
    default: return `'${token.text}'`;
  }
}
