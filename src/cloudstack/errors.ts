// Typed runtime failures of the CloudStack client. Messages name the endpoint, the command and the
// request with auth parameters masked, and explain the awkward cases (401 on an unknown command,
// a job lost in a management-server restart) so nobody has to rerun with -vv to understand them.
import type { HttpConnectionErrorCode } from '../transports/http-errors.js';

export abstract class CloudStackError extends Error {
  constructor(
    readonly endpoint: string,
    readonly command: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface ApiErrorDetails {
  readonly httpStatus: number;
  readonly errorcode?: number;
  readonly cserrorcode?: number;
  readonly errortext: string;
  /** The request as `METHOD url?params`, secrets masked. */
  readonly request: string;
  /** The mode that was used; a 401 means different things in each. */
  readonly mode: 'signed' | 'session' | 'integration';
  readonly signatureVersion?: 2 | 3;
}

function apiHint(command: string, d: ApiErrorDetails): string {
  if (d.httpStatus === 401 || d.errorcode === 401) {
    const v3 = d.mode === 'signed' && d.signatureVersion !== 2 ? ', an expired v3 signature (check the clock)' : '';
    return (
      ` — unknown command or bad credentials: on the API port a command this CloudStack version does not have` +
      ` (e.g. patchSystemVm before 4.17) is answered exactly like a wrong key, signature${v3} or session`
    );
  }
  if (d.httpStatus === 432 || d.errorcode === 432) {
    return ` — unsupported/unknown command: this management server does not know ${command}`;
  }
  if (d.httpStatus === 503 || d.errorcode === 503) return ' — the management server is in maintenance or shutting down';
  return '';
}

/** The server answered with an error body (HTTP status = errorcode, including 431/530…). */
export class CloudStackApiError extends CloudStackError {
  override readonly name = 'CloudStackApiError';
  readonly httpStatus: number;
  readonly errorcode: number | undefined;
  readonly cserrorcode: number | undefined;
  readonly errortext: string;
  readonly request: string;

  constructor(endpoint: string, command: string, d: ApiErrorDetails, scrub: (s: string) => string = (s) => s) {
    const codes =
      `HTTP ${d.httpStatus}` +
      (d.errorcode !== undefined && d.errorcode !== d.httpStatus ? `, errorcode ${d.errorcode}` : '') +
      (d.cserrorcode !== undefined ? `, cserrorcode ${d.cserrorcode}` : '');
    super(
      endpoint,
      command,
      scrub(`${command} on ${endpoint} failed (${codes}): ${d.errortext}${apiHint(command, d)} [${d.request}]`),
    );
    this.httpStatus = d.httpStatus;
    this.errorcode = d.errorcode;
    this.cserrorcode = d.cserrorcode;
    this.errortext = scrub(d.errortext);
    this.request = scrub(d.request);
  }
}

/** No usable answer: the connection failed after the allowed retries. */
export class CloudStackConnectionError extends CloudStackError {
  override readonly name = 'CloudStackConnectionError';
  constructor(
    endpoint: string,
    command: string,
    readonly code: HttpConnectionErrorCode,
    readonly attempts: number,
    readonly request: string,
    cause: Error,
  ) {
    const why =
      code === 'refused'
        ? ' (is the management server running, or restarting?)'
        : code === 'reset' && attempts === 1
          ? ' (not retried: the request may have reached the server)'
          : '';
    super(
      endpoint,
      command,
      `${command} on ${endpoint}: ${cause.message}${why}; ${attempts} attempt${attempts === 1 ? '' : 's'} [${request}]`,
      { cause },
    );
  }
}

/** The answer was not the JSON CloudStack sends (a proxy page, XML, a truncated body). */
export class CloudStackResponseError extends CloudStackError {
  override readonly name = 'CloudStackResponseError';
  constructor(
    endpoint: string,
    command: string,
    readonly httpStatus: number,
    detail: string,
    readonly request: string,
  ) {
    super(endpoint, command, `${command} on ${endpoint}: unexpected response (HTTP ${httpStatus}): ${detail} [${request}]`);
  }
}

/** The endpoint lacks what the requested mode needs. */
export class CloudStackConfigError extends CloudStackError {
  override readonly name = 'CloudStackConfigError';
}

/** An async job ended with status 2 (failed) or 3 (cancelled). */
export class CloudStackJobError extends CloudStackError {
  override readonly name = 'CloudStackJobError';
  /** Status 2, result code 530 and no jobresult: what a job in flight during an MS restart turns into. */
  readonly lostInRestart: boolean;

  constructor(
    endpoint: string,
    command: string,
    readonly jobid: string,
    readonly jobstatus: number,
    readonly jobresultcode: number,
    readonly errortext: string | undefined,
    readonly errorcode: number | undefined,
    hasResult: boolean,
  ) {
    const lost = jobstatus === 2 && jobresultcode === 530 && !hasResult;
    const message = lost
      ? `${command} job ${jobid} on ${endpoint} was lost in a management-server restart: it reports status 2 ` +
        `(failed), result code 530 and no result, which is how CloudStack marks jobs that were still running ` +
        `when their management server restarted or shut down ("job cancelled because of management server ` +
        `restart or shutdown"); check the resource's state and submit it again`
      : jobstatus === 3
        ? `${command} job ${jobid} on ${endpoint} was cancelled${errortext ? `: ${errortext}` : ''}`
        : `${command} job ${jobid} on ${endpoint} failed (jobresultcode ${jobresultcode}): ${errortext ?? 'no error text'}`;
    super(endpoint, command, message);
    this.lostInRestart = lost;
  }
}

/** Waiting gave up; the job itself may still finish. Reattach with waitForJob(jobid). */
export class CloudStackJobTimeoutError extends CloudStackError {
  override readonly name = 'CloudStackJobTimeoutError';
  constructor(
    endpoint: string,
    command: string,
    readonly jobid: string,
    readonly waitedMs: number,
  ) {
    super(
      endpoint,
      command,
      `${command} job ${jobid} on ${endpoint} still pending after ${Math.round(waitedMs / 1000)} s; ` +
        `the job may still finish (wait again for job ${jobid})`,
    );
  }
}

/** The inventory lacks what a client for this host needs (no `cloudstack:` settings, no keys, no URL). */
export class CloudStackSetupError extends Error {
  override readonly name = 'CloudStackSetupError';
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
  }
}
