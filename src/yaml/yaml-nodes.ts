// YAML → a tree of positioned nodes. js-yaml builds plain values; its `listener` reports where each node
// opens and closes, which we replay into a parallel tree so every key and value keeps its span.

import yaml from 'js-yaml';
import type { Position } from '../diagnostics/problems.js';

export type YNode = YMap | YSeq | YScalar;

interface YBase {
  readonly start: number;
  readonly end: number;
}
export interface YMap extends YBase {
  readonly kind: 'map';
  readonly pairs: ReadonlyArray<{ readonly key: string; readonly keyNode: YNode; readonly value: YNode }>;
}
export interface YSeq extends YBase {
  readonly kind: 'seq';
  readonly items: readonly YNode[];
}
export interface YScalar extends YBase {
  readonly kind: 'scalar';
  readonly value: string | number | boolean | null;
  /** True when the scalar was written with quotes or as a block scalar. */
  readonly quoted: boolean;
}

export interface SourceFile {
  readonly path: string;
  readonly text: string;
  readonly lineStarts: readonly number[];
}

export function sourceFile(path: string, text: string): SourceFile {
  const lineStarts = [0];
  // LF, CRLF and a lone CR (old Mac files) each end a line, as they do for the YAML reader
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) lineStarts.push(i + 1);
  }
  return { path, text, lineStarts };
}

export function positionAt(file: SourceFile, offset: number, length = 1): Position {
  let lo = 0;
  let hi = file.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (file.lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { file: file.path, line: lo + 1, col: offset - file.lineStarts[lo]! + 1, offset, length: Math.max(1, length) };
}

export function nodePosition(file: SourceFile, node: YNode): Position {
  let end = node.end;
  if (node.kind !== 'scalar') {
    // a collection's span ends where the next sibling starts; show only its first line
    const nl = file.text.indexOf('\n', node.start);
    end = nl === -1 ? node.end : Math.min(node.end, nl);
  }
  return positionAt(file, node.start, end - node.start);
}

export type ParseOutcome =
  | { readonly ok: true; readonly node: YNode | null }
  | { readonly ok: false; readonly message: string; readonly pos: Position; readonly code: string };

interface Frame {
  start: number;
  children: YNode[];
}

/**
 * Nodes that aliases may add to a document, all aliases together. An alias is the anchored node itself
 * (shared, not copied), but everything that walks the tree walks it again at each alias: nine levels of
 * ten aliases each ("billion laughs") would be 10^9 nodes to check, render and journal.
 */
export const ALIAS_BUDGET = 100_000;

class Refused extends Error {
  constructor(readonly code: string, message: string, readonly offset: number) {
    super(message);
  }
}

export function parseYaml(file: SourceFile): ParseOutcome {
  const text = file.text;
  const stack: Frame[] = [{ start: 0, children: [] }];
  const results = new WeakMap<YNode, unknown>();
  /** The node built for each collection value: an alias to it is that node. */
  const nodeOf = new WeakMap<object, YNode>();
  /** Nodes under each collection, aliases counted at their full size. */
  const sizes = new WeakMap<YNode, number>();
  let aliased = 0;
  const listener = (event: 'open' | 'close', state: { position: number; result: unknown; kind: string | null }): void => {
    // nesting is bounded by js-yaml itself (maxDepth, 100 levels): a positioned syntax error
    if (event === 'open') {
      stack.push({ start: state.position, children: [] });
      return;
    }
    const frame = stack.pop()!;
    const start = skipTrivia(text, frame.start, state.position);
    const end = trimEnd(text, start, state.position);
    const parent = stack[stack.length - 1]!;
    const only = frame.children.length === 1 ? frame.children[0]! : undefined;
    if (only !== undefined && typeof state.result === 'object' && state.result !== null && results.get(only) === state.result) {
      // js-yaml wraps some flow collections in a second node with the same value: keep the inner one
      parent.children.push(only);
      return;
    }
    const target = state.kind === null && typeof state.result === 'object' && state.result !== null ? nodeOf.get(state.result) : undefined;
    if (target !== undefined) {
      // an alias: the anchored node, whose walk every reader repeats
      aliased += sizes.get(target) ?? 1;
      if (aliased > ALIAS_BUDGET) {
        throw new Refused('alias-budget', `aliases expand to more than ${ALIAS_BUDGET} nodes here (an alias bomb?): write the values out or use fewer nested aliases`, start);
      }
      parent.children.push(target);
      return;
    }
    const built = buildNode(state.kind, state.result, frame.children, start, end, text);
    if (typeof state.result === 'object' && state.result !== null) {
      results.set(built, state.result);
      nodeOf.set(state.result, built);
    }
    if (built.kind !== 'scalar') sizes.set(built, frame.children.reduce((n, c) => n + (sizes.get(c) ?? 1), 1));
    parent.children.push(built);
  };
  try {
    yaml.load(text, { filename: file.path, listener: listener as never, schema: yaml.CORE_SCHEMA } as yaml.LoadOptions);
  } catch (err) {
    if (err instanceof Refused) return { ok: false, code: err.code, message: err.message, pos: positionAt(file, err.offset) };
    if (err instanceof yaml.YAMLException) {
      const mark = err.mark as { position?: number } | undefined;
      const offset = Math.min(mark?.position ?? 0, text.length);
      const reason = err.reason ?? 'invalid YAML';
      const opening = openedAt(text, stack, reason, offset);
      if (opening !== undefined) {
        // the end of the file (or the next line of the block) is not where the mistake is: the quote or
        // bracket never closed is
        const at = positionAt(file, offset);
        return { ok: false, code: 'yaml-syntax', message: `${opening.what} is never closed (${reason}, at ${at.line}:${at.col})`, pos: positionAt(file, opening.offset) };
      }
      return { ok: false, code: 'yaml-syntax', message: reason, pos: positionAt(file, offset) };
    }
    throw err;
  }
  const root = stack[0]!.children[0] ?? null;
  return { ok: true, node: root };
}

const OPENERS: Readonly<Record<string, { readonly ch: string; readonly what: string }>> = {
  'double quoted scalar': { ch: '"', what: 'the double quote opened here' },
  'single quoted scalar': { ch: "'", what: 'the single quote opened here' },
  'flow collection': { ch: '[{', what: 'the bracket opened here' },
};

/**
 * Where the unclosed quote or bracket opened, for "unexpected end of the stream within …" and for a
 * missing comma found on a later line than the bracket (the next line of a block after a '{' left open).
 */
function openedAt(text: string, stack: readonly Frame[], reason: string, errorOffset: number): { offset: number; what: string } | undefined {
  const m = /end of the stream within an? (.+)$/.exec(reason);
  const opener = m ? OPENERS[m[1]!] : reason.startsWith('missed comma between flow collection entries') ? OPENERS['flow collection'] : undefined;
  if (opener === undefined) return undefined;
  for (let i = stack.length - 1; i > 0; i--) {
    let at = skipTrivia(text, stack[i]!.start, text.length);
    // a node's properties (&anchor, !tag) come before its content
    while (text[at] === '&' || text[at] === '!') {
      while (at < text.length && !/\s/.test(text[at]!)) at++;
      at = skipTrivia(text, at, text.length);
    }
    const ch = text[at];
    if (ch !== undefined && opener.ch.includes(ch)) {
      // a comma missing on the bracket's own line is just that: reported where it is
      if (!m && !/[\r\n]/.test(text.slice(at, errorOffset))) return undefined;
      return { offset: at, what: opener.ch.length > 1 ? `the '${ch}' opened here` : opener.what };
    }
  }
  return undefined;
}

function buildNode(kind: string | null, result: unknown, children: YNode[], start: number, end: number, text: string): YNode {
  if (kind === 'mapping' && result !== null && typeof result === 'object' && !Array.isArray(result)) {
    const pairs: Array<{ key: string; keyNode: YNode; value: YNode }> = [];
    for (let i = 0; i + 1 < children.length; i += 2) {
      const keyNode = children[i]!;
      const value = children[i + 1]!;
      const key = keyNode.kind === 'scalar' ? String(keyNode.value) : '';
      if (key === '<<' && value.kind === 'map') {
        pairs.push(...value.pairs); // merge keys: positions point at the anchored mapping
        continue;
      }
      pairs.push({ key, keyNode, value });
    }
    return { kind: 'map', pairs, start, end };
  }
  if (kind === 'sequence' && Array.isArray(result)) {
    return { kind: 'seq', items: children, start, end };
  }
  const ch = text[start];
  const quoted = ch === '"' || ch === "'" || ch === '|' || ch === '>';
  const value = result === undefined ? null : (result as string | number | boolean | null);
  if (value !== null && typeof value === 'object') {
    // a collection js-yaml built without telling its kind (none known today): its text is the value
    return { kind: 'scalar', value: text.slice(start, end), quoted: false, start, end };
  }
  return { kind: 'scalar', value, quoted, start, end };
}

function skipTrivia(text: string, from: number, limit: number): number {
  let i = from;
  while (i < limit) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') {
      while (i < limit && text[i] !== '\n') i++;
    } else break;
  }
  return i;
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text[e - 1]!)) e--;
  return e;
}

/** Plain JS value of a node (used for vars and step arguments). */
export function toValue(node: YNode | null): unknown {
  if (node === null) return null;
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toValue);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const p of node.pairs) {
        // a key '__proto__' is data: assigned, it would replace the object's prototype
        if (p.key === '__proto__') Object.defineProperty(out, p.key, { value: toValue(p.value), enumerable: true, writable: true, configurable: true });
        else out[p.key] = toValue(p.value);
      }
      return out;
    }
  }
}
