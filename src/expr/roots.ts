// Which top-level variables a condition uses, for the loader's static "undefined variable" check.
// Roots that appear only as the path of defined() or default() are optional: they may be absent.

import type { Expr } from './ast.js';
import { isPath } from './ast.js';

export interface RootReference {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  /** True when the reference is the path in defined(path) or default(path, …), which tolerate absence. */
  readonly optional: boolean;
}

/** Every variable reference in source order, duplicates included. */
export function rootReferences(ast: Expr): RootReference[] {
  const found: RootReference[] = [];
  collect(ast, false, found);
  return found;
}

/** Top-level variable names that must exist (optional-only names excluded), in first-use order. */
export function referencedRoots(ast: Expr): string[] {
  return unique(rootReferences(ast).filter((ref) => !ref.optional));
}

/** Names used only where absence is tolerated (defined(x), default(x, …)). */
export function optionalRoots(ast: Expr): string[] {
  const refs = rootReferences(ast);
  const required = new Set(refs.filter((ref) => !ref.optional).map((ref) => ref.name));
  return unique(refs.filter((ref) => ref.optional && !required.has(ref.name)));
}

function unique(refs: readonly RootReference[]): string[] {
  return [...new Set(refs.map((ref) => ref.name))];
}

function collect(node: Expr, optional: boolean, out: RootReference[]): void {
  switch (node.kind) {
    case 'literal':
      return;
    case 'variable':
      out.push({ name: node.name, offset: node.offset, length: node.length, optional });
      return;
    case 'member':
      collect(node.object, optional, out);
      return;
    case 'index':
      collect(node.object, optional, out);
      // An index expression is evaluated strictly even inside defined().
      collect(node.index, false, out);
      return;
    case 'list':
      for (const item of node.items) collect(item, false, out);
      return;
    case 'call':
      node.args.forEach((arg, i) => {
        const tolerant = i === 0 && (node.name === 'defined' || node.name === 'default') && isPath(arg);
        collect(arg, tolerant, out);
      });
      return;
    case 'unary':
      collect(node.operand, false, out);
      return;
    case 'binary':
    case 'logical':
      collect(node.left, false, out);
      collect(node.right, false, out);
      return;
  }
}
