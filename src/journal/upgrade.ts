// Journals written by earlier versions, read as today's events: a step's end there carried only a
// status and a message (no outcome), and nested steps had no parent id (it was implied by the dotted
// step id). Everything that reads journals back (show, resume, recover) sees one shape.

import type { Outcome, RunEvent } from '../engine/events.js';

type Event<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;
type OldStepEnd = Omit<Event<'step-end'>, 'outcome'> & { readonly outcome?: Outcome };

/** The block (`.b.N`, `.r.N`, `.a.N`) or the step (`.uN`) an old id was nested in. */
function impliedParent(stepId: string): string | undefined {
  return /^(.+)\.(?:[bra]\.\d+|u\d+)$/.exec(stepId)?.[1];
}

function outcomeOf(e: OldStepEnd): Outcome {
  const plan = e.plan !== undefined ? { plan: e.plan } : {};
  switch (e.status) {
    case 'failed':
    case 'unreachable':
      // only a block's own end came without a message: its failure is the one of a step inside it
      return e.msg === undefined
        ? { kind: e.status, error: { kind: 'block', code: 'block-failed', message: 'a step in the block failed', pos: null }, ...plan }
        : { kind: e.status, error: { kind: 'step', code: 'recorded', message: e.msg, pos: null }, ...plan };
    case 'skipped':
      return { kind: 'skipped', reason: e.msg === 'done before the interruption' ? 'resumed' : 'condition', ...(e.msg !== undefined ? { message: e.msg } : {}) };
    case 'unknown':
      return { kind: 'unknown', ...(e.msg !== undefined ? { reason: e.msg } : {}), ...plan };
    default:
      return { kind: e.status, ...(e.msg !== undefined ? { message: e.msg } : {}), ...plan };
  }
}

export function upgradeEvent(e: RunEvent): RunEvent {
  if (e.type !== 'step-start' && e.type !== 'step-end') return e;
  const old = e as OldStepEnd | Event<'step-start'>;
  const parentId = old.parentId ?? impliedParent(old.stepId);
  const withParent = parentId !== undefined && old.parentId === undefined ? { parentId } : {};
  if (old.type === 'step-start') return { ...old, ...withParent };
  return old.outcome !== undefined && parentId === old.parentId ? (old as Event<'step-end'>) : { ...old, ...withParent, outcome: old.outcome ?? outcomeOf(old) };
}
