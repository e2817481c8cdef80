// Session-mode state (docs/cloudstack-facts.md §1.4): `login` over POST returns a sessionkey and sets the JSESSIONID
// and sessionkey cookies; later calls send both cookies and the `sessionkey` parameter, because the
// default check (CookieAndParameter) wants them to match.

export interface Session {
  readonly sessionkey: string;
  /** Cookie name → value, as last set by the server. */
  readonly cookies: Map<string, string>;
}

/** `name=value` of each Set-Cookie header; attributes (Path, HttpOnly…) are irrelevant to a client. */
export function parseSetCookie(headers: string | readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const lines = headers === undefined ? [] : typeof headers === 'string' ? [headers] : headers;
  for (const line of lines) {
    const pair = line.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    out.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return out;
}

export function mergeCookies(session: Session, headers: string | readonly string[] | undefined): void {
  for (const [k, v] of parseSetCookie(headers)) session.cookies.set(k, v);
}

export function cookieHeader(session: Session): string {
  return [...session.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** The form fields of the login call; `domain` defaults to ROOT on the server. */
export function loginFields(username: string, password: string, domain: string | undefined): Record<string, string> {
  const fields: Record<string, string> = { command: 'login', username, password, response: 'json' };
  if (domain !== undefined && domain !== '') fields['domain'] = domain;
  return fields;
}
