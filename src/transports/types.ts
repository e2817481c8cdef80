// Transport interfaces: what step types see of a remote host. Steps never touch ssh2 directly;
// they get a RemoteTransport from the run's TransportPool (the engine owns the pool's lifecycle).
// A non-zero exit code is data (ExecResult.rc); transport failures are typed errors.
import type { Duplex } from 'node:stream';

export interface ExecOptions {
  /** Written to the command's stdin, then stdin is closed. Without it stdin is closed at once. */
  readonly stdin?: string | Buffer;
  /**
   * Environment for the command, sent as an `export K='v';` prefix (sshd rejects `env` requests unless
   * AcceptEnv allows them). The prefix is part of the remote `sh -c` argv: do not put secrets here,
   * pass them through `stdin` instead. Keys must match [A-Za-z_][A-Za-z0-9_]*.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Aborting sends TERM to the remote command (if the server supports signals) and closes the channel. */
  readonly signal?: AbortSignal;
  /** Deadline for the whole call, queueing for a channel included; on expiry like abort, but TimeoutError. */
  readonly timeoutMs?: number;
  /** Decoded UTF-8 chunks as they arrive (multi-byte characters are never split). */
  readonly onStdout?: (chunk: string) => void;
  readonly onStderr?: (chunk: string) => void;
  /** Allocate a pseudo-terminal (e.g. for sudo password prompts). With a pty, stderr is merged into stdout. */
  readonly pty?: boolean;
}

export interface ExecResult {
  /** Exit code; null when the command was killed by a signal (see `signal`) or gave no status. */
  readonly rc: number | null;
  /** Signal name without the SIG prefix (e.g. "KILL"), or null. */
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RemoteStat {
  readonly size: number;
  /** Full st_mode (type bits included); `mode & 0o7777` is the permission part. */
  readonly mode: number;
  readonly mtimeMs: number;
}

export interface RemoteTransport {
  /** Inventory host name this transport talks to. */
  readonly hostName: string;
  /** Run a command through the remote user's shell. Non-zero rc is data, not an error. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * A TCP connection to host:port as seen from the remote host. The stream can be returned from an
   * http.Agent's `createConnection` (it has the socket methods Node's http client calls).
   */
  forwardOut(host: string, port: number): Promise<Duplex>;
  /** Whole file over SFTP; null if it does not exist. */
  readFile(path: string): Promise<Buffer | null>;
  /** Atomic write over SFTP (temporary file in the same directory, then rename). */
  writeFile(path: string, data: Buffer, opts?: { readonly mode?: number }): Promise<void>;
  /** Follows symlinks; null if the path does not exist. */
  stat(path: string): Promise<RemoteStat | null>;
}

export interface TransportPool {
  /** Lazy connect; one connection per host per run; concurrent calls share one pending connect. */
  get(hostName: string): Promise<RemoteTransport>;
  /** Close every connection (jump hosts last). Safe to call twice. */
  closeAll(): Promise<void>;
}
