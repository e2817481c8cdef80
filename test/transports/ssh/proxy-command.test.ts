// ProxyCommand end to end: the SSH connection runs over a real proxy process's stdin/stdout (a small node
// TCP relay, and OpenSSH's own `ssh -W` through a jump sshd) to a real server on loopback. Every test
// also checks the proxy is gone once the connection closed or failed: no stray processes.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AuthError, collectHostKeys, UnreachableError, type SshEvent,
} from '../../../src/transports/ssh/index.js';
import type { SshConnection } from '../../../src/transports/ssh/connection.js';
import { requireTool } from '../../support/require-tool.js';
import { freePort, startTestSshServer, type TestSshServer } from '../../support/sshd.js';
import { makePool, serverKinds, tempHome, trustServer, type TempHome } from './fixture.js';

const ADDRS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

// Relays stdin/stdout to HOST:PORT and records its pid and arguments, so tests can see the tokens it
// got and that it is gone afterwards.
const RELAY = `
const net = require('node:net');
const fs = require('node:fs');
const [host, port, record] = process.argv.slice(2);
fs.writeFileSync(record, JSON.stringify({ pid: process.pid, args: process.argv.slice(2) }));
const s = net.connect(Number(port), host);
s.on('error', (e) => { process.stderr.write('relay: ' + e.message + '\\n'); process.exit(2); });
process.stdin.pipe(s);
s.pipe(process.stdout);
s.on('close', () => process.exit(0));
`;

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(() => { throw new Error('expected a failure'); }, (e: Error) => e);
}

async function recorded(file: string): Promise<{ pid: number; args: string[] }> {
  return JSON.parse(await readFile(file, 'utf8')) as { pid: number; args: string[] };
}

for (const kind of serverKinds()) {
  describe(`transports/ssh ProxyCommand (${kind})`, () => {
    let server: TestSshServer;
    let home: TempHome;
    let relay: string;
    let record: string;
    const q = (s: string): string => `'${s}'`;

    /** ssh config: one host `name` on 127.0.0.3 of the test server, reached through `proxy`. */
    const configure = (name: string, proxy: string, extra: readonly string[] = []): Promise<void> => writeFile(home.sshConfig, [
      `Host ${name}`, '  HostName 127.0.0.3', `  Port ${server.port}`, `  User ${server.user}`,
      `  IdentityFile ${server.keys.ed25519.path}`, `  ProxyCommand ${proxy}`, ...extra.map((l) => `  ${l}`), '',
    ].join('\n'));
    const relayTo = (port = '%p'): string => `${q(process.execPath)} ${q(relay)} %h ${port} ${q(record)}`;

    before(async () => {
      server = await startTestSshServer({ kind, addresses: ADDRS });
      home = await tempHome();
      relay = join(home.dir, 'relay.cjs');
      record = join(home.dir, 'relay.json');
      await writeFile(relay, RELAY);
    });
    beforeEach(() => trustServer(home, server));
    after(async () => {
      await server.stop();
      home.remove();
    });

    it('connects through the ProxyCommand with %h and %p filled in, and the proxy exits with the pool', async () => {
      await configure('proxied', relayTo());
      const events: SshEvent[] = [];
      const pool = makePool(home, { proxied: {} }, { onEvent: (e) => events.push(e) });
      let pid = 0;
      try {
        const t = await pool.get('proxied');
        expect((await t.exec('echo through the proxy')).stdout).to.equal('through the proxy\n');
        expect((t as SshConnection).socket).to.equal(null); // no TCP socket of ours: the pipes carry it
        expect(t.hostKey.knownHostsName).to.equal(`[127.0.0.3]:${server.port}`);
        const rec = await recorded(record);
        pid = rec.pid;
        expect(rec.args).to.deep.equal(['127.0.0.3', String(server.port), record]);
        expect(running(pid)).to.equal(true);
        expect(events.find((e) => e.type === 'connect-start')).to.deep.include({
          host: 'proxied', via: null, proxyCommand: `${q(process.execPath)} ${q(relay)} 127.0.0.3 ${server.port} ${q(record)}`,
        });
      } finally {
        await pool.closeAll();
      }
      expect(running(pid)).to.equal(false);
    });

    it('reports a proxy that exits early as unreachable, naming the host, with its stderr and status', async () => {
      await configure('early', 'sh -c "echo no route to %h >&2; exit 7"', ['ConnectTimeout 600']);
      const pool = makePool(home, { early: {} });
      try {
        const e = await failure(pool.get('early'));
        expect(e).to.be.instanceOf(UnreachableError);
        expect((e as UnreachableError).reason).to.equal('proxy');
        expect((e as UnreachableError).host).to.equal('early');
        expect(e.message).to.match(/^cannot reach early: its ProxyCommand .* exited with status 7 before the SSH handshake completed; it said: no route to 127\.0\.0\.3$/);
      } finally {
        await pool.closeAll();
      }
    });

    it('reports a ProxyCommand that cannot run with the shell\'s own words', async () => {
      await configure('missing', '/nonexistent/stackplay-proxy %h %p');
      const pool = makePool(home, { missing: {} });
      try {
        const e = await failure(pool.get('missing'));
        expect((e as UnreachableError).reason).to.equal('proxy');
        expect(e.message).to.match(/cannot reach missing: .* exited with status 127 .*nonexistent\/stackplay-proxy.*(not found|No such file)/);
      } finally {
        await pool.closeAll();
      }
    });

    it('stops a proxy that never answers when the connect times out, and shows what it said', async () => {
      const pidFile = join(home.dir, 'silent.pid');
      // The timeout must come after the proxy has spoken: 3 s leaves a loaded machine ample time to start sh.
      await configure('silent', `sh -c 'echo $$ > ${pidFile}; echo waiting for nothing >&2; exec sleep 600'`, ['ConnectTimeout 3']);
      const pool = makePool(home, { silent: {} });
      try {
        const e = await failure(pool.get('silent'));
        expect((e as UnreachableError).reason).to.equal('timeout');
        expect(e.message).to.match(/no answer within 3000 ms; ProxyCommand said: waiting for nothing$/);
        expect(running(Number(await readFile(pidFile, 'utf8')))).to.equal(false);
      } finally {
        await pool.closeAll();
      }
    });

    it('stops the proxy when authentication fails', async () => {
      await configure('badkey', relayTo(), [`IdentityFile ${server.keys.stranger.path}`, 'IdentitiesOnly yes']);
      await writeFile(home.sshConfig, (await readFile(home.sshConfig, 'utf8')).replace(`  IdentityFile ${server.keys.ed25519.path}\n`, ''));
      const pool = makePool(home, { badkey: {} });
      try {
        expect(await failure(pool.get('badkey'))).to.be.instanceOf(AuthError);
        expect(running((await recorded(record)).pid)).to.equal(false);
      } finally {
        await pool.closeAll();
      }
    });

    it('loses the connection when the server drops it, and leaves no proxy behind after closeAll', async () => {
      await configure('dropped', relayTo());
      const events: SshEvent[] = [];
      let disconnected: () => void = () => undefined;
      const gone = new Promise<void>((r) => { disconnected = r; });
      const pool = makePool(home, { dropped: {} }, {
        onEvent: (e) => { events.push(e); if (e.type === 'disconnect') disconnected(); },
      });
      try {
        const t = await pool.get('dropped');
        const pid = (await recorded(record)).pid;
        await server.dropConnections();
        await gone;
        expect(t.alive).to.equal(false);
        await pool.closeAll();
        expect(running(pid)).to.equal(false);
      } finally {
        await pool.closeAll();
      }
    });

    it('scans host keys through the ProxyCommand for `stackplay trust`', async () => {
      await configure('scanned', relayTo());
      await writeFile(home.knownHosts, '');
      const [r] = await collectHostKeys([{ name: 'scanned' }], {
        homeDir: home.dir, sshConfigPath: home.sshConfig, userKnownHosts: home.knownHosts, systemKnownHosts: null, agentSocket: null,
      });
      expect(r).to.deep.include({ status: 'new', host: 'scanned', knownHostsName: `[127.0.0.3]:${server.port}` });
      expect(running((await recorded(record)).pid)).to.equal(false);
    });

    if (kind === 'openssh') {
      const sshW = (port: string): string => ['ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no',
        '-o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes',
        `-i ${server.keys.ed25519.path} -p ${server.port} -l ${server.user} -W %h:${port} 127.0.0.2`].join(' ');

      it('connects through `ssh -W %h:%p` to a jump sshd, and surfaces its error when the target is closed', async function () {
        requireTool(this, existsSync('/usr/bin/ssh'), 'ssh (openssh-client)');
        await configure('viassh', sshW('%p'));
        const pool = makePool(home, { viassh: {} });
        try {
          expect((await (await pool.get('viassh')).exec('echo via ssh -W')).stdout).to.equal('via ssh -W\n');
        } finally {
          await pool.closeAll();
        }
        await configure('closedport', sshW(String(await freePort('127.0.0.3'))));
        const failing = makePool(home, { closedport: {} });
        try {
          const e = await failure(failing.get('closedport'));
          expect((e as UnreachableError).reason).to.equal('proxy');
          expect(e.message).to.match(/cannot reach closedport: .* exited with status 255 .*; it said: .*Connection refused/s);
        } finally {
          await failing.closeAll();
        }
      });
    }
  });
}
