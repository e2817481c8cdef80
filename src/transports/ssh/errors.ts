// Typed failures of the SSH transport. The executor maps them to step outcomes (unreachable, auth,
// host key, timeout) instead of parsing messages. Messages name hosts, users, files and fingerprints,
// never passwords or passphrases; the underlying library error is kept as `cause`.

export type SshErrorCode =
  | 'SSH_UNREACHABLE'
  | 'SSH_AUTH'
  | 'SSH_HOST_KEY_UNKNOWN'
  | 'SSH_HOST_KEY_CHANGED'
  | 'SSH_HOST_KEY_REVOKED'
  | 'SSH_HOST_KEY_PREFLIGHT'
  | 'SSH_TIMEOUT'
  | 'SSH_ABORTED'
  | 'SSH_SETTINGS'
  | 'SSH_FORWARD'
  | 'SSH_SFTP';

export abstract class SshError extends Error {
  abstract readonly code: SshErrorCode;
  /** Inventory host name (or the ssh-config alias of a jump hop) the failure belongs to. */
  readonly host: string;
  constructor(host: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.host = host;
    this.name = new.target.name;
  }
}

/** `proxy`: the ssh config ProxyCommand failed (could not start, or exited before the handshake). */
export type UnreachableReason = 'refused' | 'timeout' | 'dns' | 'dropped' | 'closed' | 'jump' | 'proxy' | 'other';

/** Could not connect, or the connection went away (mid-command included). The step fails as unreachable. */
export class UnreachableError extends SshError {
  readonly code = 'SSH_UNREACHABLE';
  constructor(host: string, readonly reason: UnreachableReason, message: string, options?: { cause?: unknown }) {
    super(host, message, options);
  }
}

export class AuthError extends SshError {
  readonly code = 'SSH_AUTH';
  /** Methods tried, e.g. ["publickey /root/.ssh/id_ed25519", "agent", "password"]. */
  constructor(host: string, readonly user: string, readonly tried: readonly string[], message?: string,
    options?: { cause?: unknown }) {
    super(host, message ?? `authentication failed for ${user}@${host} (tried: ${tried.length > 0 ? tried.join(', ') : 'nothing configured'})`, options);
  }
}

/** The key a server presented during the handshake. */
export interface PresentedHostKey {
  readonly address: string;
  readonly port: number;
  /** The name looked up in known_hosts: "addr" for port 22, "[addr]:port" otherwise (or HostKeyAlias). */
  readonly knownHostsName: string;
  /** e.g. "ssh-ed25519" */
  readonly keyType: string;
  /** e.g. "SHA256:base64-without-padding", as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
  /** The known_hosts line that would trust this key. */
  readonly line: string;
}

export interface KnownHostKeyRef {
  readonly file: string;
  readonly lineNumber: number;
  readonly keyType: string;
  readonly fingerprint: string;
}

export abstract class HostKeyError extends SshError {
  constructor(host: string, readonly presented: PresentedHostKey, message: string) {
    super(host, message);
  }
}

function where(k: PresentedHostKey): string {
  return `${k.address}:${k.port}`;
}

export class HostKeyUnknownError extends HostKeyError {
  readonly code = 'SSH_HOST_KEY_UNKNOWN';
  constructor(host: string, presented: PresentedHostKey) {
    super(host, presented,
      `host key of ${host} (${where(presented)}) is not known: ${presented.keyType} ${presented.fingerprint}. ` +
      `Check the fingerprint out of band, then run \`stackplay trust ${host}\` or pass --accept-new-host-keys.`);
  }
  get keyType(): string { return this.presented.keyType; }
  get fingerprint(): string { return this.presented.fingerprint; }
}

export class HostKeyChangedError extends HostKeyError {
  readonly code = 'SSH_HOST_KEY_CHANGED';
  constructor(host: string, presented: PresentedHostKey, readonly expected: readonly KnownHostKeyRef[]) {
    const exp = expected.map((e) => `${e.keyType} ${e.fingerprint} (${e.file}:${e.lineNumber})`).join('; ');
    const sameType = expected.some((e) => e.keyType === presented.keyType);
    super(host, presented,
      `HOST KEY CHANGED for ${host} (${where(presented)}): expected ${exp}, ` +
      `server presented ${presented.keyType} ${presented.fingerprint}` +
      (sameType ? '' : ' (no key of that type is known)') +
      '. Someone may be intercepting the connection, or the host was reinstalled. ' +
      `If the change is expected, delete the old line, then run \`stackplay trust ${host}\`.`);
  }
}

export class HostKeyRevokedError extends HostKeyError {
  readonly code = 'SSH_HOST_KEY_REVOKED';
  constructor(host: string, presented: PresentedHostKey, readonly revokedAt: KnownHostKeyRef) {
    super(host, presented,
      `host key of ${host} (${where(presented)}) is revoked: ${presented.keyType} ${presented.fingerprint} ` +
      `is marked @revoked at ${revokedAt.file}:${revokedAt.lineNumber}`);
  }
}

/** Raised before a run when any host's key is unknown, changed or revoked: all of them at once. */
export class HostKeyPreflightError extends SshError {
  readonly code = 'SSH_HOST_KEY_PREFLIGHT';
  constructor(readonly errors: readonly HostKeyError[]) {
    super(errors.map((e) => e.host).join(','),
      `${errors.length} host key problem${errors.length === 1 ? '' : 's'}:\n` +
      errors.map((e) => `  - ${e.message}`).join('\n'));
  }
}

export class TimeoutError extends SshError {
  readonly code = 'SSH_TIMEOUT';
  constructor(host: string, readonly timeoutMs: number, what = 'command') {
    super(host, `${what} on ${host} timed out after ${timeoutMs} ms`);
  }
}

/** An exec ended because its AbortSignal fired. `name` is "AbortError" like the platform's aborts. */
export class ExecAbortedError extends SshError {
  readonly code = 'SSH_ABORTED';
  constructor(host: string, reason?: unknown) {
    super(host, `command on ${host} was aborted`, { cause: reason });
    this.name = 'AbortError';
  }
}

/** Bad connection settings: unknown host, jump cycle, unreadable key file, bad ProxyJump. */
export class SshSettingsError extends SshError {
  readonly code = 'SSH_SETTINGS';
}

/** The remote host could not open the TCP connection asked for by forwardOut (refused, no route, …). */
export class ForwardError extends SshError {
  readonly code = 'SSH_FORWARD';
  constructor(host: string, readonly target: string, message: string, options?: { cause?: unknown }) {
    super(host, `cannot open ${target} from ${host}: ${message}`, options);
  }
}

export class SftpError extends SshError {
  readonly code = 'SSH_SFTP';
  constructor(host: string, readonly op: string, readonly path: string, readonly sftpCode: number | undefined,
    message: string, options?: { cause?: unknown }) {
    super(host, `sftp ${op} ${path} on ${host}: ${message}`, options);
  }
}
