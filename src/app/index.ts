// The application layer: what stackplay does, as functions the CLI and programs (and the tests) call
// alike — run, dryRun, resume, recover, validate, and the journaled runs. Each takes a request and an
// environment, sends a run's events to a sink, stops on an AbortSignal, and returns data; none of them
// reads argv or writes to a terminal. See docs/dev/architecture.md.

export { failureKind, UsageError, type FailureKind } from './errors.js';
export { dryRun, newRunId, prepareRun, run, type PreparedRun } from './run.js';
export { prepareResume, resume, type JournalRequest, type PreparedResume } from './resume.js';
export { recover, type RecoverHooks, type RecoverNotice, type RecoverResult } from './recover.js';
export { validate, type Validation } from './validate.js';
export { outline, type OutlineStep, type PlayOutline } from './outline.js';
export { trust, type TrustResult } from './trust.js';
export { journaledRun, journaledRuns } from './runs.js';
export { openServices } from './services.js';
export { loadPlan, makePlan, plannedSteps, prepareApply, ranAsPlanned, requestOf, savePlan, type SavedPlan } from './saved-plan.js';
export type { AppEnvironment, InputRequest, RunHooks, RunRequest, Source } from './types.js';
