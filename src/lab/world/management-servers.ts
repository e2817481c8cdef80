// The cluster's rows in the mshost table: one record per management server (mgmt1, mgmt2, …), each on a
// loopback address of its own so that every server can bind the same ports (8080, 8096) as on real hosts.

import { seededHex, seededUuid } from '../ids.js';
import type { ManagementServerRecord } from './world.js';

const BASE_TIME = Date.UTC(2024, 11, 1, 8, 0, 0);

/** mgmtN's record; `index` counts from 1. The msid is a 44-bit number, like the MAC-derived ones of real hosts. */
export function managementServerRecord(seed: string | number, index: number, address: string, version: string): ManagementServerRecord {
  return {
    id: seededUuid(seed, `ms:${index}`), internalId: index, msid: Number.parseInt(seededHex(seed, `msid:${index}`, 6).slice(0, 11), 16),
    name: `mgmt${index}`, ipAddress: address, version, created: BASE_TIME,
  };
}

/**
 * Addresses of `count` servers: the explicit list when given, else the lab address and the ones after it
 * (127.0.0.1 → 127.0.0.2, …). ::1 has no neighbours: a cluster there needs explicit IPv4 loopback addresses.
 */
export function managementServerAddresses(base: string, count: number, explicit?: readonly string[]): string[] {
  if (explicit && explicit.length > 0) {
    if (explicit.length < count) throw new Error(`${count} management servers need ${count} addresses, got ${explicit.length} (msAddresses)`);
    return explicit.slice(0, count);
  }
  const first = base === 'localhost' ? '127.0.0.1' : base;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(first);
  if (!m) {
    if (count === 1) return [base];
    throw new Error(`${count} management servers need IPv4 loopback addresses (127.0.0.0/8); the lab address is ${base} (give msAddresses)`);
  }
  const n0 = (Number(m[1]) << 16) + (Number(m[2]) << 8) + Number(m[3]);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = n0 + i;
    if (n > 0xfffffe) throw new Error(`no room after ${first} for ${count} management-server addresses (give msAddresses)`);
    out.push(`127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`);
  }
  // the first server keeps the address as given (localhost stays localhost)
  out[0] = base;
  return out;
}
