// Creates the CloudStack client for a management-server host from its inventory `cloudstack:`
// settings; `via` routes every connection (API and integration port) through that host's SSH tunnel.
// One client per host and mode per run (DefaultRunServices caches what this returns).

import { createCloudStackClient } from '../cloudstack/index.js';
import type { CloudStackClient, CloudStackEndpoint, CloudStackEvent, PollPolicy, RetryPolicy, SecretSink } from '../cloudstack/index.js';
import type { Inventory } from '../inventory/types.js';
import type { CloudStackFactory } from './services.js';
import { CloudStackSetupError } from '../cloudstack/errors.js';
import { DEFAULT_INTEGRATION_PORT } from '../cloudstack/helpers.js';
import { connectThrough } from '../transports/connect-via.js';

export interface CloudStackFactoryOptions {
  /** The run's inventory and secret registry; read from the services object when absent. */
  readonly inventory?: Inventory;
  readonly secrets?: SecretSink;
  /** Epoch ms for v3 `expires` and job deadlines (tests shift it to produce expired requests). */
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly retry?: Partial<RetryPolicy>;
  readonly poll?: Partial<PollPolicy>;
  /** Per-HTTP-request budget in ms. */
  readonly timeoutMs?: number;
  readonly onEvent?: (event: CloudStackEvent) => void;
}

/** The endpoint for `hostName` in `mode`; integration mode carries no credentials at all. */
function endpointFor(inventory: Inventory, hostName: string, mode: 'signed' | 'integration'): CloudStackEndpoint {
  const host = inventory.hosts.get(hostName);
  if (!host) throw new CloudStackSetupError(hostName, `host '${hostName}' is not in the inventory`);
  const cs = host.cloudstack;
  if (!cs) throw new CloudStackSetupError(hostName, `host '${hostName}' has no 'cloudstack:' settings in the inventory (url, api_key, secret_key …)`);
  const url = cs.url ?? (host.address ? `http://${host.address}:8080/client/api` : undefined);
  if (!url) throw new CloudStackSetupError(hostName, `host '${hostName}': 'cloudstack.url' is missing and the host has no address`);
  const tls = cs.caFile !== undefined || cs.insecure ? { ...(cs.caFile ? { caFile: cs.caFile } : {}), ...(cs.insecure ? { insecure: true } : {}) } : undefined;
  const base = { name: hostName, url, ...(cs.via ? { via: cs.via } : {}), ...(tls ? { tls } : {}) };
  if (mode === 'integration') return { ...base, integrationPort: cs.integrationPort ?? DEFAULT_INTEGRATION_PORT };
  if (!(cs.apiKey && cs.secretKey) && !(cs.username && cs.password !== undefined)) {
    throw new CloudStackSetupError(hostName, `host '${hostName}': signed API calls need cloudstack.api_key and secret_key (or username and password)`);
  }
  return {
    ...base,
    ...(cs.apiKey ? { apiKey: cs.apiKey } : {}),
    ...(cs.secretKey ? { secretKey: cs.secretKey } : {}),
    ...(cs.username ? { username: cs.username } : {}),
    ...(cs.password !== undefined ? { password: cs.password } : {}),
    ...(cs.domain ? { domain: cs.domain } : {}),
    ...(cs.integrationPort ? { integrationPort: cs.integrationPort } : {}),
    ...(cs.signatureVersion ? { signatureVersion: cs.signatureVersion } : {}),
  };
}

export function createCloudstackFactory(o: CloudStackFactoryOptions = {}): CloudStackFactory {
  return async (hostName, mode, run): Promise<CloudStackClient> => {
    const services = run.services;
    const inventory = o.inventory ?? run.inventory;
    if (!inventory) throw new CloudStackSetupError(hostName, 'the CloudStack client factory was given no inventory');
    const secrets = o.secrets ?? run.secrets;
    const endpoint = endpointFor(inventory, hostName, mode);
    const via = endpoint.via;
    return createCloudStackClient(endpoint, {
      ...(via ? { connect: (host: string, port: number) => connectThrough(services, via, host, port) } : {}),
      ...(secrets ? { secrets } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.sleep ? { sleep: o.sleep } : {}),
      ...(o.retry ? { retry: o.retry } : {}),
      ...(o.poll ? { poll: o.poll } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.onEvent || run.onEvent ? { onEvent: (e: CloudStackEvent) => { o.onEvent?.(e); run.onEvent?.(e); } } : {}),
    });
  };
}

export const cloudstackFactory: CloudStackFactory = createCloudstackFactory();
