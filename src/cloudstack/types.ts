// Public shapes of the CloudStack client: the endpoint as the inventory describes it, call options,
// the list shape, async-job records and the events the client emits (never with secrets in them).
import type { ConnectFn, HttpConnectionErrorCode } from '../transports/http.js';

export interface CloudStackEndpoint {
  /** Inventory host name of the management server. */
  readonly name: string;
  /** e.g. http://10.0.0.5:8080/client/api */
  readonly url: string;
  /** Signed mode (v3 by default, v2 with signatureVersion: 2). */
  readonly apiKey?: string;
  readonly secretKey?: string;
  /** Session mode. */
  readonly username?: string;
  readonly password?: string;
  readonly domain?: string;
  /** Unauthenticated mode: http://<management-server host>:<port>/client/api */
  readonly integrationPort?: number;
  readonly signatureVersion?: 2 | 3;
  readonly tls?: { readonly caFile?: string; readonly insecure?: boolean };
  /** SSH jump host; the caller then passes a `connect` function. */
  readonly via?: string;
}

export type CallMode = 'signed' | 'session' | 'integration';
export type HttpMethod = 'GET' | 'POST';

/** Parameter values are stringified; `undefined` drops the parameter. */
export type ParamValue = string | number | boolean | undefined;
export type Params = Readonly<Record<string, ParamValue>>;

export interface CallOptions {
  readonly mode?: CallMode;
  /** Default: GET for list/get/query/find commands, POST otherwise (the integration port is always GET). */
  readonly method?: HttpMethod;
  /**
   * Safe to resend after a connection reset. Default: true for list/get/query/find commands.
   * A refused connection is always retried: the request never reached the server.
   */
  readonly idempotent?: boolean;
  /** Per-request HTTP budget in ms (overrides the client's timeoutMs). */
  readonly timeoutMs?: number;
}

export interface CloudStackList<T = Record<string, unknown>> {
  /** Total matching rows as the server reports it; 0 when the server omits `count` (empty list). */
  readonly count: number;
  readonly items: readonly T[];
}

/** The fields of queryAsyncJobResult the client relies on; `raw` keeps everything else. */
export interface AsyncJobStatus {
  readonly jobid: string;
  /** 0 pending, 1 succeeded, 2 failed, 3 cancelled. */
  readonly jobstatus: number;
  readonly jobresultcode: number;
  readonly jobresult?: Readonly<Record<string, unknown>>;
  readonly cmd?: string;
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface WaitOptions {
  /** Give up waiting (the job keeps running) after this many ms. Default 30 minutes. */
  readonly timeoutMs?: number;
  readonly onProgress?: (job: AsyncJobStatus) => void;
  readonly mode?: CallMode;
}

export interface AsyncCallOptions extends WaitOptions {
  readonly method?: HttpMethod;
  /** Called with the job id as soon as the submission returns, before polling (for journals/resume). */
  readonly onSubmitted?: (jobid: string) => void;
}

export interface RetryPolicy {
  /** Extra attempts after the first one. */
  readonly retries: number;
  readonly delayMs: number;
}

export interface PollPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export type CloudStackEvent =
  | {
      readonly type: 'request';
      readonly endpoint: string;
      readonly command: string;
      readonly mode: CallMode;
      readonly method: HttpMethod;
      /** With apiKey, signature, sessionkey and password masked. */
      readonly request: string;
      readonly attempt: number;
    }
  | { readonly type: 'response'; readonly endpoint: string; readonly command: string; readonly status: number }
  | {
      readonly type: 'retry';
      readonly endpoint: string;
      readonly command: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: HttpConnectionErrorCode;
    }
  | { readonly type: 'login'; readonly endpoint: string; readonly username: string; readonly relogin: boolean }
  | {
      readonly type: 'job-poll';
      readonly endpoint: string;
      readonly command: string;
      readonly jobid: string;
      readonly jobstatus: number;
      readonly polls: number;
    };

export interface SecretSink {
  add(value: string): void;
  /** Short-lived secrets (one request's signature): kept only while they can still show up. */
  addEphemeral?(value: string): void;
}

export interface CloudStackClientOptions {
  /** Opens the TCP stream to the management server (SSH tunnel when the endpoint has `via`). */
  readonly connect?: ConnectFn;
  /** Receives session keys and signatures as they are created, so output masking catches them. */
  readonly secrets?: SecretSink;
  /** Epoch ms; drives v3 `expires` and job timeouts. */
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Per-HTTP-request budget in ms. Default 30 000. */
  readonly timeoutMs?: number;
  readonly onEvent?: (event: CloudStackEvent) => void;
  /** Retries on refused/reset connections while a management server restarts. Default 3 × 2 s. */
  readonly retry?: Partial<RetryPolicy>;
  /** Job poll backoff. Default 0.1 s doubling to 2 s. */
  readonly poll?: Partial<PollPolicy>;
  /** Lifetime of v3 signatures. Default 10 minutes. */
  readonly expiresInMs?: number;
}

export interface CloudStackClient {
  readonly endpoint: CloudStackEndpoint;
  /** One API call; returns the object under `<command>response`. */
  call(command: string, params?: Params, opts?: CallOptions): Promise<Record<string, unknown>>;
  /** A list call: `{ count, items }`, count 0 when absent. objectName defaults to the one array in the response. */
  list(command: string, params?: Params, objectName?: string, opts?: CallOptions): Promise<CloudStackList>;
  /** Pages with page/pagesize until `count` items were read. */
  listAll(
    command: string,
    params?: Params,
    opts?: CallOptions & { readonly objectName?: string; readonly pageSize?: number },
  ): Promise<CloudStackList>;
  /** Submits an async command and waits for its job; returns the job's `jobresult`. */
  callAsync(command: string, params?: Params, opts?: AsyncCallOptions): Promise<Record<string, unknown>>;
  /** Waits for an existing job (e.g. one submitted before a resume). */
  waitForJob(jobid: string, opts?: WaitOptions & { readonly command?: string }): Promise<Record<string, unknown>>;
  /** Explicit session login (session mode logs in lazily otherwise). */
  login(): Promise<void>;
  logout(): Promise<void>;
  /** Drops kept-alive connections. */
  close(): void;
}
