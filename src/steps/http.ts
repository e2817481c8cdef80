// `http`: one HTTP(S) request from the runner (or through a host's SSH tunnel with `via`). GET and HEAD
// run for real in a dry run; other methods are only described. Registers status, headers and body
// (parsed when the answer is JSON). Messages never show the query string or request headers.

import { registerCookies, registerCredentials } from '../secrets/credentials.js';
import type { HttpBody } from '../transports/http.js';
import { formatDuration } from '../util/durations.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from './types.js';
import { connectThrough, durationMs } from './cloudstack/common.js';

interface HttpArgs {
  url: string;
  method?: string;
  headers?: Record<string, unknown>;
  query?: Record<string, unknown>;
  json?: unknown;
  form?: Record<string, unknown>;
  body?: string;
  status?: unknown;
  timeout?: unknown;
  tls?: { ca_file?: string; insecure?: boolean };
  via?: string;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function methodOf(a: HttpArgs): string {
  return (a.method ?? 'GET').toUpperCase();
}

/** scheme://host/path — the query may carry tokens, so it is never shown. */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function strings(m: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) if (v !== undefined && v !== null) out[k] = typeof v === 'string' ? v : String(v);
  return out;
}

function bodyOf(a: HttpArgs): HttpBody | undefined {
  if (a.json !== undefined) return { kind: 'json', value: a.json };
  if (a.form !== undefined) return { kind: 'form', fields: strings(a.form) };
  if (a.body !== undefined) return { kind: 'raw', data: a.body };
  return undefined;
}

function expected(a: HttpArgs): number[] {
  if (a.status === undefined || a.status === null) return [200];
  const list = Array.isArray(a.status) ? a.status : [a.status];
  return list.map((s) => {
    const n = typeof s === 'number' ? s : Number.parseInt(String(s), 10);
    if (!Number.isInteger(n)) throw new StepFailedError(`'status' must be a status code or a list of them, not ${JSON.stringify(s)}`);
    return n;
  });
}

async function send(ctx: StepContext, a: HttpArgs): Promise<StepOutcome> {
  const method = methodOf(a);
  const via = a.via;
  const timeoutMs = durationMs(a.timeout, 'timeout', 30_000);
  const tls = a.tls ? { ...(a.tls.ca_file ? { caFile: a.tls.ca_file } : {}), ...(a.tls.insecure === true ? { insecure: true } : {}) } : undefined;
  const body = bodyOf(a);
  const where = `${method} ${shownUrl(a.url)}${via ? ` via ${via}` : ''}`;
  ctx.progress(`${where} (timeout ${formatDuration(timeoutMs)})`);
  // loaded on first use: node:http/https/tls are not needed to validate or to run SSH-only playbooks
  const { httpRequest } = await import('../transports/http.js');
  const res = await httpRequest({
    method,
    url: a.url,
    headers: strings(a.headers),
    ...(a.query ? { query: strings(a.query) } : {}),
    ...(body ? { body } : {}),
    timeoutMs,
    ...(tls ? { tls } : {}),
    ...(via ? { connect: (host: string, port: number) => connectThrough(ctx.services, via, host, port) } : {}),
  }).catch((err: unknown) => {
    throw new StepFailedError(`${where}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const type = String(res.headers['content-type'] ?? '');
  let parsed: unknown = res.text;
  if (/[/+]json\b/i.test(type) && res.text.trim() !== '') {
    try {
      parsed = JSON.parse(res.text) as unknown;
    } catch {
      parsed = res.text;
    }
  }
  // a login answer or a session cookie is a credential: masked from here on, in the result and after
  registerCredentials(ctx.secrets, parsed);
  registerCookies(ctx.secrets, res.headers['set-cookie']);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const result = { status: res.status, headers, body: parsed, ...(parsed !== res.text ? { text: res.text } : {}) };
  const ok = expected(a);
  if (!ok.includes(res.status)) {
    const snippet = res.text.trim().replace(/\s+/g, ' ').slice(0, 200);
    throw new StepFailedError(`${where} answered HTTP ${res.status} ${res.statusMessage} (expected ${ok.join(' or ')})${snippet ? `: ${snippet}` : ''}`, result);
  }
  return { changed: !READ_METHODS.has(method), msg: `${where}: HTTP ${res.status}`, result };
}

export const httpStep = defineStep<HttpArgs>({
  name: 'http',
  summary: 'Send an HTTP(S) request (GET/HEAD also run in a dry run; registers status, headers, body — parsed when JSON)',
  description: 'GET, HEAD and OPTIONS run for real in a dry run; other methods are shown, not sent. `via: host` goes through its SSH connection.',
  args: {
    url: { type: 'string', required: true, description: 'http:// or https:// URL' },
    method: { type: 'string', default: 'GET', description: 'HTTP method (default GET)' },
    headers: { type: 'map', description: 'request headers (never shown in output)' },
    query: { type: 'map', description: 'query parameters added to the URL (never shown in output)' },
    json: { type: 'any', description: 'JSON request body' },
    form: { type: 'map', description: 'form request body (application/x-www-form-urlencoded)' },
    body: { type: 'string', description: 'raw request body' },
    status: { type: 'any', description: 'expected status code(s) (default 200)' },
    timeout: { type: 'duration', description: 'whole-request budget (default 30s)' },
    tls: { type: 'map', description: 'ca_file: PEM file to trust; insecure: true skips certificate checks (only when you must)' },
    via: { type: 'string', description: 'inventory host whose SSH connection carries the request' },
  },
  primary: 'url',
  effect: 'write',
  runsOn: 'runner',
  validate(args, report) {
    const bodies = ['json', 'form', 'body'].filter((k) => args[k] !== undefined);
    if (bodies.length > 1) report(bodies[1]!, 'conflicting-arguments', `'http' takes one body: json, form or body (got ${bodies.join(', ')})`);
    const tls = args['tls'];
    if (tls !== null && typeof tls === 'object' && !Array.isArray(tls)) {
      for (const k of Object.keys(tls)) if (k !== 'ca_file' && k !== 'insecure') report('tls', 'unknown-argument', `'http' tls has no option '${k}' (ca_file, insecure)`);
    }
  },
  describe: (args) => `${methodOf(args)} ${shownUrl(args.url)}`,
  async check(ctx, args) {
    const method = methodOf(args);
    if (READ_METHODS.has(method)) return send(ctx, args);
    const body = args.json !== undefined ? ' with a JSON body' : args.form !== undefined ? ' with a form body' : args.body !== undefined ? ' with a body' : '';
    return { changed: true, plan: `would send ${method} ${shownUrl(args.url)}${args.via ? ` via ${args.via}` : ''}${body}`, unknown: `answer to ${method} ${shownUrl(args.url)} (not sent in a dry run)` };
  },
  apply: send,
});
