// The local transport: the machine running stackplay as a host (the implicit `localhost`, and the
// `local` step). Same interface as SSH, so steps do not care where a command runs.

import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import { dirname, join, basename } from 'node:path';
import type { Duplex } from 'node:stream';
import type { ExecOptions, ExecResult, RemoteStat, RemoteTransport } from './types.js';

export class LocalTransport implements RemoteTransport {
  constructor(readonly hostName = 'localhost') {}

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], {
        env: { ...process.env, ...(opts.env ?? {}) },
        stdio: ['pipe', 'pipe', 'pipe'],
        // its own process group: a timeout or abort stops the whole command, not only /bin/sh
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      let timer: NodeJS.Timeout | undefined;
      let abortReason: Error | undefined;
      const signalGroup = (sig: NodeJS.Signals): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, sig);
        } catch {
          child.kill(sig);
        }
      };
      const kill = (reason: Error): void => {
        abortReason = reason;
        signalGroup('SIGTERM');
        setTimeout(() => signalGroup('SIGKILL'), 2000).unref();
      };
      const onAbort = (): void => kill(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      if (opts.signal) {
        if (opts.signal.aborted) onAbort();
        opts.signal.addEventListener('abort', onAbort, { once: true });
      }
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(() => kill(Object.assign(new Error(`timed out after ${opts.timeoutMs}ms`), { name: 'TimeoutError' })), opts.timeoutMs);
      }
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (c: string) => {
        stdout += c;
        opts.onStdout?.(c);
      });
      child.stderr.on('data', (c: string) => {
        stderr += c;
        opts.onStderr?.(c);
      });
      child.stdin.on('error', () => undefined);
      if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
      else child.stdin.end();
      child.on('error', (err) => {
        if (timer) clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (abortReason) return reject(abortReason);
        resolve({ rc: code, signal: signal ? signal.replace(/^SIG/, '') : null, stdout, stderr });
      });
    });
  }

  forwardOut(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port }, () => {
        sock.off('error', reject);
        sock.setNoDelay(true);
        resolve(sock);
      });
      sock.once('error', reject);
    });
  }

  async readFile(path: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async writeFile(path: string, data: Buffer, opts: { readonly mode?: number } = {}): Promise<void> {
    const tmp = join(dirname(path), `.${basename(path)}.stackplay-${process.pid}`);
    await fs.writeFile(tmp, data, { mode: opts.mode ?? 0o644 });
    if (opts.mode !== undefined) await fs.chmod(tmp, opts.mode);
    await fs.rename(tmp, path);
  }

  async stat(path: string): Promise<RemoteStat | null> {
    try {
      const s = await fs.stat(path);
      return { size: s.size, mode: s.mode, mtimeMs: s.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}
