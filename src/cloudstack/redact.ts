// Masking for everything the client puts into error messages and events: auth parameters are
// replaced by name, and known secret values (and their URL-encoded forms) by value as a second guard.

const SECRET_PARAMS = new Set(['apikey', 'secretkey', 'signature', 'sessionkey', 'password']);
const MASK = '***';

export function isSecretParam(name: string): boolean {
  return SECRET_PARAMS.has(name.toLowerCase());
}

/** `METHOD url?k=v&…` for messages, with secret parameters masked. Values are shown decoded. */
export function describeRequest(method: string, url: string, params: Readonly<Record<string, string>>): string {
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${isSecretParam(k) ? MASK : v}`)
    .join('&');
  return `${method} ${url}${query ? `?${query}` : ''}`;
}

/** Holds secret values and scrubs them from any text. */
export class Redactor {
  private readonly values = new Set<string>();

  add(value: string | undefined): void {
    // Very short values would mask ordinary words; real keys, passwords and signatures are longer.
    if (!value || value.length < 4) return;
    this.values.add(value);
    this.values.add(encodeURIComponent(value));
  }

  scrub(text: string): string {
    let out = text;
    // Longest first so a value that contains another is masked whole.
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join(MASK);
    return out;
  }
}
