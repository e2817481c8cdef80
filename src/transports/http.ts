// HTTP(S) transport: one small request function on Node's http/https, used by the CloudStack client.
// It can route the TCP connection through a caller-supplied stream (an SSH tunnel for `via`) and turns
// socket failures into typed errors that never carry the request path or query (they may hold secrets).
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';

import { classifyConnectionError, connectionError, HttpConnectionError, type ConnectFn } from './http-errors.js';

export { classifyConnectionError, HttpConnectionError, type ConnectFn, type HttpConnectionErrorCode } from './http-errors.js';

interface HttpTlsOptions {
  /** PEM file with the CA certificate(s) to trust instead of the system store. */
  readonly caFile?: string;
  /** Skip certificate verification. Only when the user asked for it explicitly. */
  readonly insecure?: boolean;
}

export type HttpBody =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'form'; readonly fields: Readonly<Record<string, string>> }
  | { readonly kind: 'raw'; readonly data: string | Buffer; readonly contentType?: string };

interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Appended to the URL's own query, strictly percent-encoded. */
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: HttpBody;
  /** Whole-request budget (connect + response) in ms. Default 30 000. */
  readonly timeoutMs?: number;
  readonly tls?: HttpTlsOptions;
  /** Opens the TCP stream (e.g. an SSH direct-tcpip channel) instead of a direct socket. */
  readonly connect?: ConnectFn;
  /** Reuse connections through this agent (see createHttpAgent). */
  readonly agent?: http.Agent;
}

export interface HttpResponse {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: Readonly<http.IncomingHttpHeaders>;
  readonly body: Buffer;
  readonly text: string;
}

/** RFC 3986 strict encoding: everything but unreserved characters is percent-encoded. */
function strictEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function encodeForm(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${strictEncode(k)}=${strictEncode(v)}`)
    .join('&');
}

interface HttpAgentOptions {
  readonly protocol: 'http:' | 'https:';
  readonly keepAlive?: boolean;
  readonly tls?: HttpTlsOptions;
  readonly connect?: ConnectFn;
}

function tlsSettings(opts: HttpTlsOptions | undefined): { ca?: Buffer; rejectUnauthorized: boolean } {
  const settings: { ca?: Buffer; rejectUnauthorized: boolean } = { rejectUnauthorized: opts?.insecure !== true };
  if (opts?.caFile) settings.ca = readFileSync(opts.caFile);
  return settings;
}

/**
 * Node's http client and Agent call net.Socket methods (setKeepAlive, unref, setTimeout…) on the
 * connection; a tunnel stream such as an ssh2 channel has none of them, so give it harmless ones.
 */
function withSocketShims(stream: Duplex): Duplex {
  const s = stream as Duplex & Record<string, unknown>;
  for (const m of ['setKeepAlive', 'setNoDelay', 'ref', 'unref']) {
    if (typeof s[m] !== 'function') s[m] = () => stream;
  }
  if (typeof s['setTimeout'] !== 'function') {
    s['setTimeout'] = (ms: number) => {
      s['timeout'] = ms;
      return stream;
    };
  }
  return stream;
}

/**
 * An agent for one endpoint. With `connect`, every new connection is a tunnel stream (TLS is layered
 * on top for https). Keep-alive helps the 8080 API; the integration port closes after every response.
 */
export function createHttpAgent(opts: HttpAgentOptions): http.Agent {
  const keepAlive = opts.keepAlive ?? false;
  const tlsOpts = tlsSettings(opts.tls);
  const agent = opts.protocol === 'https:' ? new https.Agent({ keepAlive, ...tlsOpts }) : new http.Agent({ keepAlive });
  const connect = opts.connect;
  if (connect) {
    type Options = { host?: string; hostname?: string; port?: number | string; servername?: string };
    type Done = (err: Error | null, socket?: Duplex) => void;
    // Node's Agent waits for `oncreate` when createConnection returns nothing, so async tunnels work.
    const create = (options: Options, oncreate: Done): undefined => {
      const host = options.hostname ?? options.host ?? 'localhost';
      const port = Number(options.port ?? (opts.protocol === 'https:' ? 443 : 80));
      connect(host, port).then(
        (tunnel) => {
          const stream = withSocketShims(tunnel);
          if (opts.protocol !== 'https:') return oncreate(null, stream);
          // `host` drives the certificate identity check; SNI must not carry an IP address.
          const servername = options.servername || (net.isIP(host) ? undefined : host);
          const secure = tls.connect({ socket: stream, host, ...(servername ? { servername } : {}), ...tlsOpts });
          const fail = (err: Error): void => oncreate(err);
          secure.once('error', fail);
          secure.once('secureConnect', () => {
            secure.off('error', fail);
            oncreate(null, secure);
          });
        },
        (err: unknown) => oncreate(err instanceof Error ? err : new Error(String(err))),
      );
      return undefined;
    };
    (agent as unknown as { createConnection: typeof create }).createConnection = create;
  }
  return agent;
}

function buildUrl(req: HttpRequest): URL {
  const url = new URL(req.url);
  if (req.query) {
    const extra = Object.entries(req.query).map(([k, v]) => `${strictEncode(k)}=${strictEncode(v)}`);
    if (extra.length > 0) url.search = [url.search.replace(/^\?/, ''), ...extra].filter((s) => s !== '').join('&');
  }
  return url;
}

function encodeBody(body: HttpBody | undefined): { data?: Buffer; contentType?: string } {
  if (!body) return {};
  switch (body.kind) {
    case 'json':
      return { data: Buffer.from(JSON.stringify(body.value), 'utf8'), contentType: 'application/json' };
    case 'form':
      return { data: Buffer.from(encodeForm(body.fields), 'utf8'), contentType: 'application/x-www-form-urlencoded' };
    case 'raw': {
      const data = typeof body.data === 'string' ? Buffer.from(body.data, 'utf8') : body.data;
      return body.contentType ? { data, contentType: body.contentType } : { data };
    }
  }
}

/** Sends one request and buffers the whole response. Any HTTP status is a response, not an error. */
export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const url = buildUrl(req);
  const isHttps = url.protocol === 'https:';
  if (!isHttps && url.protocol !== 'http:') {
    return Promise.reject(new Error(`unsupported URL scheme ${url.protocol}`));
  }
  const target = url.host;
  const { data, contentType } = encodeBody(req.body);
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (contentType && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = contentType;
  }
  if (data) headers['Content-Length'] = String(data.length);
  // A one-shot agent when the caller gave none: it carries the tunnel and TLS settings.
  const ownAgent = req.agent
    ? undefined
    : createHttpAgent({
        protocol: isHttps ? 'https:' : 'http:',
        ...(req.tls ? { tls: req.tls } : {}),
        ...(req.connect ? { connect: req.connect } : {}),
      });
  const agent = req.agent ?? ownAgent;
  const timeoutMs = req.timeoutMs ?? 30_000;

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ownAgent?.destroy();
      fn();
    };
    const request = (isHttps ? https : http).request(url, { method: req.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => finish(() => reject(connectionError(classifyConnectionError(err), target, err))));
      res.on('aborted', () => finish(() => reject(connectionError('reset', target))));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        finish(() =>
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            body,
            text: body.toString('utf8'),
          }),
        );
      });
    });
    const timer = setTimeout(() => {
      const err = connectionError('timeout', target);
      finish(() => reject(err));
      request.destroy(err);
    }, timeoutMs);
    request.on('error', (err) => finish(() => reject(connectionError(classifyConnectionError(err), target, err))));
    request.end(data);
  });
}
