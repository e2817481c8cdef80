// A step's arguments at load time, read with its type's schema: unknown argument names ("did you
// mean"; own properties of the schema only), missing required ones, and every static value read as
// the step will receive it — a bad value is reported at its own line and column. Templated values are
// read at run time; the positions of their templates are kept for that.

import type { Position } from '../diagnostics/problems.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { define } from '../steps/schema/containers.js';
import { formatPath, INVALID, Pending, readValue, type Path } from '../steps/schema/kinds.js';
import { TEMPLATED } from '../steps/schema/schema.js';
import type { StepType } from '../steps/types.js';
import type { NodeReader } from '../yaml/node-reader.js';
import { toValue, type YNode } from '../yaml/yaml-nodes.js';

export interface CheckedArgs {
  /** As written (templates not rendered). */
  readonly args: Record<string, unknown>;
  /** Read with the schema now: static values and defaults (the engine uses them as they are). */
  readonly ready: Map<string, unknown>;
  /** Where each argument's value is, and each template inside one ("progress[0].pattern"). */
  readonly positions: Map<string, Position>;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkArgs(r: NodeReader, def: StepType, node: YNode, keyNode: YNode, hosts: ReadonlySet<string> | undefined): CheckedArgs {
  const args: Record<string, unknown> = {};
  const ready = new Map<string, unknown>();
  const positions = new Map<string, Position>();
  const nodes = new Map<string, YNode>();
  const names = Object.keys(def.args);
  const take = (name: string, value: YNode): void => {
    define(args, name, toValue(value));
    nodes.set(name, value);
    positions.set(name, r.pos(value));
  };
  if (node.kind === 'scalar' && node.value !== null) {
    if (def.primary === undefined) {
      r.problem(node, 'wrong-type', `'${def.name}' takes a mapping of arguments (${names.join(', ')})`);
      return { args, ready, positions };
    }
    take(def.primary, node);
  } else if (node.kind === 'map') {
    for (const pair of node.pairs) {
      if (def.freeform) {
        // each key becomes a variable: '__proto__' would replace the prototype of the host's variables
        if (!VARIABLE_NAME.test(pair.key) || pair.key === '__proto__') {
          r.problem(pair.keyNode, 'bad-name', `'${def.name}' sets variables: '${pair.key}' is not a variable name (letters, digits, _)`);
        } else take(pair.key, pair.value);
      } else if (!Object.hasOwn(def.args, pair.key)) {
        // own properties only: 'toString' or 'constructor' are not arguments of any step
        r.problem(pair.keyNode, 'unknown-argument', `'${def.name}' has no argument '${pair.key}'${didYouMean(pair.key, names)}`);
      } else take(pair.key, pair.value);
    }
  } else if (node.kind === 'seq') {
    r.problem(node, 'wrong-type', `'${def.name}' takes a mapping of arguments, not a list`);
    return { args, ready, positions };
  }
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(def.args)) {
    const valueNode = nodes.get(name);
    if (valueNode === undefined) {
      if (schema.presence === 'required') {
        r.problem(node.kind === 'scalar' ? keyNode : node, 'missing-argument', `'${def.name}' needs the argument '${name}' (${schema.description})`);
      } else if (schema.presence === 'defaulted') {
        ready.set(name, schema.fallback);
        values[name] = schema.fallback;
      }
      continue;
    }
    const cx = {
      templates: !schema.isRaw,
      hosts,
      issue(path: Path, code: string, message: string): void {
        r.problem(nodeAt(valueNode, path.slice(1), code === 'unknown-argument'), code, `'${def.name}' argument '${formatPath(path)}' ${message}`);
      },
    };
    const v = readValue(schema.kind, args[name], cx, [name]);
    // the engine reads a templated value once rendered: where its templates are, for its errors
    if (v instanceof Pending) templatePositions(r, valueNode, [name], positions);
    // a refused value is still there for the cross-argument checks, just not known
    if (v === INVALID || v instanceof Pending) values[name] = TEMPLATED;
    else {
      ready.set(name, v);
      values[name] = v;
    }
  }
  if (def.validate !== undefined) {
    def.validate(values, (arg, code, message) => r.problem(nodes.get(arg) ?? node, code, message));
  }
  return { args, ready, positions };
}

/** The node at `path` inside an argument's value (as deep as the YAML goes; a key for unknown fields). */
function nodeAt(node: YNode, path: Path, key: boolean): YNode {
  let n = node;
  for (const [i, p] of path.entries()) {
    if (typeof p === 'number' && n.kind === 'seq' && n.items[p] !== undefined) n = n.items[p]!;
    else if (typeof p === 'string' && n.kind === 'map') {
      const pair = n.pairs.find((x) => x.key === p);
      if (pair === undefined) break;
      n = key && i === path.length - 1 ? pair.keyNode : pair.value;
    } else break;
  }
  return n;
}

function templatePositions(r: NodeReader, node: YNode, path: Path, out: Map<string, Position>): void {
  if (node.kind === 'seq') node.items.forEach((item, i) => templatePositions(r, item, [...path, i], out));
  else if (node.kind === 'map') for (const p of node.pairs) templatePositions(r, p.value, [...path, p.key], out);
  else if (typeof node.value === 'string' && node.value.includes('{{')) out.set(formatPath(path), r.pos(node));
}
