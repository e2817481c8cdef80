// exec over a pooled connection, against the private sshd and ssh2's in-process server: output and
// exit codes, streaming, env quoting, stdin, timeout, abort, signals, bounded channels, Nagle off.
import { expect } from 'chai';
import { ExecAbortedError, TimeoutError, type SshPool } from '../../../src/transports/ssh/index.js';
import type { SshConnection } from '../../../src/transports/ssh/connection.js';
import { newExecMarker } from '../../../src/transports/ssh/remote-kill.js';
import { startTestSshServer, type TestSshServer } from '../../support/sshd.js';
import { hostOn, makePool, serverKinds, tempHome, trustServer, type TempHome } from './fixture.js';

function noDelayOf(socket: object): unknown {
  // Node keeps the socket's TCP_NODELAY state under this internal symbol; there is no public getter.
  const sym = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'kSetNoDelay');
  return sym === undefined ? undefined : (socket as Record<symbol, unknown>)[sym];
}

for (const kind of serverKinds()) {
  describe(`transports/ssh exec (${kind})`, () => {
    let server: TestSshServer;
    let home: TempHome;
    let pool: SshPool;
    before(async () => {
      server = await startTestSshServer({ kind, maxSessions: 10 });
      home = await tempHome();
      await trustServer(home, server);
    });
    beforeEach(() => {
      pool = makePool(home, { h: hostOn(server), small: hostOn(server) }, { maxChannelsPerHost: 3 });
    });
    afterEach(() => pool.closeAll());
    after(async () => {
      await server.stop();
      home.remove();
    });

    it('returns rc, stdout and stderr; a non-zero rc is data', async () => {
      const t = await pool.get('h');
      expect(await t.exec('printf out; printf err >&2; exit 7')).to.deep.equal({ rc: 7, signal: null, stdout: 'out', stderr: 'err' });
    });

    it('streams decoded chunks to callbacks as they arrive', async () => {
      const t = await pool.get('h');
      const seen: string[] = [];
      let sawFirstBeforeEnd = false;
      // The command waits for its own first line to come back through the callback (via a file), so the
      // test fails if output were only delivered at the end.
      const r = await t.exec('echo first; i=0; while [ ! -e "$F" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; echo second; echo é >&2', {
        env: { F: `${home.dir}/streamed-${kind}` },
        onStdout: (c) => {
          seen.push(c);
          if (c.includes('first') && !seen.join('').includes('second')) {
            sawFirstBeforeEnd = true;
            void import('node:fs/promises').then((fs) => fs.writeFile(`${home.dir}/streamed-${kind}`, ''));
          }
        },
        onStderr: (c) => seen.push(`E:${c}`),
      });
      expect(sawFirstBeforeEnd).to.equal(true);
      expect(r.stdout).to.equal('first\nsecond\n');
      expect(r.stderr).to.equal('é\n');
      expect(seen.join('')).to.include('E:é');
    });

    it('quotes env values safely and rejects bad names', async () => {
      const t = await pool.get('h');
      const tricky = `it's "quoted" $HOME \`x\` ; rm -rf / \\ end`;
      const r = await t.exec('printf %s "$A"', { env: { A: tricky } });
      expect(r.stdout).to.equal(tricky);
      try {
        await t.exec('true', { env: { 'BAD-NAME': 'x' } });
        expect.fail('should reject');
      } catch (err) {
        expect(err).to.be.instanceOf(TypeError);
      }
    });

    it('feeds stdin and closes it; without stdin, readers see EOF at once', async () => {
      const t = await pool.get('h');
      expect((await t.exec('cat', { stdin: 'line1\nline2\n' })).stdout).to.equal('line1\nline2\n');
      expect((await t.exec('cat; echo done')).stdout).to.equal('done\n');
    });

    it('times out with TimeoutError and frees the channel', async () => {
      const t = await pool.get('small');
      const err = await t.exec('sleep 30', { timeoutMs: 150 }).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(TimeoutError);
      expect((err as TimeoutError).host).to.equal('small');
      // All three slots must still be usable afterwards.
      const rs = await Promise.all([1, 2, 3, 4].map((i) => t.exec(`echo ${i}`)));
      expect(rs.map((r) => r.stdout)).to.deep.equal(['1\n', '2\n', '3\n', '4\n']);
    });

    it('aborts on signal with an AbortError, also while queued for a channel', async () => {
      const t = await pool.get('small');
      const ac = new AbortController();
      const running = [1, 2, 3].map(() => t.exec('sleep 30', { signal: ac.signal }).then(() => null, (e: unknown) => e));
      const queued = t.exec('echo never', { signal: ac.signal }).then(() => null, (e: unknown) => e);
      setTimeout(() => ac.abort(new Error('user pressed Ctrl-C')), 100);
      const errs = await Promise.all([...running, queued]);
      for (const e of errs) {
        expect(e).to.be.instanceOf(ExecAbortedError);
        expect((e as Error).name).to.equal('AbortError');
      }
      expect((await t.exec('echo after')).stdout).to.equal('after\n');
      const pre = await t.exec('true', { signal: AbortSignal.abort() }).then(() => null, (e: unknown) => e);
      expect(pre).to.be.instanceOf(ExecAbortedError);
    });

    it('stops the whole remote command (a shell loop too) after a timeout', async () => {
      const t = await pool.get('h');
      const token = `loop-${kind}-${Date.now()}`;
      const e = await t.exec(`while :; do : ${token}; sleep 0.02; done`, { timeoutMs: 100 }).then(() => null, (x: unknown) => x);
      expect(e).to.be.instanceOf(TimeoutError);
      const count = async (): Promise<number> => Number((await t.exec(`ps -eo args | grep -c '[w]hile :; do : ${token}'`)).stdout.trim());
      let left = await count();
      for (let i = 0; i < 100 && left > 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        left = await count();
      }
      expect(left).to.equal(0);
    });

    it('reports a command killed by a signal as rc null + signal name', async () => {
      const t = await pool.get('h');
      expect(await t.exec('kill -KILL $$')).to.include({ rc: null, signal: 'KILL' });
    });

    it('runs more concurrent execs than the channel limit, never above it', async () => {
      const t = (await pool.get('small')) as SshConnection;
      let peak = 0;
      const probe = setInterval(() => { peak = Math.max(peak, t.limiter.inUse); }, 1);
      const rs = await Promise.all(Array.from({ length: 25 }, (_, i) => t.exec(`sleep 0.0$((${i} % 5)); echo ${i}`)));
      clearInterval(probe);
      expect(rs.map((r) => r.stdout.trim())).to.deep.equal(Array.from({ length: 25 }, (_, i) => String(i)));
      expect(peak).to.be.at.most(3);
      expect(t.limiter.inUse).to.equal(0);
    });

    it('keeps execs within sshd MaxSessions with the default limit under churn', async () => {
      const p = makePool(home, { h: hostOn(server) });
      try {
        const t = await p.get('h');
        const rs = await Promise.all(Array.from({ length: 120 }, () => t.exec('true')));
        expect(rs.every((r) => r.rc === 0)).to.equal(true);
      } finally {
        await p.closeAll();
      }
    });

    it('turns Nagle off on the TCP socket it connects', async () => {
      const t = (await pool.get('h')) as SshConnection;
      expect(t.socket).to.not.equal(null);
      expect(noDelayOf(t.socket as object)).to.equal(true);
    });

    it('allocates a pty on request', async () => {
      const t = await pool.get('h');
      const r = await t.exec('test -t 0 && echo tty || echo notty', { pty: true });
      expect(r.stdout.trim()).to.equal(kind === 'openssh' ? 'tty' : 'notty'); // ssh2's test server only acknowledges the pty
      expect((await t.exec('test -t 0 && echo tty || echo notty')).stdout.trim()).to.equal('notty');
    });
  });
}

describe('transports/ssh exec markers', () => {
  it('are unique, of one length, and never a prefix of one another (the killer matches by substring)', () => {
    const markers = Array.from({ length: 300 }, () => newExecMarker());
    expect(new Set(markers).size).to.equal(markers.length);
    expect(new Set(markers.map((m) => m.length)).size).to.equal(1);
    for (const a of markers) expect(markers.filter((b) => b !== a && b.startsWith(a))).to.deep.equal([]);
  });
});
