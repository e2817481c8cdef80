// Deterministic identifiers: every uuid in the lab is derived from the seed and a stable key, so two
// labs started with the same seed and configuration expose the same ids.

import { createHash } from 'node:crypto';

export function seededUuid(seed: string | number, key: string): string {
  const h = createHash('sha256').update(`${seed}\u0000${key}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Hex digest used for fake scripts checksums (cloud-scripts signature is a sha512). */
export function seededHex(seed: string | number, key: string, bytes = 64): string {
  const out: string[] = [];
  let i = 0;
  while (out.join('').length < bytes * 2) {
    out.push(createHash('sha512').update(`${seed}\u0000${key}\u0000${i++}`).digest('hex'));
  }
  return out.join('').slice(0, bytes * 2);
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
