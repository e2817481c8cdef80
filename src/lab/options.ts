// LabOptions (the programmatic knobs of startLab) and their defaults. Keys default to values derived
// from the seed, so a lab is reproducible; the CLI passes fixed, documented lab-only keys instead.

import { createHash } from 'node:crypto';
import type { LabClock } from './clock.js';
import type { LabFaults } from './faults.js';
import type { Durations } from './jobs/durations.js';
import type { LabLogEvent } from './log.js';
import type { WorldConfig } from './world/world-config.js';

export interface LabOptions {
  /** Loopback address of mgmt1 and the KVM hosts (default 127.0.0.1). */
  readonly address?: string;
  /**
   * Addresses of mgmt1, mgmt2, … (default: `address` and the loopback addresses after it, 127.0.0.2, …),
   * then the load balancer's. Each server binds its API, integration and SSH ports on its own address.
   */
  readonly msAddresses?: readonly string[];
  /** API (8080-equivalent) port of every server; 0 = ephemeral (default). */
  readonly apiPort?: number;
  /** SSH port of the management-server hosts; 0 = ephemeral (default). KVM hosts get their own ports. */
  readonly sshPort?: number;
  /** Lab time runs this many times faster than the durations of a real cloud (default 100). */
  readonly speed?: number;
  readonly seed?: number | string;
  readonly apiKey?: string;
  readonly secretKey?: string;
  /** Password of the `admin` user for `login` (default "password"). */
  readonly adminPassword?: string;
  /** State directory (default: a fresh temp dir). Keys found there are reused. */
  readonly stateDir?: string;
  /** World layout (see WorldConfig / lab YAML). */
  readonly config?: WorldConfig;
  /** Shortcut for config.version (management-server version). */
  readonly version?: string;
  readonly faults?: LabFaults;
  /** Lab milliseconds a management server stays down on restart (divided by speed; default 30000). */
  readonly restartDelayMs?: number;
  /** Lab milliseconds of shutdown grace before a restart, during which async commands get 503 (default 0). */
  readonly restartGraceMs?: number;
  /** MySQL credentials the emulated cloudstack-sysvmadm / mysql accept (default cloud / cloud-db-secret). */
  readonly dbUser?: string;
  readonly dbPassword?: string;
  /** Integration port the written inventory tells playbooks to use (default 8096). */
  readonly integrationPort?: number;
  /** Time source; pass a ManualClock for deterministic tests. */
  readonly clock?: LabClock;
  readonly durations?: Partial<Durations>;
  /** Start the SSH hosts (default true). */
  readonly ssh?: boolean;
  /** Number of KVM hosts served over SSH (default: every host, at most 8). */
  readonly sshKvmHosts?: number;
  readonly onLog?: (event: LabLogEvent) => void;
}

export function seededKey(seed: string | number, what: string): string {
  const a = createHash('sha512').update(`${seed}\u0000${what}`).digest('base64url');
  return a.slice(0, 86);
}

export const DEFAULTS = {
  address: '127.0.0.1',
  speed: 100,
  seed: 1,
  adminPassword: 'password',
  dbUser: 'cloud',
  dbPassword: 'cloud-db-secret',
  restartDelayMs: 30_000,
  restartGraceMs: 0,
} as const;

/** Listeners must stay on loopback: the integration port is unauthenticated. */
export function checkLoopback(address: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) && address !== '::1' && address !== 'localhost') {
    throw new Error(`lab address must be a loopback address (127.0.0.0/8 or ::1), got ${address}`);
  }
}
