// Evaluates a parsed condition against a scope of variables. Unknown values (dry run) propagate
// through every operator and function; only a definite answer (false and U, true or U) escapes.

import type { BinaryNode, CallNode, Expr, LogicalNode } from './ast.js';
import { isPath } from './ast.js';
import { ExpressionError, ValueError } from './errors.js';
import { FUNCTIONS } from './vocabulary.js';
import { compileRegex } from './regex.js';
import type { LinearRegex } from '../util/linear-regex.js';
import { getField, getIndex, lookupVariable, resolveTolerant, type Scope } from './paths.js';
import { Unknown, isUnknown } from './unknown.js';
import { compareValues, contains, truthy, typeName, valuesEqual } from './values.js';

export type { Scope };

/** Evaluates to a plain value (string, number, boolean, null, list, map, Version) or an Unknown. */
export function evaluate(ast: Expr, scope: Scope): unknown {
  return evaluateNode(ast, scope);
}

/** Truthiness of the result; an Unknown result is returned as is, never turned into false. */
export function evaluateCondition(ast: Expr, scope: Scope): boolean | Unknown {
  const value = evaluateNode(ast, scope);
  return isUnknown(value) ? value : truthy(value);
}

function evaluateNode(node: Expr, scope: Scope): unknown {
  switch (node.kind) {
    case 'literal': return node.value;
    case 'list': return node.items.map((item) => evaluateNode(item, scope));
    case 'variable': return lookupVariable(node, scope);
    case 'member': return getField(evaluateNode(node.object, scope), node);
    case 'index': {
      const object = evaluateNode(node.object, scope);
      return getIndex(object, evaluateNode(node.index, scope), node);
    }
    case 'call': return evaluateCall(node, scope);
    case 'unary': {
      const operand = evaluateNode(node.operand, scope);
      if (isUnknown(operand)) return operand;
      if (node.operator === 'not') return !truthy(operand);
      if (typeof operand !== 'number') {
        throw new ExpressionError(`'-' needs a number, not ${typeName(operand)}`, node.offset, node.length);
      }
      return -operand;
    }
    case 'binary': return evaluateBinary(node, scope);
    case 'logical': return evaluateLogical(node, scope);
  }
}

function evaluateLogical(node: LogicalNode, scope: Scope): boolean | Unknown {
  const isAnd = node.operator === 'and';
  const left = evaluateNode(node.left, scope);
  if (!isUnknown(left)) {
    if (truthy(left) !== isAnd) return !isAnd;
    const right = evaluateNode(node.right, scope);
    return isUnknown(right) ? right : truthy(right);
  }
  // The left side is unknown, so a real run might never evaluate the right side: an error there is
  // not a certainty, but a definite right side can still decide (U and false is false).
  let right: unknown;
  try {
    right = evaluateNode(node.right, scope);
  } catch (error) {
    if (error instanceof ExpressionError) return left;
    throw error;
  }
  if (isUnknown(right)) return left;
  return truthy(right) === isAnd ? left : !isAnd;
}

function regexFor(pattern: string, node: BinaryNode): LinearRegex {
  const regex = compileRegex(pattern);
  if (typeof regex === 'string') throw new ExpressionError(regex, node.right.offset, node.right.length);
  return regex;
}

function evaluateBinary(node: BinaryNode, scope: Scope): unknown {
  const left = evaluateNode(node.left, scope);
  const right = evaluateNode(node.right, scope);
  try {
    return applyBinary(node, left, right);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    const target = error.side === 'left' ? node.left : error.side === 'right' ? node.right : undefined;
    throw target
      ? new ExpressionError(error.message, target.offset, target.length)
      : new ExpressionError(error.message, node.operatorOffset, node.operatorLength);
  }
}

function applyBinary(node: BinaryNode, left: unknown, right: unknown): unknown {
  const op = node.operator;
  switch (op) {
    case '==': return valuesEqual(left, right);
    case '!=': return negate(valuesEqual(left, right));
    case '<': case '<=': case '>': case '>=': return compareValues(left, op, right);
    case 'in': return contains(right, left);
    case 'not in': return negate(contains(right, left));
    case 'contains': return contains(left, right);
    case 'matches': {
      if (isUnknown(left)) return left;
      if (isUnknown(right)) return right;
      if (typeof left !== 'string') throw new ValueError(`'matches' needs a string on the left, not ${typeName(left)}`, 'left');
      if (typeof right !== 'string') throw new ValueError(`'matches' needs a regular expression string on the right, not ${typeName(right)}`, 'right');
      return regexFor(right, node).test(left);
    }
    default: return arithmetic(op, left, right);
  }
}

function negate(value: boolean | Unknown): boolean | Unknown {
  return isUnknown(value) ? value : !value;
}

function arithmetic(op: '+' | '-' | '*' | '/' | '%', a: unknown, b: unknown): unknown {
  if (isUnknown(a)) return a;
  if (isUnknown(b)) return b;
  if (op === '+') {
    if (typeof a === 'number' && typeof b === 'number') return a + b;
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    const mixed = (typeof a === 'string' && typeof b === 'number') || (typeof a === 'number' && typeof b === 'string');
    throw new ValueError(`cannot add ${typeName(a)} and ${typeName(b)}${mixed ? ': convert with str() or int()' : ''}`);
  }
  if (typeof a !== 'number') throw new ValueError(`'${op}' needs numbers, not ${typeName(a)}`, 'left');
  if (typeof b !== 'number') throw new ValueError(`'${op}' needs numbers, not ${typeName(b)}`, 'right');
  switch (op) {
    case '-': return a - b;
    case '*': return a * b;
    case '/':
      if (b === 0) throw new ValueError('division by zero', 'right');
      return a / b;
    case '%':
      if (b === 0) throw new ValueError('division by zero', 'right');
      return a % b;
  }
}

function evaluateCall(node: CallNode, scope: Scope): unknown {
  const first = node.args[0];
  if (node.name === 'defined' && first && isPath(first)) {
    const resolution = resolveTolerant(first, scope, (index) => evaluateNode(index, scope));
    if (resolution.state === 'unknown') return resolution.unknown;
    return resolution.state === 'value';
  }
  if (node.name === 'default' && first) {
    const value = valueForDefault(first, scope);
    if (isUnknown(value)) return value;
    if (value !== undefined && value !== null && value !== '') return value;
    const fallback = node.args[1];
    return fallback ? evaluateNode(fallback, scope) : null;
  }
  const implementation = Object.hasOwn(FUNCTIONS, node.name) ? FUNCTIONS[node.name] : undefined;
  if (!implementation) {
    // The parser rejects unknown names; this guards hand-built ASTs.
    throw new ExpressionError(`unknown function '${node.name}'`, node.offset, node.length);
  }
  const args = node.args.map((arg) => evaluateNode(arg, scope));
  const unknown = args.find(isUnknown);
  if (unknown) return unknown;
  try {
    return implementation(args);
  } catch (error) {
    if (error instanceof ValueError) throw new ExpressionError(error.message, node.offset, node.length);
    throw error;
  }
}

/** default()'s first argument: a path may be missing (undefined); any other expression must evaluate. */
function valueForDefault(first: Expr, scope: Scope): unknown {
  if (!isPath(first)) return evaluateNode(first, scope);
  const resolution = resolveTolerant(first, scope, (index) => evaluateNode(index, scope));
  if (resolution.state === 'unknown') return resolution.unknown;
  return resolution.state === 'value' ? resolution.value : undefined;
}

