// `validate`: load and check a playbook (with an inventory, undefined variables and host names too) and
// say what it holds; every problem is reported at its position (InvalidInputError) and nothing runs.

import type { Playbook, Step } from '../loader/ast.js';
import { loadRequest } from './input.js';
import type { AppEnvironment, InputRequest } from './types.js';

export interface Validation {
  readonly playbook: Playbook;
  readonly plays: number;
  /** Steps and handlers, those inside blocks included. */
  readonly steps: number;
}

export function validate(request: InputRequest, env: AppEnvironment = {}): Validation {
  const { playbook } = loadRequest(request, env, false);
  return { playbook, plays: playbook.plays.length, steps: countSteps(playbook.plays.flatMap((p) => [...p.steps, ...p.handlers])) };
}

function countSteps(steps: readonly Step[]): number {
  let n = 0;
  for (const s of steps) n += s.kind === 'block' ? countSteps([...s.block, ...s.rescue, ...s.always]) : 1;
  return n;
}
