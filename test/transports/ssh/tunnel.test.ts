// forwardOut as seen from the remote host, used the way the CloudStack client will use it: as the
// socket of Node's http client (plain createConnection and a keep-alive Agent), with timeouts.
import { expect } from 'chai';
import { Agent, createServer, request, type ClientRequestArgs, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ForwardError, UnreachableError, type SshPool } from '../../../src/transports/ssh/index.js';
import { freePort, startTestSshServer, type TestSshServer } from '../../support/sshd.js';
import { hostOn, makePool, serverKinds, tempHome, trustServer, type TempHome } from './fixture.js';

function get(opts: ClientRequestArgs): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ res, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

for (const kind of serverKinds()) {
  describe(`transports/ssh tunnels (${kind})`, () => {
    let server: TestSshServer;
    let home: TempHome;
    let pool: SshPool;
    let http: Server;
    let httpPort: number;
    const connections: string[] = [];
    before(async () => {
      server = await startTestSshServer({ kind });
      home = await tempHome();
      await trustServer(home, server);
      http = createServer((req, res) => {
        if (req.url === '/slow') return; // never answers
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ url: req.url, from: req.socket.remoteAddress }));
      });
      http.on('connection', (s) => connections.push(`${s.remotePort}`));
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
      const a = http.address();
      httpPort = typeof a === 'object' && a ? a.port : 0;
    });
    beforeEach(() => {
      connections.length = 0;
      pool = makePool(home, { ms: hostOn(server) });
    });
    afterEach(() => pool.closeAll());
    after(async () => {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      await server.stop();
      home.remove();
    });

    it('carries an HTTP request made with createConnection', async () => {
      const t = await pool.get('ms');
      const stream = await t.forwardOut('127.0.0.1', httpPort);
      const { res, body } = await get({
        host: '127.0.0.1', port: httpPort, path: '/client/api?command=listZones',
        createConnection: () => stream as unknown as ReturnType<NonNullable<ClientRequestArgs['createConnection']>>,
      });
      expect(res.statusCode).to.equal(200);
      expect(JSON.parse(body)).to.deep.include({ url: '/client/api?command=listZones' });
    });

    it('works as the socket of a keep-alive http.Agent (one tunnel, several requests)', async () => {
      const t = await pool.get('ms');
      let opened = 0;
      class TunnelAgent extends Agent {
        override createConnection(_o: unknown, cb: (err: Error | null, s?: Duplex) => void): undefined {
          opened++;
          t.forwardOut('127.0.0.1', httpPort).then((s) => cb(null, s), (e: Error) => cb(e));
          return undefined;
        }
      }
      const agent = new TunnelAgent({ keepAlive: true, maxSockets: 1 });
      try {
        for (const path of ['/a', '/b', '/c']) {
          const { body } = await get({ host: '127.0.0.1', port: httpPort, path, agent });
          expect(JSON.parse(body)).to.deep.include({ url: path });
        }
        expect(opened).to.equal(1);
        expect(connections).to.have.length(1);
      } finally {
        agent.destroy();
      }
    });

    it('honours the http client timeout on the tunnel stream', async () => {
      const t = await pool.get('ms');
      const stream = await t.forwardOut('127.0.0.1', httpPort);
      const err = await new Promise<Error>((resolve) => {
        const req = request({
          host: '127.0.0.1', port: httpPort, path: '/slow',
          createConnection: () => stream as unknown as ReturnType<NonNullable<ClientRequestArgs['createConnection']>>,
        }, () => resolve(new Error('unexpected response')));
        // The `timeout` request option is applied by net.createConnection; with our own connection the
        // client calls socket.setTimeout through req.setTimeout.
        req.setTimeout(100, () => req.destroy(new Error('request timed out')));
        req.on('error', resolve);
        req.end();
      });
      expect(err.message).to.equal('request timed out');
    });

    it('fails with ForwardError when nothing listens on the far side', async () => {
      const t = await pool.get('ms');
      const closed = await freePort();
      const e = await t.forwardOut('127.0.0.1', closed).then(() => null, (x: unknown) => x);
      expect(e).to.be.instanceOf(ForwardError);
      expect((e as ForwardError).target).to.equal(`127.0.0.1:${closed}`);
    });

    it('destroys open tunnels with UnreachableError when the connection drops', async () => {
      const t = await pool.get('ms');
      const stream = await t.forwardOut('127.0.0.1', httpPort);
      const closedWith = new Promise<unknown>((resolve) => stream.once('error', resolve));
      await server.dropConnections();
      expect(await closedWith).to.be.instanceOf(UnreachableError);
    });
  });
}
