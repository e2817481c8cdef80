// Variable and field lookup for conditions: strict lookups that explain what is missing (with "did
// you mean"), and tolerant ones for defined()/default() that report "missing" instead of throwing.

import type { Expr, IndexNode, MemberNode, PathNode, VariableNode } from './ast.js';
import { ExpressionError } from './errors.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { Unknown, isUnknown } from './unknown.js';
import { isPlainMap, typeName } from './values.js';

export type Scope = Readonly<Record<string, unknown>>;

/** How a path resolved without throwing: missing, through an Unknown container, or to a value. */
export type Resolution =
  | { readonly state: 'missing' }
  | { readonly state: 'unknown'; readonly unknown: Unknown }
  | { readonly state: 'value'; readonly value: unknown };

const MISSING: Resolution = { state: 'missing' };

/** Source-like text of a path for messages: result.stdout, hosts[0], cfg['key']. */
export function describe(node: Expr): string {
  switch (node.kind) {
    case 'variable': return node.name;
    case 'member': return `${describe(node.object)}.${node.name}`;
    case 'index': {
      const index = node.index;
      const text = index.kind === 'literal' ? (typeof index.value === 'string' ? `'${index.value}'` : String(index.value)) : describe(index);
      return `${describe(node.object)}[${text}]`;
    }
    case 'call': return `${node.name}(…)`;
    default: return '(…)';
  }
}

export function lookupVariable(node: VariableNode, scope: Scope): unknown {
  const value = Object.hasOwn(scope, node.name) ? scope[node.name] : undefined;
  if (value === undefined) {
    throw new ExpressionError(`undefined variable '${node.name}'${didYouMean(node.name, Object.keys(scope))}`, node.offset, node.length);
  }
  return value;
}

/** object.name, explaining why it fails: no such field, null, or not a map at all. */
export function getField(object: unknown, node: MemberNode): unknown {
  if (isUnknown(object)) return object;
  const where = { offset: node.nameOffset, length: node.name.length };
  const owner = describe(node.object);
  if (isPlainMap(object)) {
    const value = Object.hasOwn(object, node.name) ? object[node.name] : undefined;
    if (value === undefined) {
      throw new ExpressionError(`'${owner}' has no field '${node.name}'${didYouMean(node.name, Object.keys(object))}`, where.offset, where.length);
    }
    return value;
  }
  const hint = node.name === 'length' && (Array.isArray(object) || typeof object === 'string') ? `: use len(${owner})` : '';
  throw new ExpressionError(`'${owner}' is ${typeName(object)}, so it has no field '${node.name}'${hint}`, where.offset, where.length);
}

/** object[index] for lists (negative counts from the end), strings and maps. */
export function getIndex(object: unknown, index: unknown, node: IndexNode): unknown {
  if (isUnknown(object)) return object;
  if (isUnknown(index)) return index;
  const owner = describe(node.object);
  const at = node.index;
  if (Array.isArray(object) || typeof object === 'string') {
    if (typeof index !== 'number' || !Number.isInteger(index)) {
      throw new ExpressionError(`a position in ${typeName(object)} must be an integer, not ${typeName(index)}`, at.offset, at.length);
    }
    const position = index < 0 ? object.length + index : index;
    if (position < 0 || position >= object.length) {
      const noun = typeof object === 'string' ? 'characters' : 'items';
      throw new ExpressionError(`index ${index} is out of range: '${owner}' has ${object.length} ${noun}`, at.offset, at.length);
    }
    return object[position];
  }
  if (isPlainMap(object)) {
    if (typeof index !== 'string') {
      throw new ExpressionError(`a map key must be a string, not ${typeName(index)}`, at.offset, at.length);
    }
    const value = Object.hasOwn(object, index) ? object[index] : undefined;
    if (value === undefined) {
      // A computed key is a value and may be secret: name the expression, not its result.
      if (at.kind !== 'literal') throw new ExpressionError(`'${owner}' has no field named by ${describe(at)}`, at.offset, at.length);
      throw new ExpressionError(`'${owner}' has no field '${index}'${didYouMean(index, Object.keys(object))}`, at.offset, at.length);
    }
    return value;
  }
  throw new ExpressionError(`'${owner}' is ${typeName(object)}, so it cannot be indexed`, node.offset, node.length);
}

/**
 * Resolves a path without throwing for absent variables, fields or positions (defined(), default()).
 * Index expressions inside the path are still evaluated strictly by `evaluateIndex`.
 */
export function resolveTolerant(node: PathNode, scope: Scope, evaluateIndex: (index: Expr) => unknown): Resolution {
  if (node.kind === 'variable') {
    const value = Object.hasOwn(scope, node.name) ? scope[node.name] : undefined;
    return value === undefined ? MISSING : { state: 'value', value };
  }
  const parent = resolveTolerant(node.object as PathNode, scope, evaluateIndex);
  if (parent.state !== 'value') return parent;
  const container = parent.value;
  if (isUnknown(container)) return { state: 'unknown', unknown: container };
  let value: unknown;
  if (node.kind === 'member') {
    value = isPlainMap(container) && Object.hasOwn(container, node.name) ? container[node.name] : undefined;
  } else {
    const index = evaluateIndex(node.index);
    if (isUnknown(index)) return { state: 'unknown', unknown: index };
    if ((Array.isArray(container) || typeof container === 'string') && typeof index === 'number' && Number.isInteger(index)) {
      value = container[index < 0 ? container.length + index : index];
    } else if (isPlainMap(container) && typeof index === 'string' && Object.hasOwn(container, index)) {
      value = container[index];
    }
  }
  return value === undefined ? MISSING : { state: 'value', value };
}

