// Connection settings of one host: the inventory's plain object (SshHostSettings) merged with ~/.ssh/config
// into a ResolvedHost, jump chain included. Inventory values win; ssh config fills the gaps, as
// `ssh HOST` would. Resolution is pure (no I/O) so cycles and bad ProxyJump values fail before connecting.
import { SshSettingsError } from './errors.js';
import { knownHostsName } from './known-hosts.js';
import type { SshConfigLookup, SshConfigValues } from './ssh-config.js';

export interface SshHostSettings {
  /** Inventory host name. */
  readonly name: string;
  /** Default: ~/.ssh/config HostName for `name`, else `name`. */
  readonly address?: string;
  readonly port?: number;
  readonly user?: string;
  readonly keyFile?: string;
  readonly passphrase?: string;
  readonly password?: string;
  /** Inventory host name of the jump host, a ProxyJump-style `[user@]host[:port][,…]` spec, or "none". */
  readonly jump?: string;
  /** Extra (project) known_hosts files. */
  readonly knownHostsFiles?: readonly string[];
  readonly connectTimeoutMs?: number;
}

/** Everything needed to open one connection. */
export interface ResolvedHost {
  /** Pool key: the inventory name, or a hop spec (plus " via …" when a chain forces its jump). */
  readonly id: string;
  /** Name shown in errors and events. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** Name looked up in known_hosts (HostKeyAlias, else "addr" / "[addr]:port"). */
  readonly knownHostsName: string;
  /** Explicit keys (inventory keyFile, else ssh config IdentityFile), paths expanded. */
  readonly keyFiles: readonly string[];
  /** Whether ~/.ssh/id_* are tried: only when no key is configured, as in OpenSSH. */
  readonly useDefaultKeys: boolean;
  /** False when ssh config says IdentitiesOnly yes. */
  readonly useAgent: boolean;
  readonly passphrase?: string;
  readonly password?: string;
  readonly knownHostsFiles: readonly string[];
  readonly connectTimeoutMs: number;
  readonly jump: ResolvedHost | null;
}

export interface ResolveContext {
  readonly hosts: (name: string) => SshHostSettings | undefined;
  readonly sshConfig: SshConfigLookup;
  readonly homeDir: string;
  readonly localUser: string;
  readonly defaultConnectTimeoutMs: number;
}

interface Hop {
  readonly alias: string;
  readonly user?: string;
  readonly port?: number;
}

/** One ProxyJump hop: `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://[user@]host[:port]`. */
export function parseHop(spec: string, owner: string): Hop {
  const s = spec.trim().replace(/^ssh:\/\//, '');
  const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s[\]]+)(?::(\d+))?$/.exec(s);
  if (!m || m[2] === undefined) throw new SshSettingsError(owner, `${owner}: bad jump host "${spec}" (expected [user@]host[:port])`);
  const alias = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new SshSettingsError(owner, `${owner}: bad port in jump host "${spec}"`);
  return { alias, ...(m[1] !== undefined ? { user: m[1] } : {}), ...(port !== undefined ? { port } : {}) };
}

/** Expand `~` and the ssh_config tokens %d %u %h %r %% used in IdentityFile. */
export function expandPath(p: string, t: { home: string; localUser: string; host: string; user: string }): string {
  const tilde = p === '~' ? t.home : p.startsWith('~/') ? t.home + p.slice(1) : p;
  return tilde.replace(/%([duhr%])/g, (_, c: string) =>
    c === 'd' ? t.home : c === 'u' ? t.localUser : c === 'h' ? t.host : c === 'r' ? t.user : '%');
}

function configFor(s: SshHostSettings, ctx: ResolveContext): SshConfigValues {
  const byName = ctx.sshConfig.compute(s.name);
  if (s.address === undefined || s.address === s.name) return byName;
  // First obtained value wins, as in ssh_config: the alias's own section first, then the address's.
  return { ...ctx.sshConfig.compute(s.address), ...byName };
}

function parsePort(v: string | undefined, owner: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new SshSettingsError(owner, `${owner}: bad Port "${v}" in ssh config`);
  return n;
}

/** Resolve an inventory host (and its jump chain). Throws SshSettingsError for unknown hosts and cycles. */
export function resolveHost(name: string, ctx: ResolveContext): ResolvedHost {
  const s = ctx.hosts(name);
  if (s === undefined) throw new SshSettingsError(name, `host "${name}" is not in the inventory`);
  return resolveSettings(s, name, ctx, [], undefined);
}

/** Resolve settings that do not come from `hosts` (e.g. for `stackplay trust`). */
export function resolveSettingsObject(s: SshHostSettings, ctx: ResolveContext): ResolvedHost {
  return resolveSettings(s, s.name, ctx, [], undefined);
}

function checkCycle(id: string, chain: readonly string[]): void {
  if (chain.includes(id)) {
    const from = chain.indexOf(id);
    throw new SshSettingsError(id, `jump host cycle: ${[...chain.slice(from), id].join(' -> ')}`);
  }
}

function resolveSettings(s: SshHostSettings, id: string, ctx: ResolveContext, chain: readonly string[],
  forcedJump: ResolvedHost | null | undefined): ResolvedHost {
  checkCycle(id, chain);
  const here = [...chain, id];
  const cfg = configFor(s, ctx);
  const address = s.address ?? (cfg.hostname !== undefined ? cfg.hostname.replace(/%h/g, s.name).replace(/%%/g, '%') : s.name);
  const port = s.port ?? parsePort(cfg.port, s.name) ?? 22;
  const user = s.user ?? cfg.user ?? ctx.localUser;
  const tokens = { home: ctx.homeDir, localUser: ctx.localUser, host: address, user };
  const keyFiles = (s.keyFile !== undefined ? [s.keyFile] : cfg.identityfile ?? []).map((p) => expandPath(p, tokens));
  const timeoutS = cfg.connecttimeout !== undefined ? Number(cfg.connecttimeout) : NaN;
  const knownHostsFiles = s.knownHostsFiles ?? [];
  let jump: ResolvedHost | null;
  if (forcedJump !== undefined) jump = forcedJump;
  else {
    const spec = s.jump ?? cfg.proxyjump;
    jump = spec === undefined || spec.trim().toLowerCase() === 'none' ? null : resolveJumpSpec(spec, s.name, knownHostsFiles, ctx, here);
  }
  return {
    id, name: s.name, address, port, user,
    knownHostsName: cfg.hostkeyalias ?? knownHostsName(address, port),
    keyFiles, useDefaultKeys: keyFiles.length === 0, useAgent: cfg.identitiesonly !== 'yes',
    ...(s.passphrase !== undefined ? { passphrase: s.passphrase } : {}),
    ...(s.password !== undefined ? { password: s.password } : {}),
    knownHostsFiles,
    connectTimeoutMs: s.connectTimeoutMs ?? (Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS * 1000 : ctx.defaultConnectTimeoutMs),
    jump,
  };
}

/**
 * `a,b,c` means: reach a (with a's own jump settings), then b through a, then c through b; the
 * target goes through c. A hop that names an inventory host without user/port is that inventory host.
 */
function resolveJumpSpec(spec: string, owner: string, inheritedKnownHosts: readonly string[], ctx: ResolveContext,
  chain: readonly string[]): ResolvedHost {
  const hops = spec.split(',').map((h) => parseHop(h, owner));
  let prev: ResolvedHost | undefined;
  for (const hop of hops) {
    const inv = hop.user === undefined && hop.port === undefined ? ctx.hosts(hop.alias) : undefined;
    const base = inv !== undefined ? hop.alias
      : `${hop.user !== undefined ? `${hop.user}@` : ''}${hop.alias}${hop.port !== undefined ? `:${hop.port}` : ''}`;
    const id = prev === undefined ? base : `${base} via ${prev.id}`;
    const settings: SshHostSettings = inv ?? {
      name: hop.alias, knownHostsFiles: inheritedKnownHosts,
      ...(hop.user !== undefined ? { user: hop.user } : {}), ...(hop.port !== undefined ? { port: hop.port } : {}),
    };
    prev = resolveSettings(settings, id, ctx, chain, prev === undefined ? undefined : prev);
  }
  if (prev === undefined) throw new SshSettingsError(owner, `${owner}: empty jump host`);
  return prev;
}
