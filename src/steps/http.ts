// `http`: one HTTP(S) request from the runner (or through a host's SSH tunnel with `via`). GET and HEAD
// run for real in a dry run; other methods are only described. Registers status, headers and body
// (parsed when the answer is JSON). Messages never show the query string or request headers.

import { registerCookies, registerCredentials } from '../secrets/credentials.js';
import type { HttpBody } from '../transports/http.js';
import { formatDuration } from '../util/durations.js';
import { isUnknown, type Unknown } from '../expr/unknown.js';
import { arg } from './schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf, type Maybe } from './schema/schema.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from './types.js';
import { connectThrough } from '../transports/connect-via.js';

/** The methods of RFC 9110 a CloudStack or a health endpoint answers (TRACE and CONNECT are never meant). */
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const HTTP_ARGS = {
  url: arg.url('http:// or https:// URL').required(),
  method: arg.oneOf(HTTP_METHODS, 'HTTP method', { caseless: true }).default('GET'),
  headers: arg.map(arg.string(), 'request headers (never shown in output)'),
  query: arg.map(arg.string(), 'query parameters added to the URL (never shown in output)'),
  json: arg.any('JSON request body'),
  form: arg.map(arg.string(), 'form request body (application/x-www-form-urlencoded)'),
  body: arg.string('raw request body'),
  status: arg.list(arg.int('', { min: 100, max: 599 }), 'expected status code(s)', { single: true }).default([200]),
  timeout: arg.duration('whole-request budget').default(30_000),
  tls: arg.object({
    ca_file: arg.string('PEM file to trust'),
    insecure: arg.bool('skip certificate checks (only when you must)'),
  }, 'ca_file: PEM file to trust; insecure: true skips certificate checks (only when you must)'),
  via: arg.host('ssh', 'inventory host whose SSH connection carries the request'),
};
type HttpArgs = ArgsOf<typeof HTTP_ARGS>;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function methodOf(a: Maybe<Pick<HttpArgs, 'method'>>): string {
  return isUnknown(a.method) ? 'a request' : a.method.toUpperCase();
}

/** scheme://host/path — the query may carry tokens, so it is never shown. */
function shownUrl(url: string | Unknown): string {
  if (isUnknown(url)) return '(a URL not known yet)';
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function bodyOf(a: HttpArgs): HttpBody | undefined {
  if (a.json !== undefined) return { kind: 'json', value: a.json };
  if (a.form !== undefined) return { kind: 'form', fields: a.form };
  if (a.body !== undefined) return { kind: 'raw', data: a.body };
  return undefined;
}

async function send(ctx: StepContext, a: HttpArgs): Promise<StepOutcome> {
  const method = methodOf(a);
  const via = a.via;
  const timeoutMs = a.timeout;
  const tls = a.tls ? { ...(a.tls.ca_file ? { caFile: a.tls.ca_file } : {}), ...(a.tls.insecure === true ? { insecure: true } : {}) } : undefined;
  const body = bodyOf(a);
  const where = `${method} ${shownUrl(a.url)}${via ? ` via ${via}` : ''}`;
  ctx.progress(`${where} (timeout ${formatDuration(timeoutMs)})`);
  // loaded on first use: node:http/https/tls are not needed to validate or to run SSH-only playbooks
  const { httpRequest } = await import('../transports/http.js');
  const res = await httpRequest({
    method,
    url: a.url,
    headers: a.headers ?? {},
    ...(a.query ? { query: a.query } : {}),
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
  const ok = a.status;
  if (!ok.includes(res.status)) {
    const snippet = res.text.trim().replace(/\s+/g, ' ').slice(0, 200);
    throw new StepFailedError(`${where} answered HTTP ${res.status} ${res.statusMessage} (expected ${ok.join(' or ')})${snippet ? `: ${snippet}` : ''}`, result);
  }
  return { changed: !READ_METHODS.has(method), msg: `${where}: HTTP ${res.status}`, result };
}

export const httpStep = defineStep({
  name: 'http',
  summary: 'Send an HTTP(S) request (GET/HEAD also run in a dry run; registers status, headers, body — parsed when JSON)',
  description: 'GET, HEAD and OPTIONS run for real in a dry run; other methods are shown, not sent. `via: host` sends the request '
    + 'through that host\'s SSH connection. Headers and query values are never shown in output: messages show `METHOD '
    + 'scheme://host/path`. An unexpected status fails the step with the status and the first 200 characters of the body.',
  result: {
    status: ['integer', 'the HTTP status'],
    headers: ['mapping', 'response headers, lower-case names'],
    body: ['any', 'the body, parsed when it is JSON'],
    text: ['string', 'the body as text, when it was parsed'],
  },
  args: HTTP_ARGS,
  primary: 'url',
  effect: 'write',
  runsOn: 'runner',
  validate(args, report) {
    const bodies = (['json', 'form', 'body'] as const).filter((k) => args[k] !== undefined);
    if (bodies.length > 1) report(bodies[1]!, 'conflicting-arguments', `'http' takes one body: json, form or body (got ${bodies.join(', ')})`);
  },
  describe: (args) => `${methodOf(args)} ${shownUrl(args.url)}`,
  async check(ctx, args) {
    const method = methodOf(args);
    if (!allKnown(args)) {
      const u = firstUnknown(args)!;
      return { changed: true, plan: `would send ${method} ${shownUrl(args.url)}`, unknown: `${u.name} is unknown in a dry run: ${u.reason}` };
    }
    if (READ_METHODS.has(method)) return send(ctx, args);
    const body = args.json !== undefined ? ' with a JSON body' : args.form !== undefined ? ' with a form body' : args.body !== undefined ? ' with a body' : '';
    return { changed: true, plan: `would send ${method} ${shownUrl(args.url)}${args.via ? ` via ${args.via}` : ''}${body}`, unknown: `answer to ${method} ${shownUrl(args.url)} (not sent in a dry run)` };
  },
  apply: send,
});
