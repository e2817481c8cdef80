// What exec, sftp and tunnels need from a live connection: the ssh2 client, the channel limiter, and
// a way to learn that the connection dropped so pending work fails with UnreachableError at once.
import type { Client } from 'ssh2';
import type { ChannelLimiter } from './channel-limiter.js';
import type { SshError } from './errors.js';

export interface ChannelHost {
  readonly hostName: string;
  readonly client: Client;
  readonly limiter: ChannelLimiter;
  /** Call `onDrop` if the connection goes away; returns the function that unregisters it. */
  track(onDrop: (err: SshError) => void): () => void;
  /** The error pending work should fail with, once the connection is gone; null while it is alive. */
  deadError(): SshError | null;
}
