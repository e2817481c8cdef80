// Connection settings of one host: the inventory's plain object (SshHostSettings) merged with ~/.ssh/config
// into a ResolvedHost, jump chain or ProxyCommand included. Inventory values win; ssh config fills the gaps,
// as `ssh HOST` would. Resolution is pure (no I/O) so cycles and bad values fail before connecting.
import { SshSettingsError } from './errors.js';
import { configFor, expandHome, expandIdentityFile, proxyCommandFor, type HostTokens } from './host-config.js';
import { knownHostsName } from './known-hosts.js';
import { lowerHost, type SshConfigLookup } from './ssh-config.js';

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
  /** ssh config's ProxyCommand, tokens filled in (run as `$SHELL -c "exec …"`); null when direct or jumping. */
  readonly proxyCommand: string | null;
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
  const cfg = configFor(ctx.sshConfig, s.name, s.address, s.user);
  const address = lowerHost(s.address ?? cfg.hostname ?? s.name);
  const port = s.port ?? parsePort(cfg.port, s.name) ?? 22;
  const user = s.user ?? cfg.user ?? ctx.localUser;
  const alias = cfg.hostkeyalias?.toLowerCase(); // ssh compares it in lower case, like host names
  const t: HostTokens = { home: ctx.homeDir, localUser: ctx.localUser, host: address, user, original: s.name, port, keyAlias: alias ?? s.name };
  const keyFiles = s.keyFile !== undefined ? [expandHome(s.keyFile, ctx.homeDir)] : (cfg.identityfile ?? []).map((p) => expandIdentityFile(p, t));
  const timeoutS = cfg.connecttimeout !== undefined ? Number(cfg.connecttimeout) : NaN;
  const knownHostsFiles = s.knownHostsFiles ?? [];
  let jump: ResolvedHost | null = null;
  let proxyCommand: string | null = null;
  if (forcedJump !== undefined) jump = forcedJump;
  else if (s.jump !== undefined) {
    // The inventory's jump (or `none`) wins over ProxyJump and ProxyCommand alike, as `ssh -J` does.
    if (s.jump.trim().toLowerCase() !== 'none') jump = resolveJumpSpec(s.jump, s.name, knownHostsFiles, ctx, here);
  } else if (cfg.proxyjump !== undefined) jump = resolveJumpSpec(cfg.proxyjump, s.name, knownHostsFiles, ctx, here);
  else if (cfg.proxycommand !== undefined) proxyCommand = proxyCommandFor(cfg.proxycommand, cfg, t);
  return {
    id, name: s.name, address, port, user,
    knownHostsName: alias ?? knownHostsName(address, port),
    keyFiles, useDefaultKeys: keyFiles.length === 0, useAgent: cfg.identitiesonly !== 'yes',
    ...(s.passphrase !== undefined ? { passphrase: s.passphrase } : {}),
    ...(s.password !== undefined ? { password: s.password } : {}),
    knownHostsFiles,
    connectTimeoutMs: s.connectTimeoutMs ?? (Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS * 1000 : ctx.defaultConnectTimeoutMs),
    jump, proxyCommand,
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
