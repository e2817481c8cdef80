// The types and ranges of an inventory's connection settings, checked where they are written: a list
// given as an address, a port out of range, an API URL without a host. Each would otherwise surface
// only when the run connects, as a raw error of the socket or URL parser.

import type { NodeReader } from '../yaml/node-reader.js';
import type { YNode } from '../yaml/yaml-nodes.js';

/** A value as a message shows it: scalars as written, structures by shape only. */
export function shownValue(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 37)}...` : v}'`;
  return String(v);
}

const TEXT_KEYS = new Set(['address', 'user', 'key_file', 'jump', 'known_hosts']);

/** True when `v` fits connection setting `key`; otherwise a problem at `node`. */
export function checkConnValue(r: NodeReader, node: YNode, key: string, v: unknown, what: string): boolean {
  if (key === 'port') {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535) return true;
    r.problem(node, typeof v === 'number' && Number.isInteger(v) ? 'bad-value' : 'wrong-type', `${what} port must be a TCP port number (1 to 65535), not ${shownValue(v)}`);
    return false;
  }
  if (TEXT_KEYS.has(key)) {
    if (typeof v !== 'string' && typeof v !== 'number') {
      r.problem(node, 'wrong-type', `${what} ${key} must be one value (a string), not ${shownValue(v)}`);
      return false;
    }
    const text = String(v);
    if (text.trim() === '' || (key === 'address' && /\s/.test(text))) {
      r.problem(node, 'bad-value', `${what} ${key} must be ${key === 'address' ? 'a host name or IP address without spaces' : 'a non-empty string'}, not ${shownValue(v)}`);
      return false;
    }
  }
  return true;
}

/** A CloudStack API URL: http(s), a host, a port in range, no spaces. */
export function checkCloudStackUrl(r: NodeReader, node: YNode, url: unknown, what: string): void {
  const example = 'an http(s) URL such as http://10.0.0.5:8080/client/api';
  if (typeof url !== 'string') {
    r.problem(node, 'wrong-type', `${what} url must be ${example}, not ${shownValue(url)}`);
    return;
  }
  if (/\s/.test(url)) {
    r.problem(node, 'bad-value', `${what} url must not contain spaces (${example})`);
    return;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?::\d*)?(?:[/?#]|$)/i.test(url)) {
    r.problem(node, 'bad-value', `${what} url has no host (${example})`);
    return;
  }
  const port = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i.exec(url)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    r.problem(node, 'bad-value', `${what} url has port ${port}; a TCP port is 1 to 65535`);
    return;
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    r.problem(node, 'bad-value', `${what} url must be ${example}, not ${shownValue(url)}`);
    return;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') r.problem(node, 'bad-value', `${what} url must be ${example}, not a ${u.protocol}// one`);
  else if (u.hostname === '') r.problem(node, 'bad-value', `${what} url has no host (${example})`);
}
