// Test helpers for the lab: an HTTP client with its own, independent request signing (built on
// encodeURIComponent, not on the lab's javaUrlEncode), raw HTTP without connection pooling, free-port
// lookup and an SSH exec helper on a real ssh2 client.

import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import ssh2 from 'ssh2';
import { startLab, type Lab, type LabOptions } from '../../src/lab/index.js';

/** Java URLEncoder semantics from encodeURIComponent: also encode ! ' ( ) ~, keep *. */
function enc(v: string): string {
  return encodeURIComponent(v).replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function sign(params: ReadonlyArray<readonly [string, string]>, secret: string): string {
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const s = sorted.map(([k, v]) => `${k}=${enc(v)}`).join('&').toLowerCase();
  return createHmac('sha1', secret).update(s).digest('base64');
}

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly statusMessage: string;
  readonly text: string;
  readonly json: any;
}

export function request(url: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, statusMessage: res.statusMessage ?? '', text, json });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST';
  readonly unsigned?: boolean;
  readonly v3?: { readonly expires: string };
  readonly secret?: string;
  readonly json?: boolean;
}

/** A signed API call; params keep their raw names (signing sorts them case-sensitively). */
export async function api(lab: Lab, params: Record<string, string>, o: CallOptions = {}): Promise<HttpResult> {
  return apiAt(lab, lab.apiUrl, params, o);
}

/** A signed call to another endpoint of the lab (mgmt2's API, the load balancer). */
export async function apiAt(lab: Lab, url: string, params: Record<string, string>, o: CallOptions = {}): Promise<HttpResult> {
  const p: Array<[string, string]> = Object.entries(params);
  if (o.json !== false) p.push(['response', 'json']);
  if (!o.unsigned) {
    p.push(['apiKey', lab.apiKey]);
    if (o.v3) p.push(['signatureVersion', '3'], ['expires', o.v3.expires]);
    p.push(['signature', sign(p, o.secret ?? lab.secretKey)]);
  }
  const qs = new URLSearchParams(p).toString();
  if (o.method === 'POST') {
    return request(url, { method: 'POST', body: qs, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  }
  return request(`${url}?${qs}`);
}

/** Body of a successful call (asserts HTTP 200). */
export async function ok(lab: Lab, params: Record<string, string>): Promise<any> {
  return okAt(lab, lab.apiUrl, params);
}

/** Body of a successful call to another endpoint (asserts HTTP 200). */
export async function okAt(lab: Lab, url: string, params: Record<string, string>): Promise<any> {
  const r = await apiAt(lab, url, params);
  if (r.status !== 200) throw new Error(`${params.command} -> ${r.status} ${r.text}`);
  return r.json[`${params.command!.toLowerCase()}response`];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function canConnect(port: number, address = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, address);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const labs: Lab[] = [];

/** Starts a lab that the suite's afterEach hook (stopLabs) stops. SSH is off unless asked for. */
export async function testLab(o: LabOptions = {}): Promise<Lab> {
  // today's bundled playbooks and these tests assume the classic world (one zone, six routers, idle)
  const lab = await startLab({ ssh: false, speed: 1000, restartDelayMs: 5_000, ...o, config: { preset: 'classic', ...o.config } });
  labs.push(lab);
  return lab;
}

export async function stopLabs(): Promise<void> {
  const all = labs.splice(0);
  await Promise.all(all.map((l) => l.stop()));
  for (const l of all) fs.rmSync(l.stateDir, { recursive: true, force: true });
}

export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function sshConnect(lab: Lab, port = lab.sshPort, key?: string, host = lab.address): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('ready', () => resolve(c));
    c.on('error', reject);
    c.connect({
      host, port, username: 'root', privateKey: key ?? fs.readFileSync(lab.privateKeyPath),
      // Pin the lab's host key by its fingerprint, as a careful client would.
      hostVerifier: (k: Buffer) => 'SHA256:' + createHash('sha256').update(k).digest('base64').replace(/=+$/, '') === lab.hostKeyFingerprint,
    });
  });
}

/** Runs a command over exec; stdin (or nothing) is sent and closed at once, as any scripted client does. */
export function exec(c: ssh2.Client, command: string, stdin = ''): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    c.exec(command, (err, ch) => {
      if (err) return reject(err);
      ch.end(stdin);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      ch.on('data', (d: Buffer) => (stdout += d.toString()));
      ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      ch.on('exit', (c: number | null) => (code = c));
      ch.on('close', () => resolve({ code, stdout, stderr }));
    });
  });
}

/** Polls until pred() holds (real-clock labs); fails after a generous limit instead of asserting on time. */
export async function waitFor(pred: () => boolean | Promise<boolean>, what = 'condition', limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
