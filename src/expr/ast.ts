// The condition language's syntax tree. Every node carries the offset and length of its source text
// so the loader can point at the exact spot, and evaluation errors can too.

export type Literal = string | number | boolean | null;

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'matches' | 'contains';
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';
export type BinaryOperator = ComparisonOperator | ArithmeticOperator;

interface Span {
  readonly offset: number;
  readonly length: number;
}

export interface LiteralNode extends Span {
  readonly kind: 'literal';
  readonly value: Literal;
}

export interface ListNode extends Span {
  readonly kind: 'list';
  readonly items: readonly Expr[];
}

export interface VariableNode extends Span {
  readonly kind: 'variable';
  readonly name: string;
}

export interface MemberNode extends Span {
  readonly kind: 'member';
  readonly object: Expr;
  readonly name: string;
  /** Where the field name itself starts (errors about a missing field point there). */
  readonly nameOffset: number;
}

export interface IndexNode extends Span {
  readonly kind: 'index';
  readonly object: Expr;
  readonly index: Expr;
}

export interface CallNode extends Span {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expr[];
}

export interface UnaryNode extends Span {
  readonly kind: 'unary';
  readonly operator: 'not' | '-';
  readonly operand: Expr;
}

export interface BinaryNode extends Span {
  readonly kind: 'binary';
  readonly operator: BinaryOperator;
  readonly left: Expr;
  readonly right: Expr;
  readonly operatorOffset: number;
  readonly operatorLength: number;
}

export interface LogicalNode extends Span {
  readonly kind: 'logical';
  readonly operator: 'and' | 'or';
  readonly left: Expr;
  readonly right: Expr;
}

export type Expr =
  | LiteralNode
  | ListNode
  | VariableNode
  | MemberNode
  | IndexNode
  | CallNode
  | UnaryNode
  | BinaryNode
  | LogicalNode;

/** A variable path (`a`, `a.b`, `a[0]['k']`): the only thing `defined()` accepts. */
export type PathNode = VariableNode | MemberNode | IndexNode;

export function isPath(node: Expr): node is PathNode {
  if (node.kind === 'variable') return true;
  if (node.kind === 'member' || node.kind === 'index') return isPath(node.object);
  return false;
}

export interface ExpressionProblem {
  readonly message: string;
  readonly offset: number;
  readonly length: number;
}
