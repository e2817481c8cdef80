// The CloudStack API client: builds signed, session or integration-port requests, retries only
// where a resend is safe, maps error bodies to typed errors, unwraps responses, pages lists and waits
// for async jobs. It shares no code with the lab's server side, so one signing bug cannot hide on both.
import type http from 'node:http';
import { createHttpAgent, httpRequest, HttpConnectionError } from '../transports/http.js';
import { CloudStackConfigError, CloudStackConnectionError, CloudStackResponseError } from './errors.js';
import { DEFAULT_POLL, waitForJob } from './jobs.js';
import { describeRequest, Redactor } from './redact.js';
import { toList, type JsonObject } from './response.js';
import { cookieHeader, loginFields, mergeCookies, parseSetCookie, type Session } from './session.js';
import { signParams } from './signing.js';
import type {
  CallMode,
  CallOptions,
  CloudStackClient,
  CloudStackClientOptions,
  CloudStackEndpoint,
  CloudStackEvent,
  CloudStackList,
  HttpMethod,
  Params,
} from './types.js';
import { encodeParams, integrationUrl, interpretResponse, isReadCommand, stringifyParams, type Exchange } from './wire.js';


export function createCloudStackClient(endpoint: CloudStackEndpoint, opts: CloudStackClientOptions = {}): CloudStackClient {
  if (endpoint.via && !opts.connect) {
    // Connecting directly would silently bypass the jump host the inventory asked for.
    throw new CloudStackConfigError(endpoint.name, '-', `endpoint ${endpoint.name} is reached via ${endpoint.via}, but no tunnel (connect) was given`);
  }
  const clock = opts.clock ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const retry = { retries: opts.retry?.retries ?? 3, delayMs: opts.retry?.delayMs ?? 2000 };
  const poll = { ...DEFAULT_POLL, ...opts.poll };
  const redactor = new Redactor();
  const scrub = (text: string): string => redactor.scrub(text);
  const secret = (value: string | undefined): void => {
    if (!value) return;
    redactor.add(value);
    opts.secrets?.add(value);
  };
  secret(endpoint.apiKey);
  secret(endpoint.secretKey);
  secret(endpoint.password);
  const emit = (e: CloudStackEvent): void => {
    // A broken event sink must not turn a successful API call into a failure.
    try {
      opts.onEvent?.(e);
    } catch {
      /* ignored */
    }
  };
  const agents = new Map<'api' | 'integration', http.Agent>();
  let session: Session | undefined;
  let loggingIn: Promise<Session> | undefined;

  function agentFor(mode: CallMode): http.Agent {
    const key = mode === 'integration' ? 'integration' : 'api';
    let agent = agents.get(key);
    if (!agent) {
      const https = key === 'api' && new URL(endpoint.url).protocol === 'https:';
      agent = createHttpAgent({
        protocol: https ? 'https:' : 'http:',
        // The integration port closes every connection after its response: nothing to keep alive.
        keepAlive: key === 'api',
        ...(https && endpoint.tls ? { tls: endpoint.tls } : {}),
        ...(opts.connect ? { connect: opts.connect } : {}),
      });
      agents.set(key, agent);
    }
    return agent;
  }

  function defaultMode(): CallMode {
    if (endpoint.apiKey && endpoint.secretKey) return 'signed';
    if (endpoint.username && endpoint.password !== undefined) return 'session';
    if (endpoint.integrationPort) return 'integration';
    throw new CloudStackConfigError(
      endpoint.name,
      '-',
      `endpoint ${endpoint.name} has no way to call the API: set apiKey and secretKey, username and password, or integrationPort`,
    );
  }

  function baseUrl(command: string, mode: CallMode): string {
    if (mode !== 'integration') return endpoint.url;
    if (!endpoint.integrationPort) {
      throw new CloudStackConfigError(endpoint.name, command, `endpoint ${endpoint.name} has no integrationPort`);
    }
    return integrationUrl(endpoint, endpoint.integrationPort);
  }

  /** The parameters as sent; signed again for every attempt so a v3 `expires` stays fresh. */
  function wireParams(command: string, mode: CallMode, params: Record<string, string>): Record<string, string> {
    const p: Record<string, string> = { ...params, command, response: 'json' };
    if (mode === 'signed') {
      if (!endpoint.apiKey || !endpoint.secretKey) {
        throw new CloudStackConfigError(endpoint.name, command, `endpoint ${endpoint.name} has no apiKey/secretKey for signed calls`);
      }
      const signed = signParams(p, {
        apiKey: endpoint.apiKey,
        secretKey: endpoint.secretKey,
        version: endpoint.signatureVersion ?? 3,
        now: clock(),
        ...(opts.expiresInMs !== undefined ? { expiresInMs: opts.expiresInMs } : {}),
      });
      // Masked by name in our own messages; the run's masker needs the value for everything else.
      if (signed['signature']) {
        if (opts.secrets?.addEphemeral) opts.secrets.addEphemeral(signed['signature']);
        else opts.secrets?.add(signed['signature']);
      }
      return { ...signed };
    }
    if (mode === 'session' && session) p['sessionkey'] = session.sessionkey;
    return p;
  }

  async function exchange(
    command: string,
    mode: CallMode,
    method: HttpMethod,
    params: Record<string, string>,
    idempotent: boolean,
    timeoutMs: number | undefined,
  ): Promise<Exchange> {
    const base = baseUrl(command, mode);
    for (let attempt = 1; ; attempt++) {
      const wire = command === 'login' ? params : wireParams(command, mode, params);
      const request = redactor.scrub(describeRequest(method, base, wire));
      emit({ type: 'request', endpoint: endpoint.name, command, mode, method, request, attempt });
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (mode === 'session' && session) headers['Cookie'] = cookieHeader(session);
      const encoded = encodeParams(wire);
      try {
        const res = await httpRequest({
          method,
          url: method === 'GET' ? `${base}${base.includes('?') ? '&' : '?'}${encoded}` : base,
          headers,
          ...(method === 'POST'
            ? { body: { kind: 'raw' as const, data: encoded, contentType: 'application/x-www-form-urlencoded' } }
            : {}),
          timeoutMs: timeoutMs ?? opts.timeoutMs ?? 30_000,
          agent: agentFor(mode),
        });
        emit({ type: 'response', endpoint: endpoint.name, command, status: res.status });
        return { res, request };
      } catch (err) {
        if (!(err instanceof HttpConnectionError)) throw err;
        // Refused: the request never reached the server. Reset: only reads may be sent twice.
        const retriable = err.code === 'refused' || (idempotent && err.code === 'reset');
        if (!retriable || attempt > retry.retries) {
          throw new CloudStackConnectionError(endpoint.name, command, err.code, attempt, request, err);
        }
        emit({ type: 'retry', endpoint: endpoint.name, command, attempt, delayMs: retry.delayMs, reason: err.code });
        await sleep(retry.delayMs);
      }
    }
  }

  async function doLogin(relogin: boolean): Promise<Session> {
    const { username, password } = endpoint;
    if (!username || password === undefined) {
      throw new CloudStackConfigError(endpoint.name, 'login', `endpoint ${endpoint.name} has no username/password for session calls`);
    }
    emit({ type: 'login', endpoint: endpoint.name, username, relogin });
    session = undefined;
    const ex = await exchange('login', 'session', 'POST', loginFields(username, password, endpoint.domain), true, undefined);
    const inner = interpretResponse(endpoint, 'login', 'session', ex, scrub);
    const cookies = parseSetCookie(ex.res.headers['set-cookie']);
    const key = typeof inner['sessionkey'] === 'string' ? inner['sessionkey'] : cookies.get('sessionkey');
    if (!key) throw new CloudStackResponseError(endpoint.name, 'login', ex.res.status, 'no sessionkey in the login response', ex.request);
    secret(key);
    for (const v of cookies.values()) secret(v);
    const s: Session = { sessionkey: key, cookies };
    session = s;
    return s;
  }

  function login(relogin = false): Promise<Session> {
    // Concurrent calls share one login instead of racing several sessions.
    loggingIn ??= doLogin(relogin).finally(() => {
      loggingIn = undefined;
    });
    return loggingIn;
  }

  async function call(command: string, params: Params = {}, copts: CallOptions = {}): Promise<JsonObject> {
    const mode = copts.mode ?? defaultMode();
    const read = isReadCommand(command);
    const method: HttpMethod = mode === 'integration' ? 'GET' : (copts.method ?? (read ? 'GET' : 'POST'));
    const idempotent = copts.idempotent ?? read;
    const p = stringifyParams(params);
    if (mode === 'session' && !session) await login();
    let ex = await exchange(command, mode, method, p, idempotent, copts.timeoutMs);
    if (mode === 'session' && ex.res.status === 401) {
      // The session may have expired (session.timeout); a 401 means the call was not executed.
      await login(true);
      ex = await exchange(command, mode, method, p, idempotent, copts.timeoutMs);
    }
    if (mode === 'session') mergeCookies(session!, ex.res.headers['set-cookie']);
    return interpretResponse(endpoint, command, mode, ex, scrub);
  }

  async function list(command: string, params: Params = {}, objectName?: string, copts: CallOptions = {}): Promise<CloudStackList> {
    return toList(await call(command, params, copts), objectName);
  }

  const client: CloudStackClient = {
    endpoint,
    call,
    list,
    async listAll(command, params = {}, lopts = {}) {
      const pageSize = lopts.pageSize ?? 500;
      const items: Record<string, unknown>[] = [];
      let count = 0;
      for (let page = 1; page <= 10_000; page++) {
        const r = await list(command, { ...params, page, pagesize: pageSize }, lopts.objectName, lopts);
        count = Math.max(count, r.count);
        items.push(...r.items);
        // Stop on a short or empty page too: rows can vanish between pages and count would never be reached.
        if (r.items.length === 0 || r.items.length < pageSize || items.length >= count) break;
      }
      return { count: Math.max(count, items.length), items };
    },
    async callAsync(command, params = {}, aopts = {}) {
      const submitted = await call(command, params, {
        ...(aopts.mode ? { mode: aopts.mode } : {}),
        ...(aopts.method ? { method: aopts.method } : {}),
        idempotent: false,
      });
      const jobid = submitted['jobid'];
      if (typeof jobid !== 'string' || jobid === '') {
        throw new CloudStackResponseError(endpoint.name, command, 200, `no jobid in the response: is ${command} asynchronous?`, command);
      }
      aopts.onSubmitted?.(jobid);
      return client.waitForJob(jobid, { ...aopts, command });
    },
    waitForJob(jobid, wopts = {}) {
      return waitForJob(
        {
          endpoint: endpoint.name,
          query: (id, mode) => call('queryAsyncJobResult', { jobid: id }, mode ? { mode } : {}),
          clock,
          sleep,
          poll,
          emit,
        },
        { jobid, ...wopts },
      );
    },
    async login() {
      await login();
    },
    async logout() {
      if (!session) return;
      try {
        await call('logout', {}, { mode: 'session', idempotent: true });
      } finally {
        session = undefined;
      }
    },
    close() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
  return client;
}
