// One emulated host served over SSH (ssh2 Server on a socket we own): public-key auth for root with the
// lab's client key, exec channels run by the lab shell, direct-tcpip forwarding to the lab's listeners
// (management host only), and the sshDropAfter fault that cuts a connection after N commands.

import net from 'node:net';
import ssh2 from 'ssh2';
import type { LabCore } from '../core.js';
import { maskText } from '../log.js';
import type { LabKeys } from './keys.js';
import { resolveLocalPort } from './port-map.js';
import { Interpreter, newShell } from './shell/interpreter.js';
import { Input, type HostContext } from './shell/types.js';

export class SshHostServer {
  private readonly server: ssh2.Server;
  private readonly tcp: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly background = new Set<Promise<number>>();
  port = 0;

  constructor(
    private readonly core: LabCore,
    keys: LabKeys,
    private readonly host: HostContext,
    private readonly forwarding: boolean,
  ) {
    const clientKey = ssh2.utils.parseKey(keys.clientPublic);
    if (clientKey instanceof Error) throw clientKey;
    this.server = new ssh2.Server({ hostKeys: [keys.hostPrivate], ident: 'OpenSSH_9.2p1 Debian-2+deb12u3' }, (client) => {
      this.onClient(client, clientKey, keys.clientBlob);
    });
    this.tcp = net.createServer((socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      this.server.injectSocket(socket);
    });
  }

  listen(address: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(port, address, () => {
        this.tcp.off('error', reject);
        const a = this.tcp.address();
        this.port = typeof a === 'object' && a ? a.port : port;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
      this.tcp.close(() => resolve());
    });
  }

  private onClient(client: ssh2.Connection, clientKey: ssh2.ParsedKey, blob: Buffer): void {
    let execs = 0;
    // Kept to cut this connection for the sshDropAfter fault. ssh2 emits 'connection' only after the
    // handshake and does not expose the socket publicly: read its private field (library seam).
    const socket = (client as unknown as { _sock?: net.Socket })._sock;
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || ctx.username !== 'root' || ctx.key.algo !== 'ssh-ed25519' || !ctx.key.data.equals(blob)) {
        ctx.reject(['publickey']);
        return;
      }
      if (ctx.signature && clientKey.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) {
        ctx.reject(['publickey']);
        return;
      }
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        const env: Record<string, string> = {};
        session.on('env', (acc, _rej, info) => {
          env[info.key] = info.val;
          acc?.();
        });
        session.on('pty', (acc) => acc?.());
        session.on('shell', (acc) => {
          const ch = acc();
          ch.stderr.write('lab: interactive shells are not emulated; run commands with exec\n');
          ch.exit(1);
          ch.end();
        });
        session.on('exec', (acc, _rej, info) => {
          const ch = acc();
          execs++;
          const n = execs;
          void this.exec(info.command, env, stdinOf(ch), (s) => ch.write(s), (s) => ch.stderr.write(s)).then((code) => {
            ch.exit(code);
            ch.end();
            const dropAfter = this.core.faults.sshDropAfter;
            if (dropAfter !== undefined && n >= dropAfter) {
              this.core.emit({ kind: 'host', time: this.core.time.now(), host: this.host.name, command: `(connection dropped after ${n} command(s): fault sshDropAfter)`, exitCode: -1 });
              setTimeout(() => socket?.destroy(), 20).unref();
            }
          });
        });
      });
      client.on('tcpip', (accept, reject, info) => {
        const t = this.forwarding ? resolveLocalPort(this.core, info.destIP, info.destPort) : { kind: 'refused' as const };
        if (t.kind !== 'ok') {
          reject();
          return;
        }
        const upstream = net.connect(t.port, this.core.address);
        upstream.setNoDelay(true);
        upstream.once('error', () => reject());
        upstream.once('connect', () => {
          const ch = accept();
          upstream.removeAllListeners('error');
          upstream.on('error', () => ch.destroy());
          ch.on('error', () => upstream.destroy());
          ch.pipe(upstream).pipe(ch);
        });
      });
    });
  }

  private async exec(command: string, env: Record<string, string>, stdin: Promise<string>, out: (s: string) => void, err: (s: string) => void): Promise<number> {
    const it = new Interpreter(this.host, newShell(this.host, env), (p) => {
      this.background.add(p);
      void p.finally(() => this.background.delete(p));
    });
    const code = await it.runScript(command, { stdin, input: new Input(stdin, true), out, err });
    this.core.emit({ kind: 'host', time: this.core.time.now(), host: this.host.name, command: maskText(command, this.core.secrets()), exitCode: code });
    return code;
  }
}

/** How long the lab waits for more stdin (or its EOF) before running a command with what it has. */
const STDIN_QUIET_MS = 2_000;

/**
 * The command's standard input. The command starts at once, as under sshd; one that reads its input
 * (cat, tail, wc) takes it as a whole, collected until the client's EOF (stackplay sends it at once,
 * after any data; `ssh -n` and scripts too); a client that keeps stdin open and quiet (an interactive
 * `ssh`) gives it what came within STDIN_QUIET_MS.
 */
function stdinOf(ch: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timer = setTimeout(done, STDIN_QUIET_MS).unref();
    function onData(b: Buffer | string): void {
      chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b));
      clearTimeout(timer);
      timer = setTimeout(done, STDIN_QUIET_MS).unref();
    }
    function done(): void {
      clearTimeout(timer);
      ch.off('data', onData);
      ch.off('end', done);
      resolve(Buffer.concat(chunks).toString('utf8'));
    }
    ch.on('data', onData);
    ch.once('end', done);
  });
}
