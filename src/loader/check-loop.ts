// `loop:` must give a list. When the loader can tell what a loop's template gives — text around its
// {{ }} (always a string), a function whose result is never a list (`{{join names ','}}`), or a variable of the play or playbook that nothing
// else can set (no register/set/loop_var of that name, none in the inventory or -e) holding a string —
// that is a problem at load time, at the loop's position, instead of a failure mid-run.

import { VOCABULARY } from '../expr/index.js';
import type { NodeReader } from '../yaml/node-reader.js';
import type { YNode } from '../yaml/yaml-nodes.js';

/** What the loader knows of the variables a loop may read. */
export interface LoopVars {
  /** Play vars over playbook vars, as written (values with templates are not read). */
  readonly values: Readonly<Record<string, unknown>>;
  /** Names something else may set (register, set, loop_var, inventory, -e): their type is not known. */
  readonly overridden: (name: string) => boolean;
}

/** Template helpers that are operators in conditions: each gives a boolean. */
const BOOLEAN_HELPERS = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'not', 'defined', 'version_compare', 'vgte', 'vgt', 'vlt', 'vlte']);

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

function hasTemplate(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (depth > 32 || value === null || typeof value !== 'object') return true;
  return (Array.isArray(value) ? value : Object.values(value)).some((v) => hasTemplate(v, depth + 1));
}

/** Why the loop's single-mustache template cannot give a list, when that is known now. */
function notAList(source: string, vars: LoopVars): string | undefined {
  // only a template that is one {{ }} and nothing else keeps its value's type; any other gives text
  if (!/^\s*\{\{(?![#/!>^])[^{}]*\}\}\s*$/.test(source)) {
    return "a template with more than one {{ }} in it gives a string (only a template that is exactly one {{ }} keeps the value's type)";
  }
  const call = /^\s*\{\{~?\s*([A-Za-z_]\w*)\s+[^{}\s][^{}]*\}\}\s*$/.exec(source);
  if (call) {
    const name = call[1]!;
    const gives = Object.hasOwn(VOCABULARY, name) ? VOCABULARY[name]!.gives : BOOLEAN_HELPERS.has(name) ? 'boolean' : undefined;
    return gives === undefined || gives === 'list' ? undefined : `'${name}' gives a ${gives}`;
  }
  const path = /^\s*\{\{~?\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*~?\}\}\s*$/.exec(source);
  if (!path) return undefined;
  const [root, ...fields] = path[1]!.split('.');
  if (!Object.hasOwn(vars.values, root!) || vars.overridden(root!)) return undefined;
  let value: unknown = vars.values[root!];
  for (const field of fields) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, field)) return undefined;
    value = (value as Record<string, unknown>)[field];
  }
  if (Array.isArray(value) || hasTemplate(value)) return undefined;
  return `'${path[1]}' is ${kindOf(value)} (set in the vars of the play or playbook)`;
}

export function checkLoopType(r: NodeReader, node: YNode, vars: LoopVars | undefined): void {
  if (vars === undefined || node.kind !== 'scalar' || typeof node.value !== 'string') return;
  const why = notAList(node.value, vars);
  if (why !== undefined) r.problem(node, 'wrong-type', `'loop' must give a list, but ${why}`);
}
