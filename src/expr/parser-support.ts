// Pieces of the condition parser that hold no parsing state: its keyword tables, the error that carries
// a positioned problem out of the recursion, and small builders of AST nodes.

import type { BinaryOperator, Expr, ExpressionProblem } from './ast.js';
import type { Token } from './tokenizer.js';

export const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'matches', 'contains', 'true', 'false', 'null']);
export const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
export const FOREIGN_LITERALS: Readonly<Record<string, string>> = {
  True: 'true', False: 'false', None: 'null', TRUE: 'true', FALSE: 'false', NULL: 'null', Null: 'null',
  undefined: 'null', nil: 'null',
};

export class ParseError extends Error {
  constructor(readonly problem: ExpressionProblem) {
    super(problem.message);
  }
}

export function end(node: { readonly offset: number; readonly length: number }): number {
  return node.offset + node.length;
}

export function binary(op: Token, left: Expr, right: Expr): Expr {
  return {
    kind: 'binary', operator: op.text as BinaryOperator, left, right,
    operatorOffset: op.offset, operatorLength: op.length,
    offset: left.offset, length: end(right) - left.offset,
  };
}

export function describePathShort(expr: Expr): string {
  if (expr.kind === 'variable') return expr.name;
  if (expr.kind === 'member') return `${describePathShort(expr.object)}.${expr.name}`;
  return '…';
}

