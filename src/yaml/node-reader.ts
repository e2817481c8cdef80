// Small helpers for reading positioned YAML nodes against a schema while collecting problems.

import type { Position } from '../diagnostics/problems.js';
import { ProblemList } from '../diagnostics/problems.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { nodePosition, type SourceFile, type YMap, type YNode } from './yaml-nodes.js';

export class NodeReader {
  constructor(
    readonly file: SourceFile,
    readonly problems: ProblemList,
  ) {}

  pos(node: YNode): Position {
    return nodePosition(this.file, node);
  }

  problem(node: YNode, code: string, message: string, hint?: string): void {
    this.problems.add(code, message, this.pos(node), hint);
  }

  describe(node: YNode): string {
    if (node.kind === 'map') return 'a mapping';
    if (node.kind === 'seq') return 'a list';
    if (node.value === null) return 'empty';
    return typeof node.value === 'string' ? 'a string' : `a ${typeof node.value}`;
  }

  expectMap(node: YNode, what: string): YMap | undefined {
    if (node.kind === 'map') return node;
    this.problem(node, 'wrong-type', `${what} must be a mapping, not ${this.describe(node)}`);
    return undefined;
  }

  /** Reports keys that are not allowed, with a "did you mean". */
  checkKeys(map: YMap, allowed: readonly string[], where: string): void {
    const seen = new Set<string>();
    for (const pair of map.pairs) {
      if (seen.has(pair.key)) this.problem(pair.keyNode, 'duplicate-key', `duplicate key '${pair.key}' in ${where}`);
      seen.add(pair.key);
      if (!allowed.includes(pair.key)) {
        this.problem(pair.keyNode, 'unknown-key', `unknown key '${pair.key}' in ${where}${didYouMean(pair.key, allowed)}`);
      }
    }
  }

  get(map: YMap, key: string): YNode | undefined {
    for (const p of map.pairs) if (p.key === key) return p.value;
    return undefined;
  }

  string(node: YNode | undefined, what: string, required = false, parent?: YNode): string | undefined {
    if (node === undefined || (node.kind === 'scalar' && node.value === null)) {
      if (required) {
        if (node !== undefined) this.problem(node, 'missing-value', `${what} is required`);
        else if (parent !== undefined) this.problem(parent, 'missing-key', `${what} is required`);
      }
      return undefined;
    }
    if (node.kind === 'scalar' && node.value !== null && typeof node.value !== 'object') return String(node.value);
    this.problem(node, 'wrong-type', `${what} must be a string, not ${this.describe(node)}`);
    return undefined;
  }

  bool(node: YNode | undefined, what: string): boolean | undefined {
    if (node === undefined) return undefined;
    if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
    this.problem(node, 'wrong-type', `${what} must be true or false, not ${this.describe(node)}`);
    return undefined;
  }

  int(node: YNode | undefined, what: string, min = 0): number | undefined {
    if (node === undefined) return undefined;
    if (node.kind === 'scalar' && typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= min) {
      return node.value;
    }
    this.problem(node, 'wrong-type', `${what} must be an integer >= ${min}, not ${this.describe(node)}`);
    return undefined;
  }

  stringList(node: YNode | undefined, what: string): string[] {
    if (node === undefined) return [];
    if (node.kind === 'scalar' && node.value !== null) return [String(node.value)];
    if (node.kind === 'seq') {
      const out: string[] = [];
      for (const item of node.items) {
        const s = this.string(item, `each entry of ${what}`);
        if (s !== undefined) out.push(s);
      }
      return out;
    }
    this.problem(node, 'wrong-type', `${what} must be a string or a list of strings, not ${this.describe(node)}`);
    return [];
  }
}
