import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CsHarness, steps, type CsRun } from './cloudstack/harness.js';

const ADDRESS = '127.0.0.39';

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, ADDRESS, () => resolve((server.address() as AddressInfo).port)));
}

describe('steps: http', function () {
  this.timeout(30_000);
  let h: CsHarness;
  let server: http.Server;
  let port: number;
  const seen: Seen[] = [];
  let dir: string;
  let tlsServer: https.Server;
  let tlsPort: number;

  before(async () => {
    h = await CsHarness.start('127.0.0.40');
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (req.url?.startsWith('/hang')) return; // never answers
        if (req.url?.startsWith('/text')) {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance window\n');
          return;
        }
        const status = req.method === 'POST' ? 201 : 200;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-served-by': 'test' });
        res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers['authorization'] ?? null, body }));
      });
    });
    port = await listen(server);
    dir = mkdtempSync(path.join(os.tmpdir(), 'stackplay-http-step-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${ADDRESS}`,
      '-addext', `subjectAltName=IP:${ADDRESS}`, '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    tlsServer = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_q, res) => res.end('secure'));
    tlsPort = await listen(tlsServer);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => tlsServer.close(r));
    rmSync(dir, { recursive: true, force: true });
    await h.stop();
  });
  let run: CsRun | undefined;
  beforeEach(() => {
    run = undefined;
    seen.length = 0;
  });
  afterEach(() => {
    if (run) {
      expect(run.leaks()).to.deep.equal([]);
      // query strings and request headers are never shown
      expect(run.text()).to.not.include('t0ken-in-the-query').and.not.include('Bearer hunter2-token');
    }
  });
  const base = (): string => `http://${ADDRESS}:${port}`;

  it('GET: registers status, headers and the parsed JSON body; query and headers are sent, not shown', async () => {
    run = await h.run(steps(`
- name: get
  http:
    url: ${base()}/api/items
    query: {token: t0ken-in-the-query, n: 2}
    headers: {Authorization: Bearer hunter2-token}
  register: g
- {name: c, capture: "{{g}}"}`));
    expect(run.summary.exitCode).to.equal(0);
    const g = run.captured[0] as { status: number; headers: Record<string, string>; body: Record<string, unknown>; changed: boolean };
    expect(g.status).to.equal(200);
    expect(g.headers['x-served-by']).to.equal('test');
    expect(g.body).to.deep.include({ method: 'GET', url: '/api/items?token=t0ken-in-the-query&n=2', auth: 'Bearer hunter2-token' });
    expect(g.changed).to.equal(false);
    expect(run.end('get').msg).to.equal(`GET ${base()}/api/items: HTTP 200`);
  });

  it('POST json / form bodies with an expected status list; the step reports changed', async () => {
    run = await h.run(steps(`
- name: json
  http: {method: POST, url: "${base()}/j", json: {a: [1, 2]}, status: [200, 201]}
  register: j
- {name: c1, capture: "{{j.body.body}}"}
- name: form
  http: {method: post, url: "${base()}/f", form: {x: "a b&c"}, status: 201}
  register: f
- {name: c2, capture: "{{f.body.body}}"}`));
    expect(run.summary.exitCode).to.equal(0);
    expect(run.captured).to.deep.equal(['{"a":[1,2]}', 'x=a%20b%26c']);
    expect(run.end('json').status).to.equal('changed');
    expect(seen.map((s) => s.headers['content-type'])).to.deep.equal(['application/json', 'application/x-www-form-urlencoded']);
  });

  it('an unexpected status fails the step with the status and the start of the body; the result is still registered', async () => {
    run = await h.run(steps(`
- name: down
  http: {url: "${base()}/text?token=t0ken-in-the-query"}
  register: d
  ignore_errors: true
- {name: c, capture: "{{d.status}}"}`));
    expect(run.end('down').msg).to.equal(`GET ${base()}/text answered HTTP 503 Service Unavailable (expected 200): maintenance window`);
    expect(run.captured[0]).to.equal(503);
  });

  it('dry run: GET is sent for real, POST is only described', async () => {
    run = await h.run(steps(`
- name: get
  http: ${base()}/read
  register: g
- {name: c, capture: "{{g.status}}"}
- name: post
  http: {method: POST, url: "${base()}/write?token=t0ken-in-the-query", json: {x: 1}}`), { dryRun: true });
    expect(seen.map((s) => s.method)).to.deep.equal(['GET']);
    expect(run.captured[0]).to.equal(200);
    const post = run.end('post');
    expect(post.status).to.equal('unknown');
    expect(post.plan).to.equal(`would send POST ${base()}/write with a JSON body`);
  });

  it('times out with a message naming only host:port', async () => {
    run = await h.run(steps(`
- name: slow
  http: {url: "${base()}/hang?token=t0ken-in-the-query", timeout: 200ms}`));
    expect(run.end('slow').msg).to.equal(`GET ${base()}/hang: timed out talking to ${ADDRESS}:${port}`);
  });

  it('TLS: a self-signed server fails by default, works with its CA file or with insecure: true', async () => {
    const url = `https://${ADDRESS}:${tlsPort}/`;
    run = await h.run(steps(`
- name: default
  http: ${url}
  ignore_errors: true
- name: ca
  http: {url: "${url}", tls: {ca_file: "${path.join(dir, 'cert.pem')}"}}
  register: a
- {name: c, capture: "{{a.body}}"}
- name: insecure
  http: {url: "${url}", tls: {insecure: true}}`));
    expect(run.end('default').status).to.equal('failed');
    expect(run.end('default').msg).to.include('TLS handshake failed');
    expect(run.captured[0]).to.equal('secure');
    expect(run.end('insecure').status).to.equal('ok');
  });

  it('via: the request goes through the SSH connection of an inventory host', async () => {
    run = await h.run(steps(`
- name: through
  http: {url: "http://127.0.0.1:8080/client/api", query: {command: listCapabilities, response: json}, via: mgmt, status: 401}
  register: t
- {name: c, capture: "{{t.body}}"}`), { via: true });
    expect(run.end('through').status, run.end('through').msg).to.equal('ok');
    expect(JSON.stringify(run.captured[0])).to.include('"errorcode":401');
  });

  it('rejects two bodies and unknown tls options when the playbook is loaded', async () => {
    let err: unknown;
    try {
      await h.run(steps(`
- name: two
  http: {url: "${base()}", json: {}, body: x, tls: {verify: false}}`));
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.include("'http' takes one body").and.to.include("'http' argument 'tls.verify' is not a field (ca_file, insecure)");
  });
});
