// Server-side request-signature checks, written from ApiServer.verifyRequest (4.20.1.0) and independent
// of the runner's client: Java URLEncoder semantics, case-sensitive sort of raw names, whole string
// lower-cased, HMAC-SHA1, Base64, constant-time compare; plus `expires` parsing for signature v3.

import { createHmac, timingSafeEqual } from 'node:crypto';

const JAVA_SAFE = /[A-Za-z0-9.\-*_]/;

/** java.net.URLEncoder.encode(value, "UTF-8") with every `+` then replaced by `%20`. */
export function javaUrlEncode(value: string): string {
  let out = '';
  for (const ch of value) {
    if (JAVA_SAFE.test(ch)) out += ch;
    else if (ch === ' ') out += '%20';
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * The string CloudStack signs: every parameter except `signature` (any case), names as received and
 * sorted like Java's Collections.sort (UTF-16 code-unit order), values Java-URL-encoded, lower-cased.
 */
export function canonicalString(params: ReadonlyArray<readonly [string, string]>): string {
  const kept = params.filter(([k]) => k.toLowerCase() !== 'signature');
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return kept.map(([k, v]) => `${k}=${javaUrlEncode(v)}`).join('&').toLowerCase();
}

export function computeSignature(params: ReadonlyArray<readonly [string, string]>, secretKey: string): string {
  return createHmac('sha1', Buffer.from(secretKey, 'utf8')).update(canonicalString(params), 'utf8').digest('base64');
}

/** Constant-time comparison of the expected and presented signatures. */
export function signatureMatches(params: ReadonlyArray<readonly [string, string]>, secretKey: string, presented: string): boolean {
  const expected = Buffer.from(computeSignature(params, secretKey), 'utf8');
  const given = Buffer.from(presented, 'utf8');
  if (expected.length !== given.length) return false;
  return timingSafeEqual(expected, given);
}

const EXPIRES_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z(?:[+-]\d{4})?|[+-]\d{2}:?\d{2})$/;

/**
 * Parses `expires` in the formats CloudStack accepts (DateUtil.parseTZDateString): ISO offset date-time,
 * yyyy-MM-dd'T'HH:mm:ssZ, ISO instant, fractional-second variants and yyyy-MM-dd'T'HH:mm:ss'Z'Z.
 * Returns epoch milliseconds or undefined when it does not parse.
 */
export function parseExpires(s: string): number | undefined {
  const m = EXPIRES_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(se) > 59) return undefined;
  let offsetMin = 0;
  const z = zone!;
  // 'Z' alone is UTC; 'Z+0100' (the 'Z'Z pattern) and '+01:00' / '+0100' carry the offset.
  const off = z.startsWith('Z') ? z.slice(1) : z;
  if (off) {
    const sign = off.startsWith('-') ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const t = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(se), ms);
  return t - offsetMin * 60_000;
}
