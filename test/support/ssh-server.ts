// ssh2's in-process SSH server, behaving like the private sshd where the tests need it: public-key auth
// against the test keys, optional password and keyboard-interactive auth, exec through /bin/sh (exit
// codes, signals), SFTP, direct-tcpip forwarding, a MaxSessions limit. Used for password tests (we do
// not touch system accounts) and as the fallback when sshd is not installed.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import ssh2 from 'ssh2';
import type { Connection, ParsedKey } from 'ssh2';
import { freePort, type TestSshServer, type TestSshServerOptions } from './ssh-common.js';
import { pubBlob, testKeys } from './ssh-keys.js';
import { serveSftp } from './ssh-sftp-server.js';

const { Server, utils } = ssh2;

function publicKey(line: string): ParsedKey {
  const k = utils.parseKey(line);
  if (k instanceof Error) throw k;
  return Array.isArray(k) ? (k[0] as ParsedKey) : k;
}

interface ServerAuth {
  readonly user: string;
  readonly authorized: ParsedKey[];
  readonly password?: string;
  readonly passwordMethods: ReadonlyArray<'password' | 'keyboard-interactive'>;
  readonly maxSessions: number;
}

function handleConnection(client: Connection, o: ServerAuth,
  children: Set<ChildProcess>): void {
  client.on('error', () => undefined);
  const pw = o.password !== undefined;
  const methods = ['publickey', ...(pw ? o.passwordMethods : [])] as Array<'publickey' | 'password' | 'keyboard-interactive'>;
  client.on('authentication', (ctx) => {
    const reject = (): void => ctx.reject(methods);
    if (ctx.username !== o.user) return reject();
    if (ctx.method === 'publickey') {
      const k = o.authorized.find((a) => a.type === ctx.key.algo && a.getPublicSSH().equals(ctx.key.data));
      if (!k) return reject();
      if (ctx.signature && ctx.blob && k.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return reject();
      return ctx.accept();
    }
    if (ctx.method === 'password' && methods.includes('password')) {
      return ctx.password === o.password ? ctx.accept() : reject();
    }
    if (ctx.method === 'keyboard-interactive' && methods.includes('keyboard-interactive')) {
      return ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) =>
        answers[0] === o.password ? ctx.accept() : reject());
    }
    reject();
  });
  let sessions = 0;
  client.on('ready', () => {
    client.on('session', (accept, reject) => {
      if (sessions >= o.maxSessions) return reject();
      sessions++;
      const session = accept();
      let child: ChildProcess | null = null;
      session.on('pty', (acc) => acc?.());
      session.on('env', (_acc, rej) => rej?.()); // like sshd without AcceptEnv
      session.on('signal', (acc, _rej, info) => {
        acc?.();
        child?.kill(`SIG${info.name}` as NodeJS.Signals);
      });
      session.on('exec', (acc, _rej, info) => {
        const stream = acc();
        // detached: its own session, as sshd does (setsid) — the transport kills timed-out commands by session.
        const c = spawn('/bin/sh', ['-c', info.command], { stdio: 'pipe', detached: true });
        child = c;
        children.add(c);
        stream.on('data', (b: Buffer) => c.stdin.write(b));
        stream.on('end', () => c.stdin.end());
        c.stdin.on('error', () => undefined);
        c.stdout.on('data', (b: Buffer) => stream.write(b));
        c.stderr.on('data', (b: Buffer) => stream.stderr.write(b));
        c.on('close', (code, signal) => {
          children.delete(c);
          try {
            if (code !== null) stream.exit(code);
            else if (signal) stream.exit(signal, false, '');
            stream.end();
          } catch { /* client already gone */ }
        });
        // Like sshd without a pty: closing the channel does not stop the command.
      });
      session.on('sftp', (acc) => serveSftp(acc()));
      session.on('close', () => { sessions--; });
    });
    client.on('tcpip', (accept, reject, info) => {
      const sock = tcpConnect(info.destPort, info.destIP);
      sock.once('error', () => reject());
      sock.once('connect', () => {
        const ch = accept();
        ch.on('error', () => sock.destroy());
        sock.pipe(ch).pipe(sock);
      });
    });
  });
}

export async function startSsh2Server(opts: TestSshServerOptions): Promise<TestSshServer> {
  const keys = await testKeys();
  const hostKey = opts.altHostKey ? keys.altHostKey : keys.hostKey;
  const addresses = opts.addresses ?? ['127.0.0.1'];
  const user = userInfo().username;
  const authorized = [keys.ed25519.pub, keys.rsaPem.pub, keys.encrypted.pub].map(publicKey);
  const sockets = new Set<Socket>();
  const children = new Set<ChildProcess>();
  const hostKeys = [readFileSync(hostKey.path), ...(opts.withRsaHostKey ? [readFileSync(keys.hostKeyRsa.path)] : [])];
  const ssh = new Server({ hostKeys }, (client) => handleConnection(client, {
    user, authorized, maxSessions: opts.maxSessions ?? 10, passwordMethods: opts.passwordMethods ?? ['password', 'keyboard-interactive'],
    ...(opts.password !== undefined ? { password: opts.password } : {}),
  }, children));
  const port = await freePort();
  const listeners: NetServer[] = [];
  for (const a of addresses) {
    const srv = createServer((sock) => {
      sock.setNoDelay(true);
      sockets.add(sock);
      sock.once('close', () => sockets.delete(sock));
      ssh.injectSocket(sock);
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, a, () => resolve());
    });
    listeners.push(srv);
  }
  const drop = (): void => {
    for (const c of children) {
      // Each command leads its own process group (detached): take the whole group down.
      try { if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    for (const s of sockets) s.destroy();
  };
  process.once('exit', drop);
  return {
    kind: 'ssh2', port, addresses, user, keys, hostKeyPub: hostKey.pub,
    knownHostsLine: (a = addresses[0] ?? '127.0.0.1') => `[${a}]:${port} ${hostKey.pub.split(/\s+/)[0]} ${pubBlob(hostKey.pub)}`,
    dropConnections: async () => drop(),
    suspendConnections: async () => {
      // ssh2 reads its socket in flowing mode: pausing it leaves every request unanswered.
      const paused = [...sockets];
      for (const s of paused) s.pause();
      return async () => {
        for (const s of paused) s.resume();
      };
    },
    stop: async () => {
      process.removeListener('exit', drop);
      drop();
      await Promise.all(listeners.map((l) => new Promise((r) => l.close(r))));
    },
  };
}
