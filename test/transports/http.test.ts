// The HTTP transport against real loopback servers: bodies and queries, typed connection errors
// (refused, reset, timeout), a tunnelled connection, and TLS with a CA file, insecure mode and failure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createHttpAgent, HttpConnectionError, httpRequest } from '../../src/transports/http.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function rejected(p: Promise<unknown>): Promise<HttpConnectionError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(HttpConnectionError);
  return err as HttpConnectionError;
}

describe('transports/http', () => {
  let server: http.Server;
  let port: number;
  let seen: Seen[];
  let respond: (req: http.IncomingMessage, res: http.ServerResponse) => void;

  beforeEach(async () => {
    seen = [];
    respond = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Test': 'yes' });
      res.end('héllo');
    };
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        respond(req, res);
      });
    });
    port = await listen(server);
  });
  afterEach(() => close(server));

  it('GET with a strictly encoded query returns status, headers, body and text', async () => {
    const res = await httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/p?x=1`, query: { q: "a b+c*(d)!'", e: 'é' } });
    expect(res.status).to.equal(200);
    expect(res.headers['x-test']).to.equal('yes');
    expect(res.text).to.equal('héllo');
    expect(res.body.equals(Buffer.from('héllo'))).to.equal(true);
    expect(seen[0]!.url).to.equal('/p?x=1&q=a%20b%2Bc%2A%28d%29%21%27&e=%C3%A9');
  });

  it('POST JSON and form bodies with content types; non-2xx statuses are responses', async () => {
    respond = (_req, res) => {
      res.writeHead(431);
      res.end('{"e":1}');
    };
    const json = await httpRequest({ method: 'POST', url: `http://127.0.0.1:${port}/`, body: { kind: 'json', value: { a: [1] } } });
    expect(json.status).to.equal(431);
    expect(seen[0]!.headers['content-type']).to.equal('application/json');
    expect(seen[0]!.body).to.equal('{"a":[1]}');
    await httpRequest({ method: 'POST', url: `http://127.0.0.1:${port}/`, body: { kind: 'form', fields: { a: 'x y', b: '&=' } } });
    expect(seen[1]!.headers['content-type']).to.equal('application/x-www-form-urlencoded');
    expect(seen[1]!.body).to.equal('a=x%20y&b=%26%3D');
  });

  it('connection refused → HttpConnectionError code "refused" naming only host:port', async () => {
    await close(server);
    const err = await rejected(httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/client/api?apiKey=SECRETKEY` }));
    expect(err.code).to.equal('refused');
    expect(err.message).to.equal(`connection refused by 127.0.0.1:${port}`);
    server = http.createServer();
    await listen(server);
  });

  it('reset before a response → code "reset"', async () => {
    respond = (req) => req.socket.destroy();
    const err = await rejected(httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/` }));
    expect(err.code).to.equal('reset');
  });

  it('no response within timeoutMs → code "timeout"', async () => {
    respond = () => undefined;
    const err = await rejected(httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, timeoutMs: 50 }));
    expect(err.code).to.equal('timeout');
  });

  it('routes through `connect`, reusing the tunnel with a keep-alive agent', async () => {
    const dialed: string[] = [];
    const agent = createHttpAgent({
      protocol: 'http:',
      keepAlive: true,
      connect: async (host, p) => {
        dialed.push(`${host}:${p}`);
        return net.connect(port, '127.0.0.1');
      },
    });
    const url = 'http://ms.example.invalid:8080/client/api';
    expect((await httpRequest({ method: 'GET', url, agent })).text).to.equal('héllo');
    expect((await httpRequest({ method: 'GET', url, agent })).text).to.equal('héllo');
    expect(dialed).to.deep.equal(['ms.example.invalid:8080']);
    expect(seen[0]!.headers.host).to.equal('ms.example.invalid:8080');
    agent.destroy();
  });

  it('a failing tunnel maps its message to a code', async () => {
    const err = await rejected(
      httpRequest({
        method: 'GET',
        url: 'http://10.0.0.5:8096/',
        connect: async () => {
          throw new Error('(SSH) Channel open failure: Connection refused');
        },
      }),
    );
    expect(err.code).to.equal('refused');
  });

  describe('TLS', function () {
    this.timeout(20_000);
    let dir: string;
    let tlsServer: https.Server;
    let tlsPort: number;

    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'stackplay-http-'));
      // A throwaway self-signed certificate for 127.0.0.1, made with openssl for this run only.
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    beforeEach(async () => {
      tlsServer = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => res.end('secure'));
      tlsPort = await listen(tlsServer);
    });
    afterEach(() => close(tlsServer));

    it('trusts the server with caFile', async () => {
      const res = await httpRequest({ method: 'GET', url: `https://127.0.0.1:${tlsPort}/`, tls: { caFile: path.join(dir, 'cert.pem') } });
      expect(res.text).to.equal('secure');
    });

    it('rejects an unknown certificate with code "tls" unless insecure is asked for', async () => {
      const err = await rejected(httpRequest({ method: 'GET', url: `https://127.0.0.1:${tlsPort}/` }));
      expect(err.code).to.equal('tls');
      const res = await httpRequest({ method: 'GET', url: `https://127.0.0.1:${tlsPort}/`, tls: { insecure: true } });
      expect(res.text).to.equal('secure');
    });

    it('layers TLS over a tunnel stream', async () => {
      const res = await httpRequest({
        method: 'GET',
        url: `https://127.0.0.1:${tlsPort}/`,
        tls: { caFile: path.join(dir, 'cert.pem') },
        connect: async () => net.connect(tlsPort, '127.0.0.1'),
      });
      expect(res.text).to.equal('secure');
    });
  });
});
