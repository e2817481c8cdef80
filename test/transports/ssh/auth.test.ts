// Authentication: key files (OpenSSH, PEM, passphrase), ssh-agent, default keys, IdentityFile from ssh
// config, password and keyboard-interactive (ssh2's server: we do not touch system accounts), and
// failures that are typed and never contain a secret.
import { requireTool } from '../../support/require-tool.js';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthError, type SshEvent } from '../../../src/transports/ssh/index.js';
import { sshAgentAvailable, startAgent, type TestAgent } from '../../support/ssh-agent.js';
import { startTestSshServer, type TestSshServer } from '../../support/sshd.js';
import { hostOn, makePool, tempHome, trustServer, type HostTable, type TempHome } from './fixture.js';

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(() => { throw new Error('expected a failure'); }, (e: Error) => e);
}

describe('transports/ssh auth', () => {
  let server: TestSshServer;
  let home: TempHome;
  before(async () => {
    server = await startTestSshServer();
    home = await tempHome();
    await trustServer(home, server);
  });
  after(async () => {
    await server.stop();
    home.remove();
  });

  it('logs in with an OpenSSH-format key and an RSA PEM key', async () => {
    const pool = makePool(home, {
      ed: hostOn(server), pem: hostOn(server, '127.0.0.1', { keyFile: server.keys.rsaPem.path }),
    });
    try {
      expect((await (await pool.get('ed')).exec('echo ok')).stdout).to.equal('ok\n');
      expect((await (await pool.get('pem')).exec('echo ok')).stdout).to.equal('ok\n');
    } finally {
      await pool.closeAll();
    }
  });

  it('decrypts a key with its passphrase and registers the passphrase as a secret', async () => {
    const secrets: string[] = [];
    const pool = makePool(home, {
      enc: hostOn(server, '127.0.0.1', { keyFile: server.keys.encrypted.path, passphrase: server.keys.passphrase }),
    }, { secrets: { add: (v) => secrets.push(v) } });
    try {
      expect((await (await pool.get('enc')).exec('echo ok')).stdout).to.equal('ok\n');
      expect(secrets).to.include(server.keys.passphrase);
    } finally {
      await pool.closeAll();
    }
  });

  it('says why an encrypted key cannot be used, without the passphrase', async () => {
    const wrong = 'not-the-passphrase-42';
    const pool = makePool(home, {
      none: hostOn(server, '127.0.0.1', { keyFile: server.keys.encrypted.path }),
      bad: hostOn(server, '127.0.0.1', { keyFile: server.keys.encrypted.path, passphrase: wrong }),
    });
    try {
      const e1 = await failure(pool.get('none'));
      expect(e1).to.be.instanceOf(AuthError);
      expect(e1.message).to.include(server.keys.encrypted.path).and.include('no passphrase is configured');
      const e2 = await failure(pool.get('bad'));
      expect(e2).to.be.instanceOf(AuthError);
      expect(e2.message).to.include('wrong passphrase').and.not.include(wrong);
    } finally {
      await pool.closeAll();
    }
  });

  it('refuses a key file that is a named pipe instead of waiting for a writer forever', async () => {
    const fifo = join(home.dir, 'key-fifo');
    execFileSync('mkfifo', [fifo]);
    const pool = makePool(home, { f: hostOn(server, '127.0.0.1', { keyFile: fifo }) });
    try {
      const e = await failure(pool.get('f'));
      expect(e.name).to.equal('SshSettingsError');
      expect(e.message).to.include(`key file ${fifo} is not a regular file`);
    } finally {
      await pool.closeAll();
    }
  });

  it('fails with AuthError listing what it tried when no method is accepted', async () => {
    const pool = makePool(home, { h: hostOn(server, '127.0.0.1', { keyFile: server.keys.stranger.path }) });
    try {
      const e = await failure(pool.get('h'));
      expect(e).to.be.instanceOf(AuthError);
      expect((e as AuthError).tried).to.deep.equal([`publickey ${server.keys.stranger.path}`]);
      expect(e.message).to.match(/authentication failed for \S+@h/);
    } finally {
      await pool.closeAll();
    }
  });

  it('uses the ssh-agent, and only when one is configured', async function () {
    requireTool(this, sshAgentAvailable(), 'ssh-agent');
    const agent: TestAgent = await startAgent(home.dir, [server.keys.ed25519.path]);
    const noKey = { address: '127.0.0.1', port: server.port, user: server.user };
    const withAgent = makePool(home, { h: noKey }, { agentSocket: agent.socket });
    const without = makePool(home, { h: noKey });
    try {
      expect((await (await withAgent.get('h')).exec('echo agent')).stdout).to.equal('agent\n');
      const e = await failure(without.get('h'));
      expect(e).to.be.instanceOf(AuthError);
      expect((e as AuthError).tried).to.deep.equal([]);
    } finally {
      await withAgent.closeAll();
      await without.closeAll();
      await agent.stop();
    }
  });

  it('tries ~/.ssh/id_* only for hosts without a configured key', async () => {
    const keyHome = await tempHome();
    try {
      await writeFile(keyHome.knownHosts, server.knownHostsLine() + '\n');
      await copyFile(server.keys.ed25519.path, join(keyHome.sshDir, 'id_ed25519'));
      const table = {
        dflt: { address: '127.0.0.1', port: server.port, user: server.user },
        explicit: hostOn(server, '127.0.0.1', { keyFile: server.keys.stranger.path }),
      };
      // No defaultKeyFiles override: the defaults come from homeDir.
      const pool = makePool(keyHome, table, { defaultKeyFiles: undefined as never });
      try {
        expect((await (await pool.get('dflt')).exec('echo default')).stdout).to.equal('default\n');
        const e = await failure(pool.get('explicit'));
        expect((e as AuthError).tried).to.deep.equal([`publickey ${server.keys.stranger.path}`]);
      } finally {
        await pool.closeAll();
      }
    } finally {
      keyHome.remove();
    }
  });

  it('takes the key from ssh config IdentityFile when the inventory gives none', async () => {
    await writeFile(home.sshConfig, `Host cfg-key\n  HostName 127.0.0.1\n  Port ${server.port}\n  User ${server.user}\n  IdentityFile ${server.keys.rsaPem.path}\n`);
    const pool = makePool(home, { 'cfg-key': {} });
    try {
      const t = await pool.get('cfg-key');
      expect((await t.exec('echo cfg')).stdout).to.equal('cfg\n');
    } finally {
      await pool.closeAll();
      await writeFile(home.sshConfig, '');
    }
  });

  describe('password (ssh2 server)', () => {
    const password = "p4ss 'word\" with $pecials";
    let pwServer: TestSshServer;
    let kbdServer: TestSshServer;
    before(async () => {
      pwServer = await startTestSshServer({ password, passwordMethods: ['password'] });
      kbdServer = await startTestSshServer({ password, passwordMethods: ['keyboard-interactive'] });
      await trustServer(home, pwServer);
      await writeFile(home.knownHosts, `${pwServer.knownHostsLine()}\n${kbdServer.knownHostsLine()}\n${server.knownHostsLine()}\n`);
    });
    after(async () => {
      await pwServer.stop();
      await kbdServer.stop();
      await trustServer(home, server);
    });

    const pwHost = (s: TestSshServer, pw: string): HostTable[string] => ({ address: '127.0.0.1', port: s.port, user: s.user, password: pw });

    it('logs in with a password, registering it as a secret', async () => {
      const secrets: string[] = [];
      const events: SshEvent[] = [];
      const pool = makePool(home, { h: pwHost(pwServer, password) }, { secrets: { add: (v) => secrets.push(v) }, onEvent: (e) => events.push(e) });
      try {
        expect((await (await pool.get('h')).exec('echo pw')).stdout).to.equal('pw\n');
        expect(secrets).to.deep.equal([password]);
        expect(events.map((e) => e.type)).to.deep.equal(['connect-start', 'connect-end']);
      } finally {
        await pool.closeAll();
      }
    });

    it('answers keyboard-interactive password prompts', async () => {
      const pool = makePool(home, { h: pwHost(kbdServer, password) });
      try {
        expect((await (await pool.get('h')).exec('echo kbd')).stdout).to.equal('kbd\n');
      } finally {
        await pool.closeAll();
      }
    });

    it('never puts a wrong password in the error, its cause or the events', async () => {
      const wrong = 'Sup3r-secret-wrong';
      const events: SshEvent[] = [];
      const pool = makePool(home, { h: pwHost(pwServer, wrong) }, { onEvent: (e) => events.push(e) });
      try {
        const e = await failure(pool.get('h'));
        expect(e).to.be.instanceOf(AuthError);
        expect((e as AuthError).tried).to.deep.equal(['password']);
        const everything = [e.message, String(e.stack), String((e as { cause?: unknown }).cause), JSON.stringify(events)].join('\n');
        expect(everything).to.not.include(wrong);
        expect(events.at(-1)).to.include({ type: 'connect-end', ok: false });
      } finally {
        await pool.closeAll();
      }
    });
  });
});
