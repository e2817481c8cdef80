// What the application layer refuses, and how a failure that stops a command is told apart by type:
// the caller's input (exit 2, nothing ran), the machine's environment, or a bug.

import { InvalidInputError } from '../diagnostics/problems.js';
import { PatternError } from '../inventory/pattern.js';
import { JournalDirError } from '../journal/read.js';
import { HostKeyError, HostKeyPreflightError, SshSettingsError } from '../transports/ssh/errors.js';

/** A request that cannot be carried out as given (a missing file, a run id not found): nothing ran. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The live state (or an input) no longer gives the plan that was reviewed: nothing was run. */
export class PlanDriftError extends Error {
  constructor(readonly drift: readonly string[]) {
    super(`the plan no longer holds; nothing was changed:\n${drift.map((d) => `  - ${d}`).join('\n')}\nMake a new plan with --dry-run --save-plan and review it.`);
    this.name = 'PlanDriftError';
  }
}

/**
 * Why a command stopped: `problems` (the loader's, with positions), `usage` (the request, a host key
 * to check, a host pattern, SSH settings, a journal directory that is not one), `refused` (a saved plan the
 * live state no longer gives: exit 1, nothing ran), `system` (a system call the machine refused: a port in use,
 * a permission) or `internal` (a bug).
 */
export type FailureKind = 'problems' | 'usage' | 'refused' | 'system' | 'internal';

export function failureKind(err: unknown): FailureKind {
  if (err instanceof InvalidInputError) return 'problems';
  if (err instanceof PlanDriftError) return 'refused';
  if (err instanceof UsageError || err instanceof HostKeyError || err instanceof HostKeyPreflightError || err instanceof PatternError || err instanceof SshSettingsError
    || err instanceof JournalDirError) {
    return 'usage';
  }
  const { code, syscall } = (err ?? {}) as NodeJS.ErrnoException;
  if (typeof code === 'string' && typeof syscall === 'string' && /^E[A-Z]+$/.test(code)) return 'system';
  return 'internal';
}
