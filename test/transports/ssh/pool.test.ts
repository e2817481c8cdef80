// The per-run pool: lazy shared connects, one connection per host, connection loss mid-command
// (UnreachableError, then a fresh connection), keepalive, refused and silent ports, many hosts on
// several loopback addresses, ssh config aliases, and closeAll.
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { UnreachableError, type SshEvent } from '../../../src/transports/ssh/index.js';
import { freePort, startTestSshServer, type TestSshServer } from '../../support/sshd.js';
import { hostOn, makePool, serverKinds, startRunning, tempHome, trustServer, type HostTable, type TempHome } from './fixture.js';

const ADDRS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(() => { throw new Error('expected a failure'); }, (e: Error) => e);
}

for (const kind of serverKinds()) {
  describe(`transports/ssh pool (${kind})`, () => {
    let server: TestSshServer;
    let home: TempHome;
    before(async () => {
      server = await startTestSshServer({ kind, addresses: ADDRS });
      home = await tempHome();
      await trustServer(home, server);
    });
    after(async () => {
      await server.stop();
      home.remove();
    });

    it('connects lazily, once, for concurrent gets, and reports the connect with its duration', async () => {
      const events: SshEvent[] = [];
      let clock = 1000;
      const pool = makePool(home, { h: hostOn(server) }, { onEvent: (e) => events.push(e), now: () => (clock += 5) });
      try {
        expect(events).to.deep.equal([]);
        const [a, b, c] = await Promise.all([pool.get('h'), pool.get('h'), pool.get('h')]);
        expect(a).to.equal(b);
        expect(b).to.equal(c);
        expect(await pool.get('h')).to.equal(a);
        expect(events).to.deep.equal([
          { type: 'connect-start', host: 'h', address: '127.0.0.1', port: server.port, via: null },
          { type: 'connect-end', host: 'h', ok: true, durationMs: 5 },
        ]);
      } finally {
        await pool.closeAll();
      }
    });

    it('fails in-flight commands with UnreachableError when the connection drops, then reconnects', async () => {
      const events: SshEvent[] = [];
      const pool = makePool(home, { h: hostOn(server) }, { onEvent: (e) => events.push(e) });
      try {
        const t = await pool.get('h');
        await t.readFile('/etc/hostname'); // opens the sftp session too
        const { outcome: running } = await startRunning(t, 'sleep 30');
        await server.dropConnections();
        const e = await running;
        expect(e).to.be.instanceOf(UnreachableError);
        expect((e as UnreachableError).reason).to.equal('dropped');
        expect(t.alive).to.equal(false);
        expect(await failure(t.exec('true'))).to.be.instanceOf(UnreachableError);
        expect(events.find((x) => x.type === 'disconnect')).to.deep.equal({ type: 'disconnect', host: 'h', reason: 'dropped' });
        const t2 = await pool.get('h');
        expect(t2).to.not.equal(t);
        expect((await t2.exec('echo again')).stdout).to.equal('again\n');
      } finally {
        await pool.closeAll();
      }
    });

    it('notices a silent connection through keepalive', async () => {
      const pool = makePool(home, { h: hostOn(server) }, { keepaliveIntervalMs: 50, keepaliveCountMax: 2 });
      let resume: (() => Promise<void>) | null = null;
      try {
        const t = await pool.get('h');
        const { outcome: running } = await startRunning(t, 'sleep 30');
        resume = await server.suspendConnections();
        const e = await running;
        expect(e).to.be.instanceOf(UnreachableError);
      } finally {
        await resume?.();
        await pool.closeAll();
        await server.dropConnections();
      }
    });

    it('reports a refused port and a silent port as unreachable', async () => {
      const silent = createServer(() => undefined); // accepts, never speaks SSH
      const held: Socket[] = [];
      silent.on('connection', (s) => held.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
      const a = silent.address();
      const silentPort = typeof a === 'object' && a ? a.port : 0;
      const pool = makePool(home, {
        refused: { ...hostOn(server), port: await freePort() },
        silent: { ...hostOn(server), port: silentPort, connectTimeoutMs: 150 },
      });
      try {
        const r = await failure(pool.get('refused'));
        expect(r).to.be.instanceOf(UnreachableError);
        expect((r as UnreachableError).reason).to.equal('refused');
        const s = await failure(pool.get('silent'));
        expect(s).to.be.instanceOf(UnreachableError);
        expect((s as UnreachableError).reason).to.equal('timeout');
        expect(s.message).to.include('no answer within 150 ms');
      } finally {
        await pool.closeAll();
        for (const h of held) h.destroy();
        await new Promise((r) => silent.close(r));
      }
    });

    it('runs many hosts on several loopback addresses at once', async () => {
      const table: HostTable = {};
      for (let i = 0; i < 24; i++) table[`node${i}`] = hostOn(server, ADDRS[i % ADDRS.length]);
      const events: SshEvent[] = [];
      const pool = makePool(home, table, { onEvent: (e) => events.push(e) });
      try {
        const names = Object.keys(table);
        const outs = await Promise.all(names.map(async (n) => {
          const t = await pool.get(n);
          const rs = await Promise.all([1, 2, 3].map((i) => t.exec(`echo ${n}-${i}`)));
          return rs.map((r) => r.stdout.trim()).join(',');
        }));
        expect(outs).to.deep.equal(names.map((n) => `${n}-1,${n}-2,${n}-3`));
        expect(events.filter((e) => e.type === 'connect-end' && e.ok)).to.have.length(24);
      } finally {
        await pool.closeAll();
      }
    });

    it('resolves HostName, User, Port and IdentityFile of an alias from ssh config', async () => {
      await writeFile(home.sshConfig, `Host alias-*\n  HostName 127.0.0.5\n  Port ${server.port}\n  User ${server.user}\n  IdentityFile ${server.keys.rsaPem.path}\n`);
      const pool = makePool(home, { 'alias-one': {} });
      try {
        const t = await pool.get('alias-one');
        expect(t.hostKey.knownHostsName).to.equal(`[127.0.0.5]:${server.port}`);
        expect((await t.exec('echo alias')).stdout).to.equal('alias\n');
      } finally {
        await pool.closeAll();
        await writeFile(home.sshConfig, '');
      }
    });

    it('closeAll ends in-flight work as unreachable and refuses later gets; it is idempotent', async () => {
      const pool = makePool(home, { h: hostOn(server), i: hostOn(server, '127.0.0.2') });
      const t = await pool.get('h');
      const pending = pool.get('i').catch(() => undefined); // either connected and closed, or refused as closed
      const token = `${30 + Math.floor(Math.random() * 1000) / 1000}`;
      const { outcome: running } = await startRunning(t, `sleep ${token}`);
      await pool.closeAll();
      const e = await running;
      expect(e).to.be.instanceOf(UnreachableError);
      expect((e as UnreachableError).reason).to.equal('closed');
      // The command was stopped on the host, not left running after we hung up.
      const check = makePool(home, { h: hostOn(server) });
      try {
        const c = await check.get('h');
        const count = async (): Promise<number> => Number((await c.exec(`ps -eo args | grep -c '[s]leep ${token}'`)).stdout.trim());
        let left = await count();
        for (let i = 0; i < 100 && left > 0; i++) {
          await new Promise((r) => setTimeout(r, 50));
          left = await count();
        }
        expect(left).to.equal(0);
      } finally {
        await check.closeAll();
      }
      await pending;
      expect(((await failure(pool.get('h'))) as UnreachableError).reason).to.equal('closed');
      await pool.closeAll();
    });

    it('rejects hosts that are not in the inventory', async () => {
      const pool = makePool(home, {});
      try {
        expect((await failure(pool.get('ghost'))).message).to.include('not in the inventory');
      } finally {
        await pool.closeAll();
      }
    });
  });
}
