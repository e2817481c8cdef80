// Jump hosts: the target's connection runs over a tunnel of the jump host's pooled connection
// (127.0.0.2 -> 127.0.0.3 here), chains of jumps, ProxyJump from ssh config, and failures of either leg.
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import {
  HostKeyUnknownError, SshSettingsError, UnreachableError, type SshEvent,
} from '../../../src/transports/ssh/index.js';
import type { SshConnection } from '../../../src/transports/ssh/connection.js';
import { freePort, startTestSshServer, type TestSshServer } from '../../support/sshd.js';
import { hostOn, makePool, serverKinds, startRunning, tempHome, trustServer, type TempHome } from './fixture.js';

const ADDRS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(() => { throw new Error('expected a failure'); }, (e: Error) => e);
}

for (const kind of serverKinds()) {
  describe(`transports/ssh jump hosts (${kind})`, () => {
    let server: TestSshServer;
    let home: TempHome;
    before(async () => {
      server = await startTestSshServer({ kind, addresses: ADDRS });
      home = await tempHome();
    });
    beforeEach(() => trustServer(home, server));
    after(async () => {
      await server.stop();
      home.remove();
    });

    it('reaches 127.0.0.3 through 127.0.0.2, sharing the jump host\'s pooled connection', async () => {
      const events: SshEvent[] = [];
      const pool = makePool(home, {
        bastion: hostOn(server, '127.0.0.2'),
        target: hostOn(server, '127.0.0.3', { jump: 'bastion' }),
        other: hostOn(server, '127.0.0.4', { jump: 'bastion' }),
      }, { onEvent: (e) => events.push(e) });
      try {
        const [t, o] = await Promise.all([pool.get('target'), pool.get('other')]);
        expect((await t.exec('echo through')).stdout).to.equal('through\n');
        expect((await o.exec('echo other')).stdout).to.equal('other\n');
        // No TCP socket of ours: the connection rides on the jump host's tunnel.
        expect((t as SshConnection).socket).to.equal(null);
        expect(t.hostKey.knownHostsName).to.equal(`[127.0.0.3]:${server.port}`);
        const starts = events.filter((e) => e.type === 'connect-start');
        expect(starts.map((e) => e.type === 'connect-start' && `${e.host}<${e.via ?? '-'}`).sort()).to.deep.equal(['bastion<-', 'other<bastion', 'target<bastion']);
        const b = await pool.get('bastion');
        expect((b as SshConnection).socket).to.not.equal(null);
      } finally {
        await pool.closeAll();
      }
    });

    it('follows a chain of jumps and closes it from the far end', async () => {
      const events: SshEvent[] = [];
      const pool = makePool(home, {
        a: hostOn(server, '127.0.0.2'),
        b: hostOn(server, '127.0.0.3', { jump: 'a' }),
        c: hostOn(server, '127.0.0.4', { jump: 'b' }),
      }, { onEvent: (e) => events.push(e) });
      const t = await pool.get('c');
      expect((await t.exec('echo chained')).stdout).to.equal('chained\n');
      await pool.closeAll();
      expect(events.filter((e) => e.type === 'disconnect').map((e) => e.host)).to.deep.equal(['c', 'b', 'a']);
    });

    it('uses ProxyJump (and HostName/User/Port/IdentityFile) from ssh config', async () => {
      await writeFile(home.sshConfig, [
        'Host cfg-target', '  HostName 127.0.0.4', '  ProxyJump cfg-bastion',
        'Host cfg-*', `  Port ${server.port}`, `  User ${server.user}`, `  IdentityFile ${server.keys.ed25519.path}`,
        'Host cfg-bastion', '  HostName 127.0.0.2', '',
      ].join('\n'));
      const events: SshEvent[] = [];
      const pool = makePool(home, { 'cfg-target': {} }, { onEvent: (e) => events.push(e) });
      try {
        const t = await pool.get('cfg-target');
        expect((await t.exec('echo cfg')).stdout).to.equal('cfg\n');
        expect(events.find((e) => e.type === 'connect-start' && e.host === 'cfg-target')).to.deep.include({ address: '127.0.0.4', via: 'cfg-bastion' });
      } finally {
        await pool.closeAll();
        await writeFile(home.sshConfig, '');
      }
    });

    it('fails as unreachable when the target cannot be reached from the jump host', async () => {
      const closed = await freePort('127.0.0.3');
      const pool = makePool(home, {
        bastion: hostOn(server, '127.0.0.2'),
        target: { ...hostOn(server, '127.0.0.3', { jump: 'bastion' }), port: closed },
      });
      try {
        const e = await failure(pool.get('target'));
        expect(e).to.be.instanceOf(UnreachableError);
        expect((e as UnreachableError).reason).to.equal('jump');
        expect(e.message).to.include(`127.0.0.3:${closed} through bastion`);
        // The jump host itself is fine and stays pooled.
        expect((await (await pool.get('bastion')).exec('echo ok')).stdout).to.equal('ok\n');
      } finally {
        await pool.closeAll();
      }
    });

    it('fails as unreachable when the jump host is down, and reports a jump host key problem as such', async () => {
      const pool = makePool(home, {
        bastion: { ...hostOn(server, '127.0.0.2'), port: await freePort() },
        target: hostOn(server, '127.0.0.3', { jump: 'bastion' }),
      });
      try {
        const e = await failure(pool.get('target'));
        expect(e).to.be.instanceOf(UnreachableError);
        expect(e.message).to.match(/jump host bastion failed/);
      } finally {
        await pool.closeAll();
      }
      await writeFile(home.knownHosts, `${server.knownHostsLine('127.0.0.3')}\n`);
      const strict = makePool(home, { bastion: hostOn(server, '127.0.0.2'), target: hostOn(server, '127.0.0.3', { jump: 'bastion' }) });
      try {
        const e = await failure(strict.get('target'));
        expect(e).to.be.instanceOf(HostKeyUnknownError);
        expect((e as HostKeyUnknownError).host).to.equal('bastion');
      } finally {
        await strict.closeAll();
      }
    });

    it('rejects jump cycles before connecting', async () => {
      const pool = makePool(home, { a: hostOn(server, '127.0.0.2', { jump: 'b' }), b: hostOn(server, '127.0.0.3', { jump: 'a' }) });
      try {
        const e = await failure(pool.get('a'));
        expect(e).to.be.instanceOf(SshSettingsError);
        expect(e.message).to.equal('jump host cycle: a -> b -> a');
      } finally {
        await pool.closeAll();
      }
    });

    it('loses the target with its jump host, and reconnects both on the next get', async () => {
      const pool = makePool(home, { bastion: hostOn(server, '127.0.0.2'), target: hostOn(server, '127.0.0.3', { jump: 'bastion' }) });
      try {
        const t = await pool.get('target');
        const { outcome: running } = await startRunning(t, 'sleep 30');
        await server.dropConnections();
        const e = await running;
        expect(e).to.be.instanceOf(UnreachableError);
        const t2 = await pool.get('target');
        expect(t2).to.not.equal(t);
        expect((await t2.exec('echo back')).stdout).to.equal('back\n');
      } finally {
        await pool.closeAll();
      }
    });
  });
}
