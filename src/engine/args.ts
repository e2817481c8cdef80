// A step's arguments as its type receives them. Static values were read with the schema when the
// playbook was loaded; templated ones are rendered with the host's scope and read here with the same
// schema, so a value that does not fit fails the step at its template's own file:line:col — before
// the step's undo is registered or anything runs. Cross-argument checks (`validate`) run again too.

import type { TaskStep } from '../loader/ast.js';
import { formatPath, Pending, readValue, type Path } from '../steps/schema/kinds.js';
import type { StepType } from '../steps/types.js';
import { isUnknown, PlaybookRuntimeError, renderValue } from './evaluate.js';

export function prepareArgs(step: TaskStep, def: StepType, scope: Record<string, unknown>, hosts: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (def.freeform) {
    for (const [name, raw] of Object.entries(step.args)) out[name] = renderValue(raw, scope, step.argPos.get(name) ?? step.pos, `'${name}' of '${step.name}'`);
    return out;
  }
  let rendered = false;
  for (const [name, schema] of Object.entries(def.args)) {
    if (step.ready.has(name)) {
      out[name] = step.ready.get(name);
      continue;
    }
    if (!Object.hasOwn(step.args, name)) continue;
    rendered = true;
    const value = renderValue(step.args[name], scope, step.argPos.get(name) ?? step.pos, `argument '${name}' of '${step.name}'`);
    const cx = {
      templates: false,
      hosts,
      issue(path: Path, code: string, message: string): never {
        throw new PlaybookRuntimeError(`argument '${formatPath(path)}' of '${step.name}' ${message}`, positionOf(step, path), code);
      },
    };
    const v = readValue(schema.kind, value, cx, [name]);
    out[name] = v instanceof Pending ? v.unknown : v;
  }
  if (rendered && def.validate !== undefined) {
    def.validate(out, (arg, code, message) => {
      throw new PlaybookRuntimeError(`argument '${arg}' of '${step.name}': ${message}`, step.argPos.get(arg) ?? step.pos, code);
    });
  }
  return out;
}

/** A dry run cannot call `apply` with an argument it does not know (an `any` argument may be Unknown). */
export function unknownArgument(def: StepType, args: Readonly<Record<string, unknown>>): { readonly name: string; readonly reason: string } | undefined {
  for (const [name, schema] of Object.entries(def.args)) {
    const v = args[name];
    if (schema.kind.meta.family !== 'any' && isUnknown(v)) return { name, reason: v.reason };
  }
  return undefined;
}

/** The template nearest to `path` inside the argument (the argument's own position at least). */
function positionOf(step: TaskStep, path: Path): TaskStep['pos'] {
  for (let n = path.length; n > 0; n--) {
    const pos = step.argPos.get(formatPath(path.slice(0, n)));
    if (pos) return pos;
  }
  return step.pos;
}
