// `run --list-hosts` / `--list-steps`: what a run would cover, without running it — each play's hosts
// (after --limit) and its steps with their tags, from the same load, checks and plan as a real run. No
// connection is opened and nothing is journaled.

import type { Step } from '../loader/ast.js';
import { selectionProblems } from '../loader/check-selection.js';
import { planRun } from '../planner/plan.js';
import { stepRegistry } from '../steps/registry.js';
import { UsageError } from './errors.js';
import { loadRequest } from './input.js';
import type { AppEnvironment, RunRequest } from './types.js';

export interface OutlineStep {
  readonly name: string;
  /** The step type, or 'block'. */
  readonly type: string;
  readonly tags: readonly string[];
  readonly depth: number;
}

export interface PlayOutline {
  readonly name: string;
  readonly pattern: string;
  readonly hosts: readonly string[];
  readonly steps: readonly OutlineStep[];
}

export function outline(request: RunRequest, env: AppEnvironment = {}): PlayOutline[] {
  const input = loadRequest(request, env, true);
  const unmatched = selectionProblems(input.playbook, request);
  if (unmatched.length > 0) throw new UsageError(unmatched.join('\n'));
  const plan = planRun(input.playbook.plays, input.inventory, env.steps ?? stepRegistry, request.limit);
  return input.playbook.plays.map((play) => ({
    name: play.name, pattern: play.hosts, hosts: plan.plays.get(play.index)?.hosts ?? [], steps: flatten(play.steps, 0),
  }));
}

function flatten(steps: readonly Step[], depth: number): OutlineStep[] {
  const out: OutlineStep[] = [];
  for (const s of steps) {
    out.push({ name: s.name, type: s.kind === 'block' ? 'block' : s.type, tags: s.tags, depth });
    if (s.kind === 'block') out.push(...flatten([...s.block, ...s.rescue, ...s.always], depth + 1));
  }
  return out;
}
