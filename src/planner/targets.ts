// What a run touches, as keys that do not depend on names, files or the working directory: the SSH
// address and port of each host the plan selects (and of hosts its steps name or reach the API
// through), this machine for local hosts, and each management server's API URL. Written to the
// journal's header; the open-undo guard refuses a run whose targets meet those of a run that left undo
// steps open.

import os from 'node:os';
import type { HostEntry, Inventory } from '../inventory/types.js';
import type { RunPlan } from './plan.js';

/** The keys of what a planned run touches: its hosts, the hosts its API calls go through, the APIs. */
export function runTargets(plan: RunPlan, inventory: Inventory): string[] {
  const keys = new Set<string>();
  for (const name of plan.touched) {
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
