// What each step really registers, held against what its type declares (`stackplay steps TYPE`, the
// generated docs/steps.md): a field registered and not declared is a field the docs do not tell about.
// The playbook tests run every bundled playbook through this check.

import type { Playbook, Step, TaskStep } from '../../src/loader/ast.js';
import type { RunJournalHooks } from '../../src/engine/undo.js';
import type { StepType } from '../../src/steps/types.js';

/** Every step has these, whatever its type; a skipped one says why. */
const COMMON = new Set(['changed', 'failed', 'msg', 'skipped', 'skip_reason']);

function tasks(steps: readonly Step[], into: TaskStep[]): TaskStep[] {
  for (const s of steps) {
    if (s.kind === 'task') into.push(s);
    else if (s.kind === 'block') for (const part of [s.block, s.rescue, s.always]) tasks(part, into);
    tasks(s.undo, into);
  }
  return into;
}

/** Undeclared fields of one registered value, as "type.field" (the step type named by the register name). */
export function undeclaredFields(playbook: Playbook, steps: ReadonlyMap<string, StepType>, name: string, value: unknown): string[] {
  const all = playbook.plays.flatMap((p) => tasks([...p.steps, ...(p.handlers ?? [])], []));
  const step = all.find((t) => t.register === name);
  if (!step || value === null || typeof value !== 'object') return [];
  const def = steps.get(step.type);
  // a declared `<field>` or `<name>` stands for any field: the generic cloudstack step registers the
  // command's own response, `set` the variables it sets
  if (!def || Object.keys(def.result).some((k) => /^<.+>$/.test(k))) return [];
  const declared = new Set([...COMMON, ...Object.keys(def.result)]);
  const values = step.loop !== undefined && step.loop !== null && Array.isArray((value as { results?: unknown }).results)
    ? ((value as { results: unknown[] }).results as Array<Record<string, unknown>>)
    : [value as Record<string, unknown>];
  const extra = new Set<string>();
  for (const v of values) for (const k of Object.keys(v ?? {})) if (!declared.has(k) && !(step.loop !== undefined && step.loop !== null && (k === 'item' || k === 'index'))) extra.add(`${step.type}.${k}`);
  return [...extra];
}

/** Journal hooks that only watch what is registered; `found` collects the undeclared fields. */
export function conformanceHooks(playbook: Playbook, steps: ReadonlyMap<string, StepType>, found: Set<string>, seen?: Set<string>): RunJournalHooks {
  return {
    obligationOpened: async () => undefined,
    obligationResult: async () => undefined,
    obligationDischarged: async () => undefined,
    registered: (_host, name, value) => {
      seen?.add(name);
      for (const f of undeclaredFields(playbook, steps, name, value)) found.add(f);
    },
  };
}
