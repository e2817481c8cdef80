// Static checks of templates and conditions: syntax errors at their own line and column, and
// references to variables that no source can define (when the caller knows all sources).

import { checkTemplate, HELPERS, templateRoots } from '../template/index.js';
import { FUNCTION_SIGNATURES, parseExpression, referencedRoots } from '../expr/index.js';
import { conditionHabits, templateHabits, type Habit } from '../diagnostics/jinja-habits.js';
import type { StepType } from '../steps/types.js';
import type { Condition } from './ast.js';
import type { NodeReader } from '../yaml/node-reader.js';
import type { StaticScope } from './static-scope.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { positionAt, type YNode, type YScalar } from '../yaml/yaml-nodes.js';

/** Source offset of a character of a scalar's value (exact for plain and simply quoted scalars). */
function valueOffset(r: NodeReader, node: YScalar, value: string, index: number, length: number): number {
  const text = r.file.text;
  const body = node.quoted && (text[node.start] === '"' || text[node.start] === "'") ? node.start + 1 : node.start;
  if (text.startsWith(value.slice(0, index + length), body)) return body + index;
  const snippet = value.slice(index, index + Math.max(1, length));
  const found = text.indexOf(snippet, node.start);
  return found >= 0 && found < node.end ? found : node.start;
}

export function checkTemplatesIn(r: NodeReader, node: YNode, scope: StaticScope, def?: StepType, argName?: string): void {
  if (node.kind === 'seq') {
    for (const item of node.items) checkTemplatesIn(r, item, scope, def, argName);
    return;
  }
  if (node.kind === 'map') {
    for (const p of node.pairs) {
      const arg = argName ?? p.key;
      if (def !== undefined && argName === undefined && Object.hasOwn(def.args, p.key) && def.args[p.key]!.isRaw) continue;
      checkTemplatesIn(r, p.value, scope, def, arg);
    }
    return;
  }
  if (typeof node.value !== 'string' || !node.value.includes('{{')) return;
  const value = node.value;
  const res = checkTemplate(value);
  if (!res.ok) {
    // every Jinja filter of the template at once, or else the parser's first problem
    const habits: readonly Habit[] = templateHabits(value, new Set(Object.keys(HELPERS)));
    for (const p of habits.length > 0 ? habits : [res.problem]) {
      r.problems.add('template-syntax', p.message, positionAt(r.file, valueOffset(r, node, value, p.offset, p.length), p.length));
    }
    return;
  }
  if (!scope.checkUndefined) return;
  for (const name of templateRoots(value)) {
    if (scope.has(name)) continue;
    const idx = findName(value, name);
    const off = valueOffset(r, node, value, idx, name.length);
    r.problems.add('undefined-variable', `undefined variable '${name}'${didYouMean(name, scope.all())}`, positionAt(r.file, off, name.length));
  }
}

function findName(text: string, name: string): number {
  const re = new RegExp(`(^|[^A-Za-z0-9_.])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`);
  let from = text.indexOf('{{');
  while (from >= 0) {
    const close = text.indexOf('}}', from);
    const segment = text.slice(from, close < 0 ? undefined : close);
    const m = re.exec(segment);
    if (m) return from + m.index + m[1]!.length;
    from = close < 0 ? -1 : text.indexOf('{{', close);
  }
  return Math.max(0, text.indexOf(name));
}

export function checkCondition(r: NodeReader, node: YNode, key: string, scope: StaticScope): Condition | undefined {
  if (node.kind !== 'scalar' || node.value === null) {
    r.problem(node, 'wrong-type', `'${key}' must be a condition expression (a string), not ${r.describe(node)}`);
    return undefined;
  }
  const source = String(node.value);
  if (source.includes('{{')) {
    r.problem(node, 'template-in-condition', `'${key}' is an expression, not a template: write it without {{ }}`, "e.g. when: result.rc == 0");
    return undefined;
  }
  const parsed = parseExpression(source);
  if (!parsed.ok) {
    // every Jinja filter and test of the condition at once, or else the parser's first problem
    const habits: readonly Habit[] = conditionHabits(source, new Set(Object.keys(FUNCTION_SIGNATURES)));
    for (const p of habits.length > 0 ? habits : [parsed.problem]) {
      const off = valueOffset(r, node, source, p.offset, p.length);
      r.problems.add('condition-syntax', `in '${key}': ${p.message}`, positionAt(r.file, off, p.length));
    }
    return undefined;
  }
  if (scope.checkUndefined) {
    for (const name of referencedRoots(parsed.ast)) {
      if (scope.has(name)) continue;
      const idx = findWord(source, name);
      const off = valueOffset(r, node, source, idx, name.length);
      r.problems.add('undefined-variable', `undefined variable '${name}' in '${key}'${didYouMean(name, scope.all())}`, positionAt(r.file, off, name.length));
    }
  }
  return { source, pos: r.pos(node) };
}

function findWord(text: string, word: string): number {
  const m = new RegExp(`(^|[^A-Za-z0-9_.'"])${word}(?![A-Za-z0-9_])`).exec(text);
  return m ? m.index + m[1]!.length : Math.max(0, text.indexOf(word));
}
