// CloudStack request signing (docs/cloudstack-facts.md §1.1–1.2): the string-to-sign is built exactly as
// ApiServer.verifyRequest rebuilds it on the server, so a request we sign is one the server accepts.
// Signature v3 adds `signatureVersion=3` and `expires`; v2 has no expiry.
import { createHmac } from 'node:crypto';

const UNRESERVED = /^[A-Za-z0-9.\-*_]$/;

/**
 * Java `URLEncoder.encode(value, "UTF-8")` followed by `+` → `%20`, as the server does it:
 * `A-Z a-z 0-9 . - * _` stay, everything else is UTF-8 percent-encoded (`~` → `%7E`, space → `%20`).
 */
export function javaUrlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Java's `Collections.sort` on Strings: UTF-16 code-unit order, case-sensitive. */
function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The lower-cased string the server signs: every parameter except `signature` (any case), names as
 * sent and sorted case-sensitively, values Java-URL-encoded, joined with `&`.
 */
export function stringToSign(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort(compareUtf16)
    .filter((name) => name.toLowerCase() !== 'signature')
    .map((name) => `${name}=${javaUrlEncode(params[name] ?? '')}`)
    .join('&')
    .toLowerCase();
}

/** Base64 HMAC-SHA1 of the string-to-sign, keyed with the secret's UTF-8 bytes (not URL-encoded). */
export function computeSignature(params: Readonly<Record<string, string>>, secretKey: string): string {
  return createHmac('sha1', Buffer.from(secretKey, 'utf8')).update(stringToSign(params), 'utf8').digest('base64');
}

/** `yyyy-MM-dd'T'HH:mm:ssZ` in UTC, e.g. `2025-11-24T14:05:00+0000` (one of the formats the server parses). */
export function formatExpires(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())}` +
    `T${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}+0000`
  );
}

interface SignOptions {
  readonly apiKey: string;
  readonly secretKey: string;
  /** 3 (default) adds `signatureVersion=3` and `expires`; 2 signs without expiry. */
  readonly version?: 2 | 3;
  /** Epoch milliseconds; injectable so tests and skew checks are deterministic. */
  readonly now?: number;
  /** Lifetime of a v3 signature. Default 10 minutes, like the Python `cs` client. */
  readonly expiresInMs?: number;
}

const DEFAULT_EXPIRES_IN_MS = 10 * 60 * 1000;

/**
 * Returns a new parameter map with `apiKey` (and for v3 `signatureVersion`/`expires`) added and the
 * plain (not URL-encoded) base64 `signature`. Encode it when putting it on the wire.
 */
export function signParams(
  params: Readonly<Record<string, string>>,
  opts: SignOptions,
): Readonly<Record<string, string>> {
  const signed: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    // Stale auth parameters from the caller would either break or duplicate the signature.
    if (['signature', 'apikey', 'signatureversion', 'expires'].includes(k.toLowerCase())) continue;
    signed[k] = v;
  }
  signed['apiKey'] = opts.apiKey;
  if ((opts.version ?? 3) === 3) {
    const now = opts.now ?? Date.now();
    signed['signatureVersion'] = '3';
    signed['expires'] = formatExpires(new Date(now + (opts.expiresInMs ?? DEFAULT_EXPIRES_IN_MS)));
  }
  signed['signature'] = computeSignature(signed, opts.secretKey);
  return signed;
}
