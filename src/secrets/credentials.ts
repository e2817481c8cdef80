// Credentials that arrive in responses (getUserKeys, a login answer, a session cookie) become secrets
// of the run as soon as they are seen, so every later output path masks them.

import type { SecretRegistry } from './masker.js';

const CREDENTIAL_FIELDS = new Set(['apikey', 'secretkey', 'password', 'sessionkey', 'privatekey', 'signature', 'token', 'access_token', 'refresh_token']);

/** Registers every string under a credential-named key, at any depth. */
export function registerCredentials(secrets: Pick<SecretRegistry, 'add'>, value: unknown, depth = 0): void {
  if (depth > 20 || value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && CREDENTIAL_FIELDS.has(k.toLowerCase())) secrets.add(v);
    else registerCredentials(secrets, v, depth + 1);
  }
}

/** Cookie names that carry a session or a credential (JSESSIONID, sessionkey, auth_token, …). */
const CREDENTIAL_COOKIE = /sess|token|auth|key|sid|jwt|login/i;

/**
 * Registers the values of Set-Cookie headers that carry a session: HttpOnly ones and those named like a
 * credential. A cookie such as `lang=en` is not one, and masking its value would hide that word
 * everywhere in the run's output and journal.
 */
export function registerCookies(secrets: Pick<SecretRegistry, 'add'>, setCookie: string | readonly string[] | undefined): void {
  for (const c of typeof setCookie === 'string' ? [setCookie] : setCookie ?? []) {
    const m = /^([^=;]+)=([^;]*)/.exec(c);
    if (m?.[2] && (CREDENTIAL_COOKIE.test(m[1]!) || /;\s*httponly\b/i.test(c))) secrets.add(m[2]);
  }
}
