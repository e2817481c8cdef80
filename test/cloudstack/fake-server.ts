// A tiny in-process HTTP server on 127.0.0.1 for the client's unit tests: each test scripts the
// awkward response shapes it needs (empty lists, 431/401/432 bodies, failing or lost jobs, resets)
// and inspects the requests as received (decoded like a servlet decodes them).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';

export interface Received {
  readonly method: string;
  readonly path: string;
  /** Query and form parameters, decoded (first value wins, as in the server). */
  readonly params: Readonly<Record<string, string>>;
  /** Raw query string as sent. */
  readonly rawQuery: string;
  readonly rawBody: string;
  readonly headers: http.IncomingHttpHeaders;
}

export type Reply =
  | { readonly status?: number; readonly json: unknown; readonly headers?: Record<string, string | string[]> }
  | { readonly status?: number; readonly text: string; readonly headers?: Record<string, string | string[]> }
  | { readonly reset: true };

export type Handler = (req: Received, index: number) => Reply;

export interface FakeServer {
  readonly port: number;
  readonly url: string;
  readonly received: Received[];
  handler: Handler;
  close(): Promise<void>;
  /** Start listening again on the same port (after close), e.g. to end a simulated restart. */
  reopen(): Promise<void>;
}

function decode(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(s)) if (!(k in out)) out[k] = v;
  return out;
}

export async function startFakeServer(handler: Handler, port = 0): Promise<FakeServer> {
  const received: Received[] = [];
  let server: http.Server;
  const state = { handler };
  const listen = (p: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const rawBody = Buffer.concat(chunks).toString('utf8');
          const [path = '', rawQuery = ''] = (req.url ?? '').split('?', 2) as [string?, string?];
          const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? decode(rawBody) : {};
          const r: Received = {
            method: req.method ?? '',
            path,
            params: { ...form, ...decode(rawQuery) },
            rawQuery,
            rawBody,
            headers: req.headers,
          };
          received.push(r);
          const reply = state.handler(r, received.length - 1);
          if ('reset' in reply) {
            req.socket.destroy();
            return;
          }
          const body = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
          res.writeHead(reply.status ?? 200, {
            'Content-Type': 'json' in reply ? 'application/json; charset=UTF-8' : 'text/plain',
            ...(reply.headers ?? {}),
          });
          res.end(body);
        });
      });
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const actual = await listen(port);
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}/client/api`,
    received,
    get handler() {
      return state.handler;
    },
    set handler(h: Handler) {
      state.handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    reopen: async () => {
      await listen(actual);
    },
  };
}

/** Every text an error or event could show a user, including causes. */
function surfaces(thing: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = thing;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    if (cur instanceof Error) {
      out.push(cur.message, String(cur), cur.stack ?? '', JSON.stringify(cur));
      out.push(JSON.stringify(Object.fromEntries(Object.entries(cur))));
      cur = cur.cause;
    } else {
      out.push(typeof cur === 'string' ? cur : JSON.stringify(cur));
      cur = undefined;
    }
  }
  return out;
}

/** Asserts that no secret (raw or URL-encoded) appears in any of the given errors or events. */
export function expectNoSecrets(things: readonly unknown[], secrets: readonly (string | undefined)[]): void {
  const values = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
  expect(values.length, 'the test must name the secrets it checks').to.be.greaterThan(0);
  for (const thing of things) {
    for (const text of surfaces(thing)) {
      for (const s of values) {
        expect(text.includes(s), `secret ${JSON.stringify(s.slice(0, 3))}… leaked into: ${text.slice(0, 300)}`).to.equal(false);
        expect(text.includes(encodeURIComponent(s)), `encoded secret leaked into: ${text.slice(0, 300)}`).to.equal(false);
      }
    }
  }
}

/** Everything the server received that is a secret: signatures and session keys. */
export function receivedSecrets(server: FakeServer): string[] {
  return server.received.flatMap((r) => [r.params['signature'], r.params['sessionkey']].filter((v): v is string => !!v));
}
