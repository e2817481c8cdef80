// The executor's typed event stream. The executor never writes to the terminal: renderers (task list,
// plain, JSON) and the journal are sinks of these events. Every event passes the secret masker first.
// Results travel as data: a step's end carries its outcome (and a failure its error, with a kind, a code
// and a position); loop and retry progress, and the transports' own events, are data too.

import type { TransportEvent } from '../transports/events.js';

export type { TransportEvent };

export type StepStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable' | 'unknown';

export interface HostCounts {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  ignored: number;
  rescued: number;
  unknown: number;
}

export type RunStatus = 'ok' | 'failed' | 'unreachable' | 'interrupted';

/** Where a step sits: handlers and undo steps are steps too, marked by their phase. */
export type StepPhase = 'main' | 'rescue' | 'always' | 'handler' | 'undo';

/** Where an error comes from in the playbook (the template, the condition, or the step itself). */
export interface ErrorPos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

interface ErrorBase {
  /** Stable and machine-readable, e.g. 'step-failed', 'SSH_UNREACHABLE', 'api-431'. */
  readonly code: string;
  /** Complete on its own: what the operator reads (secrets masked). */
  readonly message: string;
  readonly pos: ErrorPos | null;
}

/** Why a step failed, by kind. */
export type RunError =
  /** The step type found a failure (a command's exit code, a refusal, a state it does not accept). */
  | (ErrorBase & { readonly kind: 'step' })
  /** `failed_when` held, or `until` never did. */
  | (ErrorBase & { readonly kind: 'condition' })
  /** The step's own `timeout:` ran out. */
  | (ErrorBase & { readonly kind: 'timeout'; readonly timeoutMs: number })
  /** A template, condition or argument that could not be evaluated at run time, at its own position. */
  | (ErrorBase & { readonly kind: 'playbook' })
  /** The host could not be reached (or the connection went away). */
  | (ErrorBase & { readonly kind: 'unreachable'; readonly host: string })
  /** SSH refused otherwise: authentication, host keys, settings, forwarding, SFTP. */
  | (ErrorBase & { readonly kind: 'ssh'; readonly host: string })
  /** An HTTP connection failed (the http step, or the CloudStack API under it). */
  | (ErrorBase & { readonly kind: 'http'; readonly target: string })
  /** The CloudStack API answered with an error, a job failed, or its settings are incomplete. */
  | (ErrorBase & { readonly kind: 'cloudstack'; readonly endpoint: string; readonly command: string; readonly jobid?: string })
  /** A block ended failed: the failure is the one of a step inside it. */
  | (ErrorBase & { readonly kind: 'block' })
  /** Anything else: a bug, or a failure nobody classified yet. */
  | (ErrorBase & { readonly kind: 'internal' });

/** Why a step was skipped. */
export type SkipReason = 'condition' | 'resumed' | 'no-items' | 'operator';

/** How a step ended on a host; `kind` is the step-end's status. */
export type Outcome =
  | { readonly kind: 'ok' | 'changed'; readonly message?: string; readonly plan?: string }
  | { readonly kind: 'skipped'; readonly reason: SkipReason; readonly message?: string }
  | { readonly kind: 'unknown'; readonly reason?: string; readonly plan?: string }
  | { readonly kind: 'failed' | 'unreachable'; readonly error: RunError; readonly plan?: string };

/** What the operator reads about an outcome (the step-end's `msg`); a block's failure adds nothing. */
export function outcomeMessage(o: Outcome): string | undefined {
  switch (o.kind) {
    case 'failed':
    case 'unreachable':
      return o.error.kind === 'block' ? undefined : o.error.message;
    case 'unknown':
      return o.reason;
    default:
      return o.message;
  }
}

/** Progress of a step as data: a loop's items, or the attempts of a step that retries. */
type Progress =
  /** `plan`: in a dry run, what the item would do (the call it would make, the command it would run). */
  | { readonly kind: 'item'; readonly index: number; readonly total: number; readonly status: StepStatus; readonly plan?: string }
  | { readonly kind: 'attempt'; readonly attempt: number; readonly attempts: number; readonly until: boolean };

export type RunEvent =
  | { readonly type: 'run-start'; readonly runId: string; readonly playbook: string; readonly file: string; readonly dryRun: boolean; readonly time: string }
  | { readonly type: 'play-start'; readonly play: number; readonly name: string; readonly hosts: readonly string[] }
  | {
      readonly type: 'step-start';
      readonly play: number;
      readonly stepId: string;
      readonly name: string;
      readonly stepType: string;
      readonly host: string;
      readonly phase: StepPhase;
      /** The enclosing block (for an undo step: the step it belongs to); absent at the top of a play. */
      readonly parentId?: string;
    }
  | { readonly type: 'step-output'; readonly stepId: string; readonly host: string; readonly line: string; readonly stream: 'stdout' | 'stderr' }
  | { readonly type: 'step-progress'; readonly stepId: string; readonly host: string; readonly message: string; readonly progress?: Progress }
  | {
      readonly type: 'subtask';
      readonly stepId: string;
      readonly host: string;
      readonly id: string;
      readonly title: string;
      readonly status: 'pending' | 'running' | 'ok' | 'changed' | 'failed' | 'skipped' | 'unknown' | 'interrupted';
      readonly message?: string;
    }
  | {
      readonly type: 'step-end';
      readonly play: number;
      readonly stepId: string;
      readonly name: string;
      readonly host: string;
      readonly phase: StepPhase;
      readonly parentId?: string;
      readonly status: StepStatus;
      readonly outcome: Outcome;
      readonly ignored: boolean;
      /** outcomeMessage(outcome), kept for readers of the JSON stream written before `outcome`. */
      readonly msg?: string;
      /** Dry run: what the step would do. */
      readonly plan?: string;
      readonly durationMs: number;
    }
  | { readonly type: 'transport'; readonly host: string; readonly event: TransportEvent }
  | { readonly type: 'warning'; readonly message: string; readonly host?: string; readonly stepId?: string }
  | { readonly type: 'phase'; readonly phase: 'reverting' | 'interrupted'; readonly message: string }
  | { readonly type: 'undo-registered'; readonly obligationId: string; readonly stepId: string; readonly host: string; readonly description: string }
  | { readonly type: 'undo-done'; readonly obligationId: string; readonly host: string; readonly ok: boolean; readonly msg?: string }
  | { readonly type: 'play-end'; readonly play: number; readonly name: string }
  | {
      readonly type: 'run-end';
      readonly status: RunStatus;
      readonly exitCode: number;
      readonly recap: Readonly<Record<string, HostCounts>>;
      readonly durationMs: number;
    };

export type EventSink = (event: RunEvent) => void;

export function emptyCounts(): HostCounts {
  return { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, ignored: 0, rescued: 0, unknown: 0 };
}
