// One walk over a parsed template: reports problems (unknown helpers with "did you mean", argument
// counts, unsupported syntax), records top-level variable references for the loader, and rewrites
// every value path into a strict-lookup helper call so that rendering never silently yields
// undefined — Handlebars' own strict mode skips helper arguments and crashes on `a.b.c`.

import { didYouMean } from '../diagnostics/suggest.js';
import type { TemplateProblem } from './errors.js';
import { HELPERS, helperSpec } from './helpers.js';
import {
  callNode, isLiteral, isScoped, numberNode, pathNode, simpleName, stringNode,
  type BaseNode, type BlockNode, type ExpressionNode, type MustacheNode, type PathNode, type ProgramNode,
  type SubExpressionNode,
} from './nodes.js';
import { spanOf, type LineStarts } from './positions.js';
import { INTERNAL, PathMode } from './runtime.js';

export interface TemplateRootReference {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  /** True for the value of `default` and the path of `defined`, which may be absent. */
  readonly optional: boolean;
}

export interface Analysis {
  readonly problems: readonly TemplateProblem[];
  readonly references: readonly TemplateRootReference[];
  /** The template is one mustache with only whitespace around it: render() keeps the value's type. */
  readonly single: boolean;
}

type Lookup = 'get' | 'try' | 'has';

interface Context {
  /** How many context-changing blocks (#each, #with) enclose this point. */
  readonly level: number;
  readonly blockParams: readonly string[];
}

const DATA_VARIABLES = ['root', 'index', 'key', 'first', 'last'];
const CONTEXT_BLOCKS = new Set(['each', 'with']);
const INLINE_NAMES = Object.keys(HELPERS).filter((name) => !HELPERS[name]!.block);
const BLOCK_NAMES = Object.keys(HELPERS).filter((name) => HELPERS[name]!.block);

function arity(min: number, max: number): string {
  const noun = (n: number): string => (n === 1 ? 'argument' : 'arguments');
  if (min === max) return `${min} ${noun(min)}`;
  return max === Infinity ? `at least ${min} arguments` : `${min} to ${max} arguments`;
}

class Analyzer {
  readonly problems: TemplateProblem[] = [];
  readonly references: TemplateRootReference[] = [];

  constructor(private readonly starts: LineStarts, private readonly sourceLength: number) {}

  private span(node: BaseNode): { offset: number; length: number } {
    return spanOf(this.starts, node.loc, this.sourceLength) ?? { offset: 0, length: 0 };
  }

  private problem(message: string, node: BaseNode): void {
    this.problems.push({ message, ...this.span(node) });
  }

  program(program: ProgramNode, context: Context): void {
    for (const statement of program.body) this.statement(statement, context);
  }

  private statement(node: BaseNode, context: Context): void {
    switch (node.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        return this.mustache(node as MustacheNode, context);
      case 'BlockStatement':
        return this.block(node as BlockNode, context);
      case 'PartialStatement':
      case 'PartialBlockStatement':
        return this.problem('partials ({{> name}}) are not supported', node);
      case 'Decorator':
      case 'DecoratorBlock':
        return this.problem('decorators ({{* name}}) are not supported', node);
      default:
        return this.problem(`unsupported template syntax (${node.type})`, node);
    }
  }

  private mustache(node: MustacheNode, context: Context): void {
    if (node.hash) this.problem('named arguments (key=value) are not supported', node.hash);
    const path = node.path;
    let value: ExpressionNode;
    if (path.type !== 'PathExpression') {
      if (node.params.length > 0) this.problem('a literal cannot take arguments', path);
      value = this.param(path, context, 'get');
    } else if (node.params.length === 0 && (helperSpec(simpleName(path) ?? '')?.min ?? 0) > 0) {
      // a helper's name alone is no call (every helper takes arguments): `{{version}}` inside
      // `{{#with cs}}` reads the field, whatever functions the vocabulary gains
      value = this.value(path, context, 'get');
    } else if (node.params.length === 0 && !helperSpec(simpleName(path) ?? '')) {
      value = this.value(path, context, 'get');
    } else {
      value = this.call(path, node.params, node, context);
    }
    node.path = pathNode(INTERNAL.out, node.loc);
    node.params = [value];
    node.hash = undefined;
  }

  private call(path: PathNode | ExpressionNode, params: ExpressionNode[], node: BaseNode, context: Context): SubExpressionNode {
    const name = path.type === 'PathExpression' ? simpleName(path) : undefined;
    const spec = name === undefined ? undefined : helperSpec(name);
    const shown = path.type === 'PathExpression' ? path.original : String((path as { original?: unknown }).original);
    if (!spec || name === undefined) {
      const hint = name === undefined ? '' : didYouMean(name, INLINE_NAMES);
      this.problem(`unknown helper '${shown}'${hint}`, path);
    } else if (spec.block) {
      this.problem(`'${name}' is a block helper: write {{#${name} …}}…{{/${name}}}`, path);
    } else if (params.length < spec.min || params.length > spec.max) {
      this.problem(`'${name}' takes ${arity(spec.min, spec.max)}, got ${params.length}`, node);
    }
    const rewritten = params.map((param, i) => {
      const lookup: Lookup = i === 0 && name === 'default' ? 'try' : i === 0 && name === 'defined' ? 'has' : 'get';
      return this.param(param, context, lookup);
    });
    return callNode(name ?? INTERNAL.out, rewritten, node.loc);
  }

  private param(param: ExpressionNode, context: Context, lookup: Lookup): ExpressionNode {
    if (param.type === 'PathExpression') return this.value(param, context, lookup);
    if (lookup === 'has') this.problem("'defined' needs a variable path such as result.stdout", param);
    if (param.type === 'SubExpression') {
      if (param.hash) this.problem('named arguments (key=value) are not supported', param.hash);
      return this.call(param.path, param.params, param, context);
    }
    if (param.type === 'UndefinedLiteral') this.problem("'undefined' is not a value here: use null", param);
    else if (!isLiteral(param)) this.problem(`unsupported argument (${(param as BaseNode).type})`, param);
    return param;
  }

  /** A value path becomes (lookup head offset length mode label ...fields); see runtime.ts. */
  private value(path: PathNode, context: Context, lookup: Lookup): SubExpressionNode {
    const { offset, length } = this.span(path);
    const optional = lookup !== 'get';
    const loc = path.loc;
    const [first, ...rest] = path.parts;
    let head: PathNode;
    let mode: PathMode;
    let label: string;
    let fields: string[];
    if (path.data) {
      const name = first ?? '';
      if (!DATA_VARIABLES.includes(name)) this.problem(`unknown data variable '@${name}'${didYouMean(`@${name}`, DATA_VARIABLES.map((v) => `@${v}`))}`, path);
      head = pathNode(name, loc, path.depth, true);
      fields = rest;
      const root = name === 'root' && rest[0] !== undefined;
      mode = root ? PathMode.Variable : PathMode.Head;
      label = `@${name}`;
      if (root) this.references.push({ name: rest[0]!, offset, length, optional });
    } else if (path.depth === 0 && !isScoped(path) && first !== undefined && context.blockParams.includes(first)) {
      head = pathNode(first, loc);
      fields = rest;
      mode = PathMode.Head;
      label = first;
    } else {
      const level = context.level - path.depth;
      if (level < 0) this.problem(`'${path.original}' goes above the top level of the template`, path);
      head = pathNode('', loc, path.depth);
      fields = path.parts;
      if (first === undefined) {
        mode = PathMode.Head;
        label = path.original;
      } else if (level <= 0) {
        mode = PathMode.Variable;
        label = '';
        this.references.push({ name: first, offset, length, optional });
      } else if (isScoped(path) && path.depth === 0) {
        mode = PathMode.Head;
        label = 'this';
      } else {
        mode = PathMode.Item;
        label = path.depth === 0 ? 'the current item' : 'the enclosing item';
      }
    }
    const helper = lookup === 'get' ? INTERNAL.get : lookup === 'try' ? INTERNAL.try : INTERNAL.has;
    const params: ExpressionNode[] = [
      head, numberNode(offset, loc), numberNode(length, loc), numberNode(mode, loc), stringNode(label, loc),
      ...fields.map((field) => stringNode(field, loc)),
    ];
    return callNode(helper, params, loc);
  }

  private block(node: BlockNode, context: Context): void {
    const name = simpleName(node.path);
    const spec = name === undefined ? undefined : helperSpec(name);
    const shown = node.path.type === 'PathExpression' ? node.path.original : String(node.path.original);
    if (!spec || name === undefined) {
      this.problem(`unknown block helper '${shown}'${name === undefined ? '' : didYouMean(name, BLOCK_NAMES)} (blocks are #if, #unless, #each and #with)`, node.path);
    } else if (!spec.block) {
      this.problem(`'${name}' cannot open a block: write {{#if (${name} …)}}…{{/if}}`, node.path);
    } else if (node.params.length !== 1) {
      this.problem(`{{#${name}}} takes ${arity(spec.min, spec.max)}, got ${node.params.length}`, node.path);
    }
    if (node.hash) this.problem('named arguments (key=value) are not supported', node.hash);
    node.params = node.params.map((param) => this.param(param, context, 'get'));
    const blockParams = node.program?.blockParams ?? [];
    if (blockParams.length > 0 && name !== undefined && !CONTEXT_BLOCKS.has(name)) {
      this.problem(`'as |…|' only works with #each and #with, not #${name}`, node.path);
    }
    if (node.program) {
      this.program(node.program, {
        level: context.level + (name !== undefined && CONTEXT_BLOCKS.has(name) ? 1 : 0),
        blockParams: [...context.blockParams, ...blockParams],
      });
    }
    if (node.inverse) this.program(node.inverse, context);
  }
}

function isSingleMustache(program: ProgramNode): MustacheNode | undefined {
  let found: MustacheNode | undefined;
  for (const statement of program.body) {
    if (statement.type === 'ContentStatement' && /^\s*$/.test((statement as { value?: string }).value ?? '')) continue;
    if (statement.type !== 'MustacheStatement' || found) return undefined;
    found = statement as MustacheNode;
  }
  return found;
}

/** Analyses and rewrites `program` in place (it must be a fresh, unprocessed parse). */
export function analyzeTemplate(program: ProgramNode, starts: LineStarts, sourceLength: number): Analysis {
  const single = isSingleMustache(program);
  const analyzer = new Analyzer(starts, sourceLength);
  analyzer.program(program, { level: 0, blockParams: [] });
  if (single) single.path = pathNode(INTERNAL.capture, single.loc);
  return { problems: analyzer.problems, references: analyzer.references, single: single !== undefined };
}
