// Events the SSH pool reports to its owner (the engine forwards them to renderers), so the task list can
// show slow or failing connects. Durations come from the pool's injected clock.

export type SshEvent =
  | {
    readonly type: 'connect-start';
    readonly host: string;
    readonly address: string;
    readonly port: number;
    /** Name of the jump host the connection goes through, or null. */
    readonly via: string | null;
    /** The ProxyCommand (tokens filled in) the connection goes through, when ssh config gives one. */
    readonly proxyCommand?: string;
  }
  | { readonly type: 'connect-end'; readonly host: string; readonly ok: true; readonly durationMs: number }
  | { readonly type: 'connect-end'; readonly host: string; readonly ok: false; readonly durationMs: number; readonly error: Error }
  | {
    readonly type: 'host-key-accepted';
    readonly host: string;
    readonly keyType: string;
    readonly fingerprint: string;
    /** known_hosts file the key was appended to. */
    readonly file: string;
  }
  | { readonly type: 'disconnect'; readonly host: string; readonly reason: 'closed' | 'dropped' };
