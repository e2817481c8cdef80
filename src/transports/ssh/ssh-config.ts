// Answers "which ~/.ssh/config settings apply to this host" the way `ssh -G HOST` does: Host and Match
// blocks (Include files inside them applying only with them), first obtained value wins, a second pass
// when `Match final` (or CanonicalizeHostname) asks for one, ProxyCommand vs ProxyJump whichever comes first.
import { isIP } from 'node:net';
import { loadConfigFile, parseConfigText, SshConfigError, type ConfigFile, type ConfigItem, type Where } from './ssh-config-files.js';
import { hostLineMatches, matchApplies, wantsFinal, type MatchContext } from './ssh-config-match.js';
import { percentExpand, PercentTokenError } from './percent-tokens.js';

export { SshConfigError } from './ssh-config-files.js';

/** The settings stackplay reads, as ssh -G would print them (HostName expanded; "none" proxies dropped). */
export interface SshConfigValues {
  readonly hostname?: string;
  readonly user?: string;
  readonly port?: string;
  readonly identityfile?: readonly string[];
  readonly identitiesonly?: string;
  /** At most one of proxyjump and proxycommand is set: the one obtained first. */
  readonly proxyjump?: string;
  /** Raw: tokens are expanded when the host is resolved. */
  readonly proxycommand?: string;
  readonly proxyusefdpass?: string;
  readonly hostkeyalias?: string;
  readonly connecttimeout?: string;
}

interface ComputeOptions {
  /** A user given outside ssh config (the inventory), like `ssh -l`: it wins, and `Match user` sees it. */
  readonly user?: string;
}

export interface SshConfigLookup {
  compute(alias: string, o?: ComputeOptions): SshConfigValues;
}

const FIRST_WINS = ['hostname', 'user', 'port', 'identitiesonly', 'hostkeyalias', 'connecttimeout', 'proxyusefdpass', 'canonicalizehostname'] as const;
type FirstWins = typeof FIRST_WINS[number];

interface Acc {
  values: Partial<Record<FirstWins, string>>;
  hostnameAt?: Where;
  identityfile: string[];
  proxycommand?: string;
  proxyjump?: string;
  wantFinal: boolean;
}

function apply(acc: Acc, it: Extract<ConfigItem, { kind: 'option' }>): void {
  const k = it.keyword;
  if ((FIRST_WINS as readonly string[]).includes(k)) {
    const key = k as FirstWins;
    if (acc.values[key] === undefined) {
      acc.values[key] = it.args[0] as string;
      if (key === 'hostname') acc.hostnameAt = it.where;
    }
  } else if (k === 'identityfile') {
    const f = it.args[0] as string;
    if (!acc.identityfile.includes(f)) acc.identityfile.push(f); // ssh ignores a repeated key
  } else if (k === 'proxycommand') {
    acc.proxycommand ??= it.rest;
  } else if (k === 'proxyjump') {
    // ProxyJump sets ProxyCommand to none and the reverse: the first one obtained wins. `ProxyJump none`
    // only stops later ProxyJump lines (OpenSSH since 10.3, and Debian's 9.2p1 with its backports).
    if (it.rest.toLowerCase() === 'none') acc.proxyjump ??= 'none';
    else if (acc.proxycommand === undefined && acc.proxyjump === undefined) {
      acc.proxyjump = (it.rest.split('#')[0] as string).trimEnd();
      acc.proxycommand = 'none';
    }
  }
}

interface Pass {
  /** What `Host` lines match: the name as given, or the final host name in the final pass. */
  readonly hostLines: string;
  readonly alias: string;
  readonly localUser: string;
  readonly final: boolean;
}

function expandHostName(acc: Acc, alias: string): string | undefined {
  const h = acc.values.hostname;
  if (h === undefined) return undefined;
  try {
    return percentExpand(h, { h: alias }, 'HostName');
  } catch (err) {
    if (err instanceof PercentTokenError && acc.hostnameAt) throw new SshConfigError(acc.hostnameAt, err.message);
    throw err;
  }
}

/** ssh lower-cases the host name it connects to, addresses excepted. */
export function lowerHost(h: string): string {
  return isIP(h) !== 0 ? h : h.toLowerCase();
}

function walk(file: ConfigFile, acc: Acc, state: { active: boolean }, neverMatch: boolean, pass: Pass): void {
  for (const it of file.items) {
    if (it.kind === 'host') state.active = !neverMatch && hostLineMatches(pass.hostLines, it.patterns);
    else if (it.kind === 'match') {
      if (wantsFinal(it.criteria)) acc.wantFinal = true;
      const ctx: MatchContext = {
        host: pass.final ? acc.values.hostname ?? pass.alias : expandHostName(acc, pass.alias) ?? pass.alias,
        originalHost: pass.alias, user: acc.values.user ?? pass.localUser, localUser: pass.localUser, final: pass.final,
      };
      state.active = !neverMatch && matchApplies(it.criteria, ctx);
    } else if (it.kind === 'include') {
      // An included file starts in the includer's state, is parsed only when that state is inactive,
      // and its own Host/Match lines do not leak back into the includer.
      const outer = state.active;
      for (const f of it.files) {
        walk(f, acc, state, neverMatch || !outer, pass);
        state.active = outer;
      }
    } else if (state.active) apply(acc, it);
  }
}

function evaluate(root: ConfigFile, alias: string, localUser: string, o: ComputeOptions): SshConfigValues {
  const acc: Acc = { values: o.user !== undefined ? { user: o.user } : {}, identityfile: [], wantFinal: false };
  walk(root, acc, { active: true }, false, { hostLines: alias, alias, localUser, final: false });
  const expanded = expandHostName(acc, alias);
  const canonicalize = acc.values.canonicalizehostname?.toLowerCase();
  if (acc.wantFinal || canonicalize === 'yes' || canonicalize === 'always') {
    // ssh re-reads the config with the final host name (no DNS canonicalization here: see docs/ssh.md).
    const host = lowerHost(expanded ?? alias);
    acc.values.hostname = host;
    walk(root, acc, { active: true }, false, { hostLines: host, alias, localUser, final: true });
  }
  const v = acc.values;
  const out: Record<string, unknown> = {
    hostname: acc.wantFinal || canonicalize === 'yes' || canonicalize === 'always' ? v.hostname : expanded,
    user: v.user, port: v.port, identityfile: acc.identityfile.length > 0 ? acc.identityfile : undefined,
    identitiesonly: v.identitiesonly?.toLowerCase(), hostkeyalias: v.hostkeyalias, connecttimeout: v.connecttimeout,
    proxyusefdpass: v.proxyusefdpass?.toLowerCase(),
    proxyjump: acc.proxyjump === 'none' ? undefined : acc.proxyjump,
    proxycommand: acc.proxyjump !== undefined && acc.proxyjump !== 'none' ? undefined
      : acc.proxycommand === undefined || acc.proxycommand.toLowerCase() === 'none' ? undefined : acc.proxycommand,
  };
  if (o.user !== undefined) delete out['user'];
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as SshConfigValues;
}

function lookupOf(root: ConfigFile | null, localUser: string): SshConfigLookup {
  if (root === null) return { compute: () => ({}) };
  const memo = new Map<string, SshConfigValues>();
  return {
    compute(alias, o = {}) {
      const key = `${alias}\0${o.user ?? ''}`;
      let v = memo.get(key);
      if (v === undefined) {
        v = evaluate(root, alias, localUser, o);
        memo.set(key, v);
      }
      return v;
    },
  };
}

/** A config given as text (no Include: that needs files). Throws SshConfigError. */
export function parseSshConfig(text: string, o: { readonly localUser?: string; readonly file?: string } = {}): SshConfigLookup {
  return lookupOf(parseConfigText(text, o.file ?? 'ssh config'), o.localUser ?? '');
}

interface LoadSshConfigOptions {
  /** `~` and relative Include paths. */
  readonly home: string;
  /** For `Match user` / `Match localuser`. */
  readonly localUser: string;
  /** Check the main file's owner and mode as ssh does for ~/.ssh/config. Included files are always checked. */
  readonly checkPerms: boolean;
}

/** A missing file is an empty config; anything ssh would refuse is an SshConfigError naming file:line:col. */
export async function loadSshConfig(path: string | null, o: LoadSshConfigOptions): Promise<SshConfigLookup> {
  if (path === null) return lookupOf(null, o.localUser);
  const root = await loadConfigFile(path, { home: o.home, checkMainPerms: o.checkPerms });
  return lookupOf(root, o.localUser);
}
