// What exec, sftp and tunnels need from a live connection: the ssh2 client, the channel limiter, and
// a way to learn that the connection dropped so pending work fails with UnreachableError at once.
import type { Client } from 'ssh2';
import type { ChannelLimiter, Release } from './channel-limiter.js';
import type { SshError } from './errors.js';

export interface ChannelHost {
  readonly hostName: string;
  readonly client: Client;
  readonly limiter: ChannelLimiter;
  /** Call `onDrop` if the connection goes away; returns the function that unregisters it. */
  track(onDrop: (err: SshError) => void): () => void;
  /** The error pending work should fail with, once the connection is gone; null while it is alive. */
  deadError(): SshError | null;
  /** True while the transport can still send (also while the runner is closing the connection). */
  readonly connected: boolean;
  /** Register cleanup that must reach the server before a polite close hangs up. */
  noteCleanup(p: Promise<void>): void;
}

// Open-failure reasons sshd and others give at MaxSessions: ADMINISTRATIVELY_PROHIBITED (1),
// CONNECT_FAILED (2: OpenSSH 9 for sessions, logging "no more sessions"), RESOURCE_SHORTAGE (4).
const REFUSED_REASONS = new Set<unknown>([1, 2, 4]);
const MAX_REFUSALS = 20;
const REFUSAL_BACKOFF_MS = 50;

/**
 * Take a channel slot and open a session channel with it. sshd frees a session a little after the
 * channel's close reaches us, so under churn it may refuse an open even below MaxSessions; then we wait
 * until one of our other channels closes (or a short backoff) and try again.
 *
 * `onOpen` runs synchronously inside ssh2's callback: ssh2 may deliver the channel's data, exit status
 * and close in the same tick, so listeners attached a microtask later would miss them. It returns
 * false if the caller no longer wants the channel (then it must close it). Resolves once done.
 */
export async function openSessionChannel<T>(host: ChannelHost, open: (cb: (err: Error | undefined, ch: T) => void) => void,
  cancelled: () => boolean, onOpen: (channel: T, release: Release) => void): Promise<void> {
  for (let refusals = 0; ; refusals++) {
    const release = await host.limiter.acquire();
    if (cancelled()) return release();
    try {
      await new Promise<void>((resolve, reject) => open((err, ch) => {
        if (err) return reject(err);
        onOpen(ch, release);
        resolve();
      }));
      return;
    } catch (err) {
      const refused = REFUSED_REASONS.has((err as { reason?: unknown }).reason);
      if (!refused || refusals >= MAX_REFUSALS || host.deadError()) {
        release();
        throw err;
      }
      const othersOpen = host.limiter.inUse > 1;
      release();
      const wake = othersOpen ? host.limiter.nextRelease() : new Promise<void>(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([wake, new Promise<void>((r) => { timer = setTimeout(r, REFUSAL_BACKOFF_MS); })]);
      clearTimeout(timer);
    }
  }
}
