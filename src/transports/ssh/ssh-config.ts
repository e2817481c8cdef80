// Reads the user's ~/.ssh/config through the `ssh-config` package and answers "which settings apply to
// this alias". Keys come back lower-cased (OpenSSH directives are case-insensitive). `Match exec` is never
// evaluated: a runner should not run shell snippets found in a config file as a side effect of a lookup.
import { readFile } from 'node:fs/promises';
import SSHConfig from 'ssh-config';

export interface SshConfigValues {
  readonly hostname?: string;
  readonly user?: string;
  readonly port?: string;
  readonly identityfile?: readonly string[];
  readonly identitiesonly?: string;
  readonly proxyjump?: string;
  readonly hostkeyalias?: string;
  readonly connecttimeout?: string;
}

export interface SshConfigLookup {
  compute(alias: string): SshConfigValues;
}

const EMPTY: SshConfigLookup = { compute: () => ({}) };

function pick(raw: Record<string, string | string[]>): SshConfigValues {
  const one = (k: string): string | undefined => {
    const v = raw[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const many = (k: string): string[] | undefined => {
    const v = raw[k];
    return v === undefined ? undefined : Array.isArray(v) ? v : [v];
  };
  const out: Record<string, unknown> = {
    hostname: one('hostname'), user: one('user'), port: one('port'), identityfile: many('identityfile'),
    identitiesonly: one('identitiesonly')?.toLowerCase(), proxyjump: one('proxyjump'),
    hostkeyalias: one('hostkeyalias'), connecttimeout: one('connecttimeout'),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as SshConfigValues;
}

export function parseSshConfig(text: string): SshConfigLookup {
  const config = SSHConfig.parse(text);
  return {
    compute(alias) {
      return pick(config.compute(alias, { ignoreCase: true, matchExec: false }));
    },
  };
}

/** A missing file is an empty config; a malformed one is reported with its path. */
export async function loadSshConfig(path: string | null): Promise<SshConfigLookup> {
  if (path === null) return EMPTY;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw err;
  }
  try {
    return parseSshConfig(text);
  } catch (err) {
    throw new Error(`cannot parse ssh config ${path}: ${(err as Error).message}`, { cause: err });
  }
}
