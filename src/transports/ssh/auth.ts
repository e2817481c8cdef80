// Which authentication methods to offer a host, in order: configured key files, ssh-agent, default
// ~/.ssh/id_* keys (only when no key is configured, as OpenSSH does), then password and
// keyboard-interactive (answered with the same password). Key files are parsed up front so a wrong
// passphrase is reported as such, not as a vague "all methods failed".
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthenticationType, ParsedKey } from 'ssh2';
import { AuthError, SshSettingsError } from './errors.js';
import type { ResolvedHost } from './settings.js';

const { utils } = ssh2;

interface AuthAttempt {
  /** Shown in AuthError ("publickey /path", "agent", "password"); never contains a secret. */
  readonly label: string;
  /** The server-side method name it counts as (agent keys are "publickey"). */
  readonly serverMethod: AuthenticationType;
  readonly method: AnyAuthMethod;
}

export interface AuthSources {
  /** ssh-agent socket, or null for none. */
  readonly agentSocket: string | null;
  /** Tried when the host has no key configured. Missing files are skipped. */
  readonly defaultKeyFiles: readonly string[];
}

function isEncryptedError(e: Error): boolean {
  return /passphrase/i.test(e.message) && /no passphrase|encrypted/i.test(e.message);
}

/** Parse a private key file; explicit files fail loudly, default files quietly (null). */
async function loadKey(host: ResolvedHost, file: string, explicit: boolean): Promise<ParsedKey | null> {
  let data: Buffer;
  try {
    // a named pipe would block the connection forever, a device never end: only a small regular file
    const st = await stat(file);
    if (!st.isFile() || st.size > 1024 * 1024) {
      if (!explicit) return null;
      throw new SshSettingsError(host.name, `${host.name}: key file ${file} is ${st.isFile() ? 'larger than 1 MiB' : 'not a regular file'}`);
    }
    data = await readFile(file);
  } catch (err) {
    if (err instanceof SshSettingsError) throw err;
    if (!explicit) return null;
    const code = (err as NodeJS.ErrnoException).code;
    throw new SshSettingsError(host.name, `${host.name}: cannot read key file ${file} (${code ?? 'error'})`, { cause: err });
  }
  const parsed = utils.parseKey(data, host.passphrase);
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | Error | undefined) : parsed;
  if (key === undefined || key instanceof Error) {
    if (!explicit) return null;
    const why = key instanceof Error && isEncryptedError(key) && host.passphrase === undefined
      ? 'it is encrypted and no passphrase is configured'
      : host.passphrase !== undefined ? 'wrong passphrase or unsupported key format' : 'unsupported key format';
    throw new AuthError(host.name, host.user, [], `${host.name}: cannot use key file ${file}: ${why}`);
  }
  if (!key.isPrivateKey()) {
    if (!explicit) return null;
    throw new AuthError(host.name, host.user, [], `${host.name}: key file ${file} holds no private key`);
  }
  return key;
}

export async function authAttempts(host: ResolvedHost, sources: AuthSources): Promise<AuthAttempt[]> {
  const username = host.user;
  const attempts: AuthAttempt[] = [];
  for (const file of host.keyFiles) {
    const key = await loadKey(host, file, true);
    if (key) attempts.push({ label: `publickey ${file}`, serverMethod: 'publickey', method: { type: 'publickey', username, key } });
  }
  if (host.useAgent && sources.agentSocket !== null && sources.agentSocket !== '' && existsSync(sources.agentSocket)) {
    attempts.push({ label: 'agent', serverMethod: 'publickey', method: { type: 'agent', username, agent: sources.agentSocket } });
  }
  if (host.useDefaultKeys) {
    for (const file of sources.defaultKeyFiles) {
      const key = await loadKey(host, file, false);
      if (key) attempts.push({ label: `publickey ${file}`, serverMethod: 'publickey', method: { type: 'publickey', username, key } });
    }
  }
  const password = host.password;
  if (password !== undefined) {
    attempts.push({ label: 'password', serverMethod: 'password', method: { type: 'password', username, password } });
    attempts.push({
      label: 'keyboard-interactive', serverMethod: 'keyboard-interactive',
      method: {
        type: 'keyboard-interactive', username,
        // Answer password-looking prompts only; anything else (OTP, …) gets an empty answer and fails.
        prompt: (_name, _instr, _lang, prompts, finish) => finish(prompts.map((p) => (/password/i.test(p.prompt) ? password : ''))),
      },
    });
  }
  return attempts;
}

/**
 * ssh2 authHandler that walks `attempts`, skipping methods the server says it does not accept, and
 * records what it tried (for AuthError).
 */
export function authHandler(attempts: readonly AuthAttempt[], tried: string[]):
  (authsLeft: AuthenticationType[] | null, partial: boolean | null, next: (m: AnyAuthMethod | false) => void) => void {
  let i = 0;
  return (authsLeft, _partial, next) => {
    while (i < attempts.length) {
      const a = attempts[i++];
      if (a === undefined) break;
      if (authsLeft && authsLeft.length > 0 && !authsLeft.includes(a.serverMethod)) continue;
      tried.push(a.label);
      next(a.method);
      return;
    }
    next(false);
  };
}
