// One live SSH connection to one host: the RemoteTransport handed to steps. It tracks pending work so
// that when the connection drops, every exec, sftp request and tunnel fails with UnreachableError at
// once; a dropped connection stays dead (the pool opens a new one on the next get).
import type { Socket } from 'node:net';
import type { Client } from 'ssh2';
import type { ExecOptions, ExecResult, RemoteStat, RemoteTransport } from '../types.js';
import type { ChannelHost } from './channel-host.js';
import { ChannelLimiter } from './channel-limiter.js';
import { UnreachableError, type PresentedHostKey, type SshError } from './errors.js';
import { runExec } from './exec.js';
import type { ResolvedHost } from './settings.js';
import { SftpSession } from './sftp.js';
import { openTunnel, type TunnelStream } from './tunnel.js';

export interface SshTransport extends RemoteTransport {
  forwardOut(host: string, port: number): Promise<TunnelStream>;
  /** The key the host presented when this connection was opened. */
  readonly hostKey: PresentedHostKey;
  /** False once the connection dropped or was closed. */
  readonly alive: boolean;
}

export class SshConnection implements SshTransport, ChannelHost {
  readonly hostName: string;
  readonly limiter: ChannelLimiter;
  private dead: SshError | null = null;
  private readonly drops = new Set<(err: SshError) => void>();
  private readonly sftp: SftpSession;
  private closing = false;
  private socketClosed = false;
  private readonly cleanups = new Set<Promise<void>>();
  private readonly closed: Promise<void>;

  /**
   * `carrier` is what the connection runs over besides a socket or tunnel (a ProxyCommand process): it
   * is stopped when the connection ends, and close() waits for that.
   */
  constructor(readonly host: ResolvedHost, readonly client: Client, readonly socket: Socket | null,
    readonly hostKey: PresentedHostKey, maxChannels: number, onGone: (conn: SshConnection, reason: 'closed' | 'dropped') => void,
    private readonly carrier: { stop(): Promise<unknown> } | null = null) {
    this.hostName = host.name;
    this.limiter = new ChannelLimiter(maxChannels);
    this.sftp = new SftpSession(this);
    // Errors after `ready` (keepalive timeout, reset) are always followed by 'close', handled there.
    client.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      client.once('close', () => {
        this.socketClosed = true;
        void this.carrier?.stop();
        const reason = this.closing ? 'closed' : 'dropped';
        this.markDead(this.closing
          ? new UnreachableError(this.hostName, 'closed', `connection to ${this.hostName} was closed by the runner`)
          : new UnreachableError(this.hostName, 'dropped', `connection to ${this.hostName} (${host.address}:${host.port}) was lost`));
        onGone(this, reason);
        resolve();
      });
    });
  }

  get connected(): boolean {
    return !this.socketClosed;
  }

  noteCleanup(p: Promise<void>): void {
    this.cleanups.add(p);
    void p.finally(() => this.cleanups.delete(p));
  }

  get alive(): boolean {
    return this.dead === null;
  }

  deadError(): SshError | null {
    return this.dead;
  }

  track(onDrop: (err: SshError) => void): () => void {
    this.drops.add(onDrop);
    return () => this.drops.delete(onDrop);
  }

  private markDead(err: SshError): void {
    if (this.dead) return;
    this.dead = err;
    const fns = [...this.drops];
    this.drops.clear();
    for (const fn of fns) fn(err);
  }

  exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    return runExec(this, command, opts);
  }

  forwardOut(host: string, port: number): Promise<TunnelStream> {
    return openTunnel(this, host, port);
  }

  readFile(path: string): Promise<Buffer | null> {
    return this.sftp.readFile(path);
  }

  writeFile(path: string, data: Buffer, opts?: { readonly mode?: number }): Promise<void> {
    return this.sftp.writeFile(path, data, opts);
  }

  stat(path: string): Promise<RemoteStat | null> {
    return this.sftp.stat(path);
  }

  /** Polite close (SSH disconnect); forced after `graceMs`. Pending work fails with UnreachableError 'closed'. */
  async close(graceMs = 2000): Promise<void> {
    if (this.dead) return this.closed;
    this.closing = true;
    this.markDead(new UnreachableError(this.hostName, 'closed', `connection to ${this.hostName} was closed by the runner`));
    const force = setTimeout(() => this.client.destroy(), graceMs);
    // Commands still running were just told to stop; let their killers start before we hang up.
    await Promise.race([Promise.allSettled([...this.cleanups]), this.closed]);
    this.client.end();
    await this.closed;
    clearTimeout(force);
    await this.carrier?.stop();
  }

  /** Hard close, e.g. when the run is being torn down. */
  destroy(): void {
    this.closing = true;
    this.client.destroy();
  }
}
