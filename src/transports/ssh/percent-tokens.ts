// ssh_config's `%x` tokens (HostName, IdentityFile, ProxyCommand), expanded in one left-to-right scan as
// OpenSSH's percent_expand() does, so `%%h` is a literal `%h` and never the host. A token the keyword
// does not accept is an error, as in ssh.

export class PercentTokenError extends Error {}

export function percentExpand(s: string, values: Readonly<Record<string, string>>, keyword: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '%') {
      out += c;
      continue;
    }
    const t = s[++i];
    if (t === '%') out += '%';
    else if (t === undefined) throw new PercentTokenError(`${keyword} "${s}" ends with a lone %`);
    else {
      const v = values[t];
      if (v === undefined) {
        const allowed = ['%%', ...Object.keys(values).map((k) => `%${k}`)].join(' ');
        throw new PercentTokenError(`${keyword} "${s}": unknown token %${t} (it accepts ${allowed})`);
      }
      out += v;
    }
  }
  return out;
}
