// The inventory as the engine sees it: hosts with connection settings and vars, groups with children.
// Values that came from a secret source are plain strings here; they are registered with the run's
// SecretRegistry when the inventory is loaded.

import type { Position } from '../diagnostics/problems.js';

export interface CloudStackSettings {
  readonly url?: string;
  readonly apiKey?: string;
  readonly secretKey?: string;
  readonly username?: string;
  readonly password?: string;
  readonly domain?: string;
  readonly integrationPort?: number;
  readonly signatureVersion?: 2 | 3;
  readonly caFile?: string;
  readonly insecure?: boolean;
  /** Reach the API (and the integration port) through this host's SSH connection. */
  readonly via?: string;
}

export interface HostEntry {
  readonly name: string;
  readonly address: string | undefined;
  readonly port: number | undefined;
  readonly user: string | undefined;
  readonly keyFile: string | undefined;
  readonly passphrase: string | undefined;
  readonly password: string | undefined;
  readonly becomePassword: string | undefined;
  readonly jump: string | undefined;
  readonly knownHosts: string | undefined;
  readonly cloudstack: CloudStackSettings | undefined;
  /** Groups the host belongs to, directly or through children. */
  readonly groups: readonly string[];
  /** Vars: group vars (outer groups first) overlaid by host vars. */
  readonly groupVars: Readonly<Record<string, unknown>>;
  readonly hostVars: Readonly<Record<string, unknown>>;
  readonly implicit: boolean;
  /** 'local' runs commands on the machine running stackplay (the implicit localhost). */
  readonly connection: 'ssh' | 'local';
  readonly pos: Position | null;
}

export interface GroupEntry {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly children: readonly string[];
  readonly vars: Readonly<Record<string, unknown>>;
}

export interface Inventory {
  readonly file: string | null;
  readonly hosts: ReadonlyMap<string, HostEntry>;
  readonly groups: ReadonlyMap<string, GroupEntry>;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly projectKnownHosts: string | undefined;
}
