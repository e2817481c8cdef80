// What ~/.ssh/config contributes to one host's settings: the looked-up values (by inventory name, then
// address), IdentityFile paths with their tokens, and the ProxyCommand line to run. Config problems
// become SshSettingsError naming the host, so they reach the user as settings errors, not crashes.
import { hostname as localHostName } from 'node:os';
import { SshSettingsError } from './errors.js';
import { PercentTokenError, percentExpand } from './percent-tokens.js';
import { expandProxyCommand, type ProxyTokens } from './proxy-command-line.js';
import { SshConfigError, type SshConfigLookup, type SshConfigValues } from './ssh-config.js';

export interface HostTokens extends ProxyTokens {
  readonly home: string;
  readonly localUser: string;
}

/**
 * Config values for a host known by `name` and perhaps an inventory `address`. First obtained value
 * wins, as in ssh_config: the name's own sections first, then the address's; the proxy settings come
 * whole from one of them, so a ProxyJump and a ProxyCommand never mix.
 */
export function configFor(lookup: SshConfigLookup, name: string, address: string | undefined, user: string | undefined): SshConfigValues {
  const o = user !== undefined ? { user } : {};
  try {
    const byName = lookup.compute(name, o);
    if (address === undefined || address === name) return byName;
    const byAddress = lookup.compute(address, o);
    const proxy = byName.proxyjump !== undefined || byName.proxycommand !== undefined ? byName : byAddress;
    const { proxyjump: _j, proxycommand: _c, ...merged } = { ...byAddress, ...byName };
    return {
      ...merged,
      ...(proxy.proxyjump !== undefined ? { proxyjump: proxy.proxyjump } : {}),
      ...(proxy.proxycommand !== undefined ? { proxycommand: proxy.proxycommand } : {}),
    };
  } catch (err) {
    if (err instanceof SshConfigError) throw new SshSettingsError(name, err.message, { cause: err });
    throw err;
  }
}

export function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? home + p.slice(1) : p;
}

/** An IdentityFile from ssh config: `~` and the tokens ssh accepts there (%d %u %h %r %n %p %k %i %L %l %%). */
export function expandIdentityFile(p: string, t: HostTokens): string {
  const full = localHostName();
  try {
    return percentExpand(expandHome(p, t.home), {
      d: t.home, u: t.localUser, h: t.host, r: t.user, n: t.original, p: String(t.port), k: t.keyAlias,
      i: String(process.getuid?.() ?? ''), l: full, L: full.split('.')[0] ?? full,
    }, 'IdentityFile');
  } catch (err) {
    if (err instanceof PercentTokenError) throw new SshSettingsError(t.original, `${t.original}: ${err.message} in ssh config`, { cause: err });
    throw err;
  }
}

/** The ProxyCommand to run for a host, tokens filled in; throws SshSettingsError for what cannot run. */
export function proxyCommandFor(raw: string, cfg: SshConfigValues, t: ProxyTokens): string {
  const name = t.original;
  if (raw.trim() === '-') throw new SshSettingsError(name, `${name}: ProxyCommand - (ssh's own stdin and stdout) is not supported`);
  if (cfg.proxyusefdpass === 'yes') {
    throw new SshSettingsError(name, `${name}: ProxyUseFdpass yes is not supported; the ProxyCommand must relay the connection on its stdin and stdout`);
  }
  try {
    return expandProxyCommand(raw, t);
  } catch (err) {
    const why = err instanceof PercentTokenError ? `${err.message} in ssh config` : (err as Error).message;
    throw new SshSettingsError(name, `${name}: ${why}`, { cause: err });
  }
}
