// A structural view of the Handlebars AST nodes we read and rewrite, plus builders for the nodes we
// synthesise. Handlebars' own typings are looser (every node is `Node`), so we narrow by `type`.

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface Loc {
  readonly start: Position;
  readonly end: Position;
}

export interface BaseNode {
  readonly type: string;
  readonly loc?: Loc;
}

export interface PathNode extends BaseNode {
  readonly type: 'PathExpression';
  readonly data: boolean;
  readonly depth: number;
  readonly parts: string[];
  readonly original: string;
}

export interface LiteralNode extends BaseNode {
  readonly type: 'StringLiteral' | 'NumberLiteral' | 'BooleanLiteral' | 'NullLiteral' | 'UndefinedLiteral';
  readonly value?: unknown;
  readonly original?: unknown;
}

export interface SubExpressionNode extends BaseNode {
  readonly type: 'SubExpression';
  path: PathNode | LiteralNode;
  params: ExpressionNode[];
  hash?: BaseNode;
}

export type ExpressionNode = PathNode | LiteralNode | SubExpressionNode;

export interface MustacheNode extends BaseNode {
  readonly type: 'MustacheStatement';
  path: PathNode | LiteralNode;
  params: ExpressionNode[];
  hash?: BaseNode;
}

export interface BlockNode extends BaseNode {
  readonly type: 'BlockStatement';
  path: PathNode | LiteralNode;
  params: ExpressionNode[];
  hash?: BaseNode;
  readonly program?: ProgramNode;
  readonly inverse?: ProgramNode;
}

export interface ProgramNode extends BaseNode {
  readonly type: 'Program';
  readonly body: BaseNode[];
  readonly blockParams?: string[];
}

export interface ContentNode extends BaseNode {
  readonly type: 'ContentStatement';
  readonly value: string;
}

export function pathNode(name: string, loc: Loc | undefined, depth = 0, data = false): PathNode {
  const original = data ? `@${name}` : name === '' ? (depth === 0 ? 'this' : '../'.repeat(depth)) : name;
  return { type: 'PathExpression', data, depth, parts: name === '' ? [] : [name], original, loc };
}

export function stringNode(value: string, loc: Loc | undefined): LiteralNode {
  return { type: 'StringLiteral', value, original: value, loc };
}

export function numberNode(value: number, loc: Loc | undefined): LiteralNode {
  return { type: 'NumberLiteral', value, original: value, loc };
}

export function callNode(helper: string, params: ExpressionNode[], loc: Loc | undefined): SubExpressionNode {
  return { type: 'SubExpression', path: pathNode(helper, loc), params, loc };
}

export function isLiteral(node: BaseNode): node is LiteralNode {
  return node.type === 'StringLiteral' || node.type === 'NumberLiteral' || node.type === 'BooleanLiteral' ||
    node.type === 'NullLiteral' || node.type === 'UndefinedLiteral';
}

/** Handlebars' own test for `this.x`, `./x`, `..` paths, which never name helpers or block params. */
export function isScoped(path: PathNode): boolean {
  return /^\.|this\b/.test(path.original);
}

/** The helper name a path spells, if it is a plain single identifier. */
export function simpleName(path: PathNode | LiteralNode): string | undefined {
  if (path.type !== 'PathExpression' || path.data || path.depth !== 0 || path.parts.length !== 1 || isScoped(path)) return undefined;
  return path.parts[0];
}
