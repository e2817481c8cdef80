// HTTP plumbing shared by the 8080 servlet and the integration port: reading form bodies, collecting
// parameters (first value wins), cookies, and writing JSON/XML responses with HTTP status = errorcode.

import type http from 'node:http';
import type { JsonObject } from './render/compact.js';
import { toJson, toXml } from './serialize.js';

const MAX_BODY = 1 << 20;

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Raw (name, value) pairs, first occurrence of each raw name kept, in arrival order. */
export function collectParams(sources: readonly string[]): Array<[string, string]> {
  const seen = new Set<string>();
  const out: Array<[string, string]> = [];
  for (const src of sources) {
    for (const [k, v] of new URLSearchParams(src)) {
      if (seen.has(k)) continue;
      seen.add(k);
      out.push([k, v]);
    }
  }
  return out;
}

/** Dispatch view: names lower-cased (ParamUnpackWorker), first value wins. */
export function lowerParams(raw: ReadonlyArray<readonly [string, string]>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of raw) if (!m.has(k.toLowerCase())) m.set(k.toLowerCase(), v);
  return m;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    if (!m.has(k)) m.set(k, decodeURIComponent(part.slice(i + 1).trim().replace(/^"|"$/g, '')));
  }
  return m;
}

export interface Reply {
  readonly status: number;
  readonly body: JsonObject;
  readonly headers?: Readonly<Record<string, string | string[]>>;
}

export interface WriteOptions {
  readonly json: boolean;
  readonly jsonContentType: string;
  readonly xmlContentType: string;
  readonly version?: string | undefined;
  /** 8080 sends the error text in X-Description; the integration port uses the reason phrase. */
  readonly errorTextIn: 'header' | 'reason';
  readonly extraHeaders?: Readonly<Record<string, string>>;
}

const latin1 = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?');

export function writeReply(res: http.ServerResponse, reply: Reply, o: WriteOptions): void {
  const text = o.json ? toJson(reply.body) : toXml(reply.body, o.version);
  res.statusCode = reply.status;
  const inner = Object.values(reply.body)[0] as JsonObject | undefined;
  const errText = reply.status !== 200 && inner && typeof inner.errortext === 'string' ? inner.errortext : undefined;
  if (errText !== undefined) {
    if (o.errorTextIn === 'header') res.setHeader('X-Description', latin1(errText));
    else res.statusMessage = latin1(errText);
  }
  for (const [k, v] of Object.entries(o.extraHeaders ?? {})) res.setHeader(k, v);
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  res.setHeader('Content-Type', o.json ? o.jsonContentType : o.xmlContentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
