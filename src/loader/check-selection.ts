// The names a run's selection flags refer to (--start-at-step, --tags, --skip-tags) checked against the
// playbook before anything runs: a misspelt name would otherwise select nothing, or skip nothing,
// without a word. Each refusal names the closest step name or tag.

import { didYouMean } from '../diagnostics/suggest.js';
import type { Playbook, Step } from './ast.js';

export interface SelectionFlags {
  readonly tags?: readonly string[] | undefined;
  readonly skipTags?: readonly string[] | undefined;
  readonly startAtStep?: string | undefined;
}

/** Tags with a meaning of their own in a selection. */
const SPECIAL_TAGS = ['always', 'tagged', 'untagged'] as const;

function eachStep(playbook: Playbook, visit: (step: Step) => void): void {
  const walk = (steps: readonly Step[]): void => {
    for (const s of steps) {
      visit(s);
      if (s.kind === 'block') walk([...s.block, ...s.rescue, ...s.always]);
    }
  };
  for (const play of playbook.plays) {
    walk(play.steps);
    walk(play.handlers);
  }
}

/** One message per flag value that names nothing in the playbook (empty when all are found). */
export function selectionProblems(playbook: Playbook, flags: SelectionFlags): string[] {
  const names = new Set<string>();
  const tags = new Set<string>();
  eachStep(playbook, (s) => {
    names.add(s.name);
    for (const t of s.tags) tags.add(t);
  });
  const out: string[] = [];
  if (flags.startAtStep !== undefined && !names.has(flags.startAtStep)) {
    out.push(`--start-at-step: no step is named '${flags.startAtStep}'${didYouMean(flags.startAtStep, names)}`);
  }
  for (const [flag, given] of [['--tags', flags.tags], ['--skip-tags', flags.skipTags]] as const) {
    for (const tag of given ?? []) {
      if (tags.has(tag) || (SPECIAL_TAGS as readonly string[]).includes(tag)) continue;
      const known = tags.size === 0 ? ' (no step of the playbook has tags)' : didYouMean(tag, tags);
      out.push(`${flag}: no step has the tag '${tag}'${known}`);
    }
  }
  return out;
}
