// How a management-server host sees the lab's listeners: its own loopback ports 8080 (the API) and
// the integration port map to its own server's real listeners (`core` is the host's view: `core.ms` and
// `core.address` are that server's). Used by the emulated curl and sysvmadm and by SSH direct-tcpip
// forwarding, so a tunnel to 127.0.0.1:8096 behaves like on a real host.

import type { LabCore } from '../core.js';

export type PortTarget = { readonly kind: 'ok'; readonly port: number } | { readonly kind: 'refused' } | { readonly kind: 'unknown-host' };

export function isLocalName(core: LabCore, host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '127.0.0.1' || h === '::1' || h === core.address || h === core.ms.name || h === 'localhost.localdomain';
}

export function resolveLocalPort(core: LabCore, host: string, port: number): PortTarget {
  if (!isLocalName(core, host)) return { kind: 'unknown-host' };
  const ms = core.ms;
  if ((port === 8080 || port === ms.api.port) && ms.api.isOpen) return { kind: 'ok', port: ms.api.port };
  if (ms.integration.isOpen && port === ms.integration.port) return { kind: 'ok', port };
  return { kind: 'refused' };
}
