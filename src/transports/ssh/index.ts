// Public face of the SSH transport: the pool the engine creates per run, the settings shape the
// inventory fills in, the typed errors steps and renderers match on, and the trust helpers for the CLI.
export { createSshPool, type SshPool, type SshPoolOptions } from './pool.js';
export type { SshTransport } from './connection.js';
export type { TunnelStream } from './tunnel.js';
export type { SshHostSettings } from './settings.js';
export type { SshEvent } from './events.js';
export type { PreflightOutcome } from './preflight.js';
export { collectHostKeys, recordHostKeys, type CollectedHostKey, type CollectOptions } from './trust.js';
export { fingerprintOf, knownHostsName, parseKnownHosts } from './known-hosts.js';
export {
  AuthError, ExecAbortedError, ForwardError, HostKeyChangedError, HostKeyError, HostKeyPreflightError,
  HostKeyRevokedError, HostKeyUnknownError, SftpError, SshError, SshSettingsError, TimeoutError, UnreachableError,
  type KnownHostKeyRef, type PresentedHostKey, type SshErrorCode, type UnreachableReason,
} from './errors.js';
