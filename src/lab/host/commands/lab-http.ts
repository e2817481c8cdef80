// A minimal HTTP client for emulated host commands (curl, cloudstack-sysvmadm): requests go to the lab's
// real listeners through the host's port map, failures come back as curl would describe them.

import http from 'node:http';
import type { LabCore } from '../../core.js';
import { resolveLocalPort } from '../port-map.js';

export type HttpOutcome =
  | { readonly ok: true; readonly status: number; readonly body: string }
  | { readonly ok: false; readonly code: number; readonly message: string };

export async function hostFetch(core: LabCore, url: string, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<HttpOutcome> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, code: 3, message: 'URL using bad/illegal format or missing URL' };
  }
  if (u.protocol !== 'http:') return { ok: false, code: 1, message: `Protocol "${u.protocol.replace(':', '')}" not supported` };
  const port = u.port ? Number(u.port) : 80;
  const host = u.hostname;
  const target = resolveLocalPort(core, host, port);
  if (target.kind === 'unknown-host') return { ok: false, code: 6, message: `Could not resolve host: ${host}` };
  if (target.kind === 'refused') return { ok: false, code: 7, message: `Failed to connect to ${host} port ${port} after 0 ms: Connection refused` };
  return new Promise((resolve) => {
    const req = http.request(
      { host: core.address, port: target.port, path: `${u.pathname}${u.search}`, method, headers: { Host: u.host, ...headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve({ ok: false, code: 56, message: 'Failure when receiving data from the peer' }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve(e.code === 'ECONNREFUSED'
        ? { ok: false, code: 7, message: `Failed to connect to ${host} port ${port} after 0 ms: Connection refused` }
        : { ok: false, code: 56, message: 'Recv failure: Connection reset by peer' }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}
