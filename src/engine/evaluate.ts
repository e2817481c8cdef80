// One seam between the engine and the template/expression modules: rendering step arguments and
// evaluating conditions, with parse caches and positions for runtime errors.

import { evaluateCondition, parseExpression, type Expr } from '../expr/index.js';
import { isUnknown, Unknown } from '../expr/unknown.js';
import { render, renderDeep } from '../template/index.js';
import type { Condition } from '../loader/ast.js';
import type { Position } from '../diagnostics/problems.js';

export { isUnknown, Unknown };

/** A runtime error in the playbook's own text (template, condition, argument): carries its position. */
export class PlaybookRuntimeError extends Error {
  constructor(
    message: string,
    readonly pos: Position | null,
    /** 'template', 'condition', 'loop', or the argument schema's code ('bad-duration', …). */
    readonly code = 'template',
  ) {
    super(message);
    this.name = 'PlaybookRuntimeError';
  }
}

const conditionCache = new Map<string, Expr>();

export function condition(cond: Condition, scope: Readonly<Record<string, unknown>>, key: string): boolean | Unknown {
  let ast = conditionCache.get(cond.source);
  if (ast === undefined) {
    const parsed = parseExpression(cond.source);
    if (!parsed.ok) throw new PlaybookRuntimeError(`${key}: ${parsed.problem.message}`, cond.pos, 'condition');
    ast = parsed.ast;
    conditionCache.set(cond.source, ast);
  }
  try {
    return evaluateCondition(ast, scope);
  } catch (err) {
    throw new PlaybookRuntimeError(`${key} '${cond.source}': ${(err as Error).message}`, cond.pos, 'condition');
  }
}

export function renderValue(value: unknown, scope: Record<string, unknown>, pos: Position | null, what: string): unknown {
  try {
    if (typeof value === 'string') return value.includes('{{') ? render(value, scope) : value;
    if (value === null || typeof value !== 'object') return value;
    return renderDeep(value, scope);
  } catch (err) {
    throw new PlaybookRuntimeError(`${what}: ${(err as Error).message}`, pos);
  }
}
