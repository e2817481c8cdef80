// Probing one management server as the inventory describes it: its integration port (over TCP through
// `via` when the API is reached that way, and straight from the runner for the exposure check) and its
// signed API coming back after a restart. Shared by cloudstack.wait and the steps that restart servers.

import net from 'node:net';
import { CloudStackApiError, CloudStackConnectionError, CloudStackResponseError } from '../../cloudstack/errors.js';
import { DEFAULT_INTEGRATION_PORT, isIntegrationPortOpen, type PortState } from '../../cloudstack/helpers.js';
import { formatDuration } from '../../util/durations.js';
import type { Budget } from '../../util/budget.js';
import { StepFailedError, type StepContext } from '../types.js';
import { connectThrough } from '../../transports/connect-via.js';
import { clientFor, targetHost } from './common.js';

export interface PortTarget {
  readonly name: string;
  /** Management-server host as the API URL names it (seen from `via` when set). */
  readonly msHost: string;
  readonly port: number;
  readonly via: string | undefined;
  /** Where the runner itself would reach the management server. */
  readonly directHost: string;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/** The integration port of inventory host `host` (default: the play's host). */
export function portTarget(ctx: StepContext, host: string | undefined, port?: number, address?: string): PortTarget {
  const name = targetHost(ctx, host);
  const entry = ctx.inventory.hosts.get(name)!;
  const cs = entry.cloudstack!;
  const url = cs.url ?? `http://${entry.address ?? name}:8080/client/api`;
  const msHost = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  const via = cs.via;
  // With `via`, a loopback URL means "the jump host itself": from the runner that is its address.
  const viaAddress = via ? ctx.inventory.hosts.get(via)?.address : undefined;
  const directHost = address ?? (via && isLoopback(msHost) && viaAddress ? viaAddress : msHost);
  return { name, msHost, port: port ?? cs.integrationPort ?? DEFAULT_INTEGRATION_PORT, via, directHost };
}

export function probePort(ctx: StepContext, t: PortTarget): Promise<PortState> {
  const via = t.via;
  return via ? isIntegrationPortOpen(t.msHost, t.port, (h, p) => connectThrough(ctx.services, via, h, p)) : isIntegrationPortOpen(t.msHost, t.port);
}

/** Is the unauthenticated port reachable straight from the runner (no tunnel)? */
export async function exposure(t: PortTarget): Promise<{ exposed: boolean; state: PortState; address: string }> {
  const state = await isIntegrationPortOpen(t.directHost, t.port);
  return { exposed: state === 'open', state, address: `${net.isIPv6(t.directHost) ? `[${t.directHost}]` : t.directHost}:${t.port}` };
}

/** An unauthenticated listCapabilities on the port (through `via` when set) answers 200. */
export async function answers(ctx: StepContext, t: PortTarget): Promise<boolean> {
  const via = t.via;
  const host = net.isIPv6(t.msHost) ? `[${t.msHost}]` : t.msHost;
  try {
    const { httpRequest } = await import('../../transports/http.js'); // on first use (start-up cost)
    const res = await httpRequest({
      method: 'GET', url: `http://${host}:${t.port}/client/api`, query: { command: 'listCapabilities', response: 'json' }, timeoutMs: 10_000,
      ...(via ? { connect: (h: string, p: number) => connectThrough(ctx.services, via, h, p) } : {}),
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Errors that mean "not up yet" rather than "will never work". */
export function notReadyYet(err: unknown): string | undefined {
  if (err instanceof CloudStackConnectionError) return `connection ${err.code}`;
  if (err instanceof CloudStackApiError && (err.httpStatus === 503 || err.httpStatus === 502 || err.httpStatus === 404)) return `HTTP ${err.httpStatus}`;
  if (err instanceof CloudStackResponseError) return `not a CloudStack answer yet (HTTP ${err.httpStatus})`;
  return undefined;
}

export interface ApiBack {
  readonly attempts: number;
  readonly version: string | null;
}

/**
 * Polls a signed listCapabilities on `host` until it succeeds; `ready` may ask for more (the server's
 * own start time having changed, say) before the wait ends.
 */
export async function waitForApi(ctx: StepContext, host: string | undefined, budget: Budget, intervalMs: number, ready?: () => Promise<string | undefined>): Promise<ApiBack> {
  const { name, client } = await clientFor(ctx, host, 'signed');
  let attempts = 0;
  let last = 'no answer yet';
  for (;;) {
    attempts++;
    ctx.progress(`waiting for the API of ${name} (listCapabilities): ${budget.describe()}, ${last}`);
    try {
      const caps = await client.call('listCapabilities');
      const capability = caps['capability'] as Record<string, unknown> | undefined;
      const version = typeof capability?.['cloudstackversion'] === 'string' ? capability['cloudstackversion'] : null;
      const notYet = ready ? await ready() : undefined;
      if (notYet === undefined) return { attempts, version };
      last = notYet;
    } catch (err) {
      const why = notReadyYet(err);
      if (why === undefined) throw err;
      last = why;
    }
    if (budget.expired) break;
    if (!(await budget.sleep(intervalMs))) throw new StepFailedError(`interrupted while waiting for the API of ${name}`);
  }
  throw new StepFailedError(`${name} did not answer API calls within ${formatDuration(budget.limitMs)} (${attempts} attempts, last: ${last})`, { ready: false, attempts });
}
