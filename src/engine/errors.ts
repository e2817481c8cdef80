// Classifying runtime failures by their type: a transport that cannot reach its host marks the host
// unreachable; every failure becomes a RunError (kind, code, message, position) for the step's outcome.
// Messages keep the cause chain and never a stack.

import {
  CloudStackApiError, CloudStackConnectionError, CloudStackError, CloudStackJobError, CloudStackJobTimeoutError,
  CloudStackResponseError, CloudStackSetupError,
} from '../cloudstack/errors.js';
import type { Position } from '../diagnostics/problems.js';
import { StepFailedError } from '../steps/types.js';
import { HttpConnectionError } from '../transports/http-errors.js';
import { SshError, UnreachableError } from '../transports/ssh/errors.js';
import { PlaybookRuntimeError } from './evaluate.js';
import type { ErrorPos, RunError } from './events.js';

export function isUnreachable(err: unknown): boolean {
  return err instanceof UnreachableError;
}

export function formatError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const parts = [err.message];
  let cause = (err as { cause?: unknown }).cause;
  let depth = 0;
  while (cause instanceof Error && depth < 4) {
    if (!parts.some((p) => p.includes(cause instanceof Error ? cause.message : ''))) parts.push(cause.message);
    cause = (cause as { cause?: unknown }).cause;
    depth++;
  }
  const pos = err instanceof PlaybookRuntimeError ? err.pos : null;
  const where = pos ? ` (${pos.file}:${pos.line}:${pos.col})` : '';
  return parts.join(': ') + where;
}

export function errorPos(pos: Position | null | undefined): ErrorPos | null {
  return pos ? { file: pos.file, line: pos.line, col: pos.col } : null;
}

/** A failure as data; `at` is the step's own position, for errors that have none of their own. */
export function classifyError(err: unknown, at: Position | null): RunError {
  const pos = errorPos(at);
  if (err instanceof StepFailedError) return { kind: 'step', code: 'step-failed', message: err.message, pos };
  const message = formatError(err);
  if (err instanceof PlaybookRuntimeError) return { kind: 'playbook', code: err.code, message, pos: errorPos(err.pos) ?? pos };
  if (err instanceof UnreachableError) return { kind: 'unreachable', code: err.code, host: err.host, message, pos };
  if (err instanceof SshError) return { kind: 'ssh', code: err.code, host: err.host, message, pos };
  if (err instanceof HttpConnectionError) return { kind: 'http', code: `http-${err.code}`, target: err.target, message, pos };
  if (err instanceof CloudStackSetupError) return { kind: 'cloudstack', code: 'setup', endpoint: err.host, command: '', message, pos };
  if (err instanceof CloudStackError) {
    const job = err instanceof CloudStackJobError || err instanceof CloudStackJobTimeoutError ? { jobid: err.jobid } : {};
    return { kind: 'cloudstack', code: cloudstackCode(err), endpoint: err.endpoint, command: err.command, message, pos, ...job };
  }
  return { kind: 'internal', code: 'error', message, pos };
}

function cloudstackCode(err: CloudStackError): string {
  if (err instanceof CloudStackApiError) return `api-${err.errorcode ?? err.httpStatus}`;
  if (err instanceof CloudStackJobError) return err.lostInRestart ? 'job-lost' : err.jobstatus === 3 ? 'job-cancelled' : 'job-failed';
  if (err instanceof CloudStackJobTimeoutError) return 'job-timeout';
  if (err instanceof CloudStackConnectionError) return `connection-${err.code}`;
  if (err instanceof CloudStackResponseError) return 'bad-response';
  return 'config';
}
