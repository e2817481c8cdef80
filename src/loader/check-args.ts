// Validates a step's arguments against its type's declared schema: unknown arguments ("did you
// mean"), missing required ones, wrong types. Values that are templates are checked after rendering.

import type { ArgSpec, StepDefinition } from '../steps/types.js';
import { parseDuration } from '../util/durations.js';
import type { NodeReader } from '../yaml/node-reader.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { toValue, type YNode } from '../yaml/yaml-nodes.js';

export interface CheckedArgs {
  readonly args: Record<string, unknown>;
  readonly nodes: Map<string, YNode>;
}

export function checkArgs(r: NodeReader, def: StepDefinition<never>, node: YNode, keyNode: YNode): CheckedArgs {
  const args: Record<string, unknown> = {};
  const nodes = new Map<string, YNode>();
  const names = Object.keys(def.args);
  if (node.kind === 'scalar' && node.value !== null) {
    if (def.primary === undefined) {
      r.problem(node, 'wrong-type', `'${def.name}' takes a mapping of arguments (${names.join(', ')})`);
      return { args, nodes };
    }
    args[def.primary] = node.value;
    nodes.set(def.primary, node);
  } else if (node.kind === 'map') {
    for (const pair of node.pairs) {
      if (!(pair.key in def.args) && !def.freeform) {
        r.problem(pair.keyNode, 'unknown-argument', `'${def.name}' has no argument '${pair.key}'${didYouMean(pair.key, names)}`);
        continue;
      }
      args[pair.key] = toValue(pair.value);
      nodes.set(pair.key, pair.value);
    }
  } else if (node.kind === 'seq') {
    r.problem(node, 'wrong-type', `'${def.name}' takes a mapping of arguments, not a list`);
    return { args, nodes };
  }
  for (const [name, spec] of Object.entries(def.args)) {
    const valueNode = nodes.get(name);
    if (valueNode === undefined) {
      if (spec.required) {
        r.problem(node.kind === 'scalar' ? keyNode : node, 'missing-argument', `'${def.name}' needs the argument '${name}' (${spec.description})`);
      }
      continue;
    }
    checkType(r, def.name, name, spec, valueNode);
  }
  if (def.validate !== undefined) {
    def.validate(args, (arg, code, message) => r.problem(nodes.get(arg) ?? node, code, message));
  }
  return { args, nodes };
}

function isTemplated(node: YNode): boolean {
  return node.kind === 'scalar' && typeof node.value === 'string' && node.value.includes('{{');
}

function checkType(r: NodeReader, step: string, name: string, spec: ArgSpec, node: YNode): void {
  if (isTemplated(node) || spec.type === 'any') return;
  const v = node.kind === 'scalar' ? node.value : undefined;
  const bad = (expected: string): void =>
    r.problem(node, 'wrong-type', `'${step}' argument '${name}' must be ${expected}, not ${r.describe(node)}`);
  switch (spec.type) {
    case 'string':
      if (node.kind !== 'scalar' || v === null) bad('a string');
      else if (spec.enum && !spec.enum.includes(String(v))) {
        r.problem(node, 'bad-value', `'${step}' argument '${name}' must be one of ${spec.enum.join(', ')}${didYouMean(String(v), spec.enum)}`);
      }
      return;
    case 'number':
      if (typeof v !== 'number') bad('a number');
      return;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) bad('an integer');
      return;
    case 'boolean':
      if (typeof v !== 'boolean') bad('true or false');
      return;
    case 'duration':
      if (parseDuration(v) === undefined) bad("a duration like 5, '30s', '5m'");
      return;
    case 'list':
      if (node.kind !== 'seq') bad('a list');
      return;
    case 'string-list':
      if (node.kind === 'map') bad('a string or a list of strings');
      return;
    case 'map':
      if (node.kind !== 'map') bad('a mapping');
      return;
    case 'step-list':
      if (node.kind !== 'seq' && node.kind !== 'map') bad('a step or a list of steps');
      return;
  }
}
