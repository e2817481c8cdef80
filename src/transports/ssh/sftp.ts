// File access over SFTP on the host's pooled connection. The sftp subsystem is opened lazily once per
// connection and holds one channel slot while open. Writes are atomic: a temporary file next to the
// target, then posix-rename@openssh.com (plain rename + unlink fallback on servers without it).
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import type { RemoteStat } from '../types.js';
import { openSessionChannel, type ChannelHost } from './channel-host.js';
import { SftpError, UnreachableError, type SshError } from './errors.js';

const NO_SUCH_FILE = 2;

type Cb<T> = (err: (Error & { code?: unknown }) | null | undefined, value?: T) => void;

export class SftpSession {
  private session: Promise<SFTPWrapper> | null = null;

  constructor(private readonly host: ChannelHost) {}

  private open(): Promise<SFTPWrapper> {
    if (this.session) return this.session;
    const p = new Promise<SFTPWrapper>((resolve, reject) => {
      openSessionChannel<SFTPWrapper>(this.host, (cb) => this.host.client.sftp(cb), () => false, (sftp, release) => {
        sftp.once('close', () => {
          release();
          if (this.session === p) this.session = null;
        });
        resolve(sftp);
      }).catch((err: Error) => {
        // a live connection whose server refuses the subsystem is a host set-up problem, not an unreachable host
        // (a refused channel, err.reason set, is a session limit and keeps the general message)
        const refusedSubsystem = (err as Error & { reason?: unknown }).reason === undefined;
        reject(this.host.deadError() ?? (this.host.connected && refusedSubsystem
          ? new SftpError(this.host.hostName, 'start', 'subsystem', undefined,
            `${err.message} (copy and template need sshd's sftp subsystem: 'Subsystem sftp' in sshd_config)`, { cause: err })
          : new UnreachableError(this.host.hostName, 'other', `cannot start the sftp subsystem on ${this.host.hostName}: ${err.message}`, { cause: err })));
      });
    });
    this.session = p;
    p.catch(() => {
      if (this.session === p) this.session = null;
    });
    return p;
  }

  /** Run one sftp request; a dropped connection wins over whatever the request reports. */
  private op<T>(name: string, path: string, fn: (sftp: SFTPWrapper, cb: Cb<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const untrack = this.host.track((err: SshError) => {
        if (done) return;
        done = true;
        reject(err);
      });
      this.open().then((sftp) => {
        const callback: Cb<T> = (err, value) => {
          if (done) return;
          done = true;
          untrack();
          if (err) {
            const dead = this.host.deadError();
            if (dead) return reject(dead);
            const code = typeof err.code === 'number' ? err.code : undefined;
            return reject(new SftpError(this.host.hostName, name, path, code, err.message, { cause: err }));
          }
          resolve(value as T);
        };
        try {
          fn(sftp, callback);
        } catch (err) {
          // ssh2 throws synchronously for unsupported extensions.
          if (done) return;
          done = true;
          untrack();
          reject(err);
        }
      }, (err: unknown) => {
        if (done) return;
        done = true;
        untrack();
        reject(err);
      });
    });
  }

  private static missing(err: unknown): boolean {
    return err instanceof SftpError && err.sftpCode === NO_SUCH_FILE;
  }

  async readFile(path: string): Promise<Buffer | null> {
    try {
      return await this.op<Buffer>('read', path, (s, cb) => s.readFile(path, (e, d) => cb(e, d)));
    } catch (err) {
      if (SftpSession.missing(err)) return null;
      throw err;
    }
  }

  async stat(path: string): Promise<RemoteStat | null> {
    try {
      const st = await this.op<Stats>('stat', path, (s, cb) => s.stat(path, (e, v) => cb(e, v)));
      return { size: st.size, mode: st.mode, mtimeMs: st.mtime * 1000 };
    } catch (err) {
      if (SftpSession.missing(err)) return null;
      throw err;
    }
  }

  async writeFile(path: string, data: Buffer, opts: { readonly mode?: number } = {}): Promise<void> {
    const dir = posix.dirname(path);
    const tmp = posix.join(dir, `.${posix.basename(path)}.${randomBytes(6).toString('hex')}.stackplay-tmp`);
    // Without an explicit mode a replaced file keeps its permissions; a new one gets 0644.
    const mode = opts.mode ?? ((await this.stat(path))?.mode ?? 0o644) & 0o7777;
    try {
      await this.op<void>('write', tmp, (s, cb) => s.writeFile(tmp, data, { mode }, (e) => cb(e)));
      // The server's umask applies at create time; chmod makes the mode exact.
      await this.op<void>('chmod', tmp, (s, cb) => s.chmod(tmp, mode, (e) => cb(e)));
      await this.rename(tmp, path);
    } catch (err) {
      await this.op<void>('unlink', tmp, (s, cb) => s.unlink(tmp, (e) => cb(e))).catch(() => undefined);
      throw err;
    }
  }

  private async rename(from: string, to: string): Promise<void> {
    try {
      await this.op<void>('rename', to, (s, cb) => s.ext_openssh_rename(from, to, (e) => cb(e)));
      return;
    } catch (err) {
      // ssh2 throws synchronously when the server lacks the extension; that surfaces here as a plain Error.
      if (err instanceof SftpError || err instanceof UnreachableError) throw err;
    }
    // SFTPv3 rename refuses to replace: remove the target first (not atomic, only on servers without the extension).
    await this.op<void>('unlink', to, (s, cb) => s.unlink(to, (e) => cb(e))).catch((e: unknown) => {
      if (!SftpSession.missing(e)) throw e;
    });
    await this.op<void>('rename', to, (s, cb) => s.rename(from, to, (e) => cb(e)));
  }
}
