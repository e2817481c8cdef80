// A running ProxyCommand: `$SHELL -c "exec …"` whose stdin/stdout carry the SSH connection (ssh2's `sock`),
// stderr kept for messages. Its own process group keeps a Ctrl-C meant for the runner from cutting a
// connection undo steps need; the pool stops the group when the connection ends, the process exit kills the rest.
import { spawn, type ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import { UnreachableError } from './errors.js';

interface ProxyExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why it could not start (e.g. the shell is missing), if so. */
  readonly error?: Error;
}

const STDERR_KEEP = 2000;
const live = new Set<ProxyProcess>();
let exitHookInstalled = false;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** The proxy's stdin/stdout as one stream. 'close' follows the process's exit (or its stdout's end). */
class ProxyStream extends Duplex {
  constructor(private readonly child: ChildProcess, private readonly onDestroy: () => void) {
    super({ allowHalfOpen: true });
    const out = child.stdout;
    out?.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) out.pause();
    });
    out?.on('end', () => {
      this.push(null);
      onDestroy(); // nothing more can come through: the proxy is done (stop() lets it exit first)
    });
    out?.on('error', () => this.destroy());
    // EPIPE once the proxy is gone: its exit (or stdout's end) is what the connection reports.
    child.stdin?.on('error', () => undefined);
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const stdin = this.child.stdin;
    if (stdin === null || stdin.destroyed) return cb(); // dropped: the exit tells the story
    stdin.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.child.stdin?.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.onDestroy();
    cb(err);
  }
}

export class ProxyProcess {
  readonly stream: Duplex;
  readonly exited: Promise<ProxyExit>;
  private readonly child: ChildProcess;
  private stderrText = '';
  private exit: ProxyExit | null = null;
  private readonly signalled = new Set<NodeJS.Signals>();
  private termAt = Infinity;
  private timers: NodeJS.Timeout[] = [];

  /** `command` is the expanded ProxyCommand; `name` the host it leads to (for messages). */
  constructor(readonly command: string, readonly name: string, shell = process.env['SHELL'] || '/bin/sh') {
    this.child = spawn(shell, ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (s: string) => {
      this.stderrText = (this.stderrText + s).slice(-STDERR_KEEP);
    });
    this.exited = new Promise((resolve) => {
      const done = (e: ProxyExit): void => {
        if (this.exit !== null) return;
        this.exit = e;
        this.clearTimers();
        live.delete(this);
        this.stream.destroy();
        resolve(e);
      };
      // Reported on 'close', so stderr has been read to the end; on 'exit', whatever the proxy started
      // in its group is ended, or it could hold the pipes (and the connection) open.
      this.child.once('exit', () => killGroup(this.child.pid, 'SIGTERM'));
      this.child.once('close', (code, signal) => done({ code, signal }));
      this.child.once('error', (error) => done({ code: null, signal: null, error }));
    });
    this.stream = new ProxyStream(this.child, () => void this.stop());
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', () => {
        for (const p of live) killGroup(p.child.pid, 'SIGKILL');
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The end of what the proxy wrote to stderr, trimmed. */
  stderr(): string {
    return this.stderrText.trim();
  }

  /**
   * End the proxy: its stdin is closed, then after `waitMs` (time to exit on its own, as a relay does
   * at end of input) its process group gets TERM, and KILL 2 s later. Resolves once it has exited.
   * A later call with a shorter wait brings the signals forward.
   */
  stop(waitMs = 1000): Promise<ProxyExit> {
    if (this.exit !== null) return Promise.resolve(this.exit);
    const termAt = performance.now() + waitMs;
    if (termAt < this.termAt) {
      this.termAt = termAt;
      this.clearTimers();
      const signal = (sig: NodeJS.Signals): void => {
        this.signalled.add(sig);
        killGroup(this.child.pid, sig);
      };
      this.timers = [setTimeout(() => signal('SIGTERM'), waitMs), setTimeout(() => signal('SIGKILL'), waitMs + 2000)];
    }
    this.child.stdin?.end();
    return this.exited;
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  /**
   * The error to report when the connection through this proxy failed before `ready`: the proxy is
   * stopped first, so its exit status and stderr are known. Auth and host-key errors stay as they are.
   */
  async explain(err: unknown): Promise<unknown> {
    // No waiting: the connection has failed. A proxy that already exited keeps its own status.
    const e = await this.stop(0);
    if (!(err instanceof UnreachableError)) return err;
    const said = this.stderr();
    const ownExit = e.error === undefined && (e.signal === null || !this.signalled.has(e.signal));
    if (e.error !== undefined || (ownExit && err.reason !== 'timeout')) {
      const how = e.error !== undefined ? `could not start (${e.error.message})`
        : e.code !== null ? `exited with status ${e.code}` : `was killed by ${e.signal ?? 'a signal'}`;
      return new UnreachableError(this.name, 'proxy',
        `cannot reach ${this.name}: its ProxyCommand \`${this.command}\` ${how} before the SSH handshake completed` +
        (said !== '' ? `; it said: ${said}` : ''), { cause: err });
    }
    return said === '' ? err : new UnreachableError(err.host, err.reason, `${err.message}; ProxyCommand said: ${said}`, { cause: err });
  }
}
