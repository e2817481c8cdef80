// What a run touches, as keys that do not depend on names, files or the working directory: the SSH
// address and port of each host it selects (and of hosts its steps name or reach the API through), this
// machine for local hosts, and each management server's API URL. Written to the journal's header; the
// open-undo guard refuses a run whose targets meet those of a run that left undo steps open.

import os from 'node:os';
import type { Play, Step } from '../loader/ast.js';
import { selectHosts } from '../inventory/pattern.js';
import type { HostEntry, Inventory } from '../inventory/types.js';

/** Step arguments that name another inventory host the step acts on or goes through. */
const HOST_ARGS = ['host', 'via', 'from'] as const;

export function runTargets(plays: readonly Play[], inventory: Inventory, limit?: string): string[] {
  const names = new Set<string>();
  const allowed = limit ? new Set(selectHosts(inventory, limit)) : null;
  const visit = (s: Step): void => {
    if (s.kind === 'block') [...s.block, ...s.rescue, ...s.always].forEach(visit);
    else {
      for (const key of HOST_ARGS) {
        const v = s.args[key];
        if (typeof v === 'string' && inventory.hosts.has(v)) names.add(v);
      }
    }
    s.undo.forEach(visit);
  };
  for (const play of plays) {
    const hosts = selectHosts(inventory, play.hosts).filter((h) => !allowed || allowed.has(h));
    if (hosts.length === 0) continue;
    hosts.forEach((h) => names.add(h));
    [...play.steps, ...play.handlers].forEach(visit);
  }
  const keys = new Set<string>();
  for (const name of names) {
    const h = inventory.hosts.get(name);
    if (!h) continue;
    keys.add(hostKey(h));
    const via = h.cloudstack?.via ? inventory.hosts.get(h.cloudstack.via) : undefined;
    if (via) keys.add(hostKey(via));
    if (h.cloudstack) keys.add(endpointKey(h, via));
  }
  return [...keys].sort();
}

function hostKey(h: HostEntry): string {
  if (h.connection === 'local') return `local:${os.hostname()}`;
  return `ssh:${(h.address ?? h.name).toLowerCase()}:${h.port ?? 22}`;
}

/** The API URL without credentials or query; seen from the `via` host when the API is reached through one. */
function endpointKey(h: HostEntry, via: HostEntry | undefined): string {
  const raw = h.cloudstack?.url ?? `http://${h.address ?? h.name}:8080/client/api`;
  let url: string;
  try {
    const u = new URL(raw);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    url = `${u.protocol}//${u.hostname.toLowerCase()}:${port}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    url = raw;
  }
  return `cloudstack:${url}${via ? ` via ${hostKey(via)}` : ''}`;
}
