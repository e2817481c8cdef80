// Shared test helpers: parse-or-fail and evaluate-from-source shortcuts.

import { evaluate, evaluateCondition, parseExpression, type Expr, type Scope } from '../../src/expr/index.js';

export function ast(source: string): Expr {
  const result = parseExpression(source);
  if (!result.ok) throw new Error(`unexpected parse problem in ${source}: ${result.problem.message}`);
  return result.ast;
}

export function run(source: string, scope: Scope = {}): unknown {
  return evaluate(ast(source), scope);
}

export function cond(source: string, scope: Scope = {}): unknown {
  return evaluateCondition(ast(source), scope);
}

export function problem(source: string): { message: string; offset: number; length: number } {
  const result = parseExpression(source);
  if (result.ok) throw new Error(`expected a parse problem in ${source}`);
  return { ...result.problem };
}
