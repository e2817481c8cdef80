// A step's arguments as its type receives them: rendered with the host's scope (raw arguments are
// passed as written), defaults filled in. Template errors point at the argument's own position.

import type { TaskStep } from '../loader/ast.js';
import type { StepDefinition } from '../steps/types.js';
import { renderValue } from './evaluate.js';

export function renderArgs(step: TaskStep, def: StepDefinition<never>, scope: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (def.freeform) {
    for (const [name, raw] of Object.entries(step.args)) out[name] = renderValue(raw, scope, step.argPos.get(name) ?? step.pos, `'${name}' of '${step.name}'`);
    return out;
  }
  for (const [name, spec] of Object.entries(def.args)) {
    if (!(name in step.args)) {
      if (spec.default !== undefined) out[name] = spec.default;
      continue;
    }
    const raw = step.args[name];
    out[name] = spec.raw ? raw : renderValue(raw, scope, step.argPos.get(name) ?? step.pos, `argument '${name}' of '${step.name}'`);
  }
  return out;
}
