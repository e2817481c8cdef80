// The command line a ProxyCommand runs: its %h %p %r %n %k tokens filled in as OpenSSH fills them. The
// values are spliced into a shell command unquoted (that is what ssh does, and what configs are written
// for), so a value holding anything a shell would interpret is refused instead of being run.
import { percentExpand } from './percent-tokens.js';

export interface ProxyTokens {
  /** %h: the host name connected to (HostName, lower-cased). */
  readonly host: string;
  /** %p */
  readonly port: number;
  /** %r: the remote user. */
  readonly user: string;
  /** %n: the name as given (inventory name or hop alias). */
  readonly original: string;
  /** %k: HostKeyAlias, else %n. */
  readonly keyAlias: string;
}

// Letters, digits and . _ : % @ + - cover host names, IPv6 addresses (with %scope), and user names;
// a leading '-' could turn a value into an option of the proxy program.
const PLAIN = /^[\p{L}\p{N}._:%@+-]+$/u;

/** Throws Error with the reason when a token value is not plain. */
export function expandProxyCommand(raw: string, t: ProxyTokens): string {
  const values: Record<string, string> = { h: t.host, p: String(t.port), r: t.user, n: t.original, k: t.keyAlias };
  for (const [token, value] of Object.entries(values)) {
    if (!raw.includes(`%${token}`)) continue;
    if (!PLAIN.test(value) || value.startsWith('-')) {
      throw new Error(`refusing to run ProxyCommand "${raw}": %${token} would insert ${JSON.stringify(value)}, ` +
        'which holds characters a shell would interpret');
    }
  }
  return percentExpand(raw, values, 'ProxyCommand');
}
