// What the transports and clients under the steps report about themselves, in one vocabulary: SSH
// connections (connect, reconnect, host keys recorded, drops) and CloudStack API calls, retries, logins
// and job polls. The run's services forward them into the run's event stream as `transport` events.

export type TransportEvent =
  | {
      readonly kind: 'ssh-connect';
      readonly address: string;
      readonly port: number;
      /** The jump host the connection goes through. */
      readonly via: string | null;
      readonly proxyCommand?: string;
      /** The run had a connection to this host before, and it went away. */
      readonly reconnect: boolean;
    }
  | { readonly kind: 'ssh-connected'; readonly durationMs: number }
  | { readonly kind: 'ssh-connect-failed'; readonly durationMs: number; readonly code: string; readonly message: string }
  | { readonly kind: 'ssh-host-key-accepted'; readonly keyType: string; readonly fingerprint: string; readonly file: string }
  | { readonly kind: 'ssh-disconnect'; readonly reason: 'closed' | 'dropped' }
  /** `request` is the call as sent, with keys, signatures, session keys and passwords masked. */
  | { readonly kind: 'api-call'; readonly command: string; readonly mode: string; readonly method: string; readonly attempt: number; readonly request: string }
  | { readonly kind: 'api-response'; readonly command: string; readonly status: number }
  | { readonly kind: 'api-retry'; readonly command: string; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'api-login'; readonly username: string; readonly relogin: boolean }
  | { readonly kind: 'job-poll'; readonly command: string; readonly jobid: string; readonly jobstatus: number; readonly polls: number };

/** A listener of the transports' events: the inventory host they concern (a management server for API events). */
export type TransportListener = (host: string, event: TransportEvent) => void;
