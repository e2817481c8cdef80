// Shared plumbing of the CloudStack step types: which management server a step talks to, getting its
// client from the run's services, and turning parameters and versions into the forms CloudStack takes.
// Async jobs are in jobs.ts; tunnels through `via` are the transports' (connect-via.ts).

import type { CloudStackClient, Params } from '../../cloudstack/types.js';
import { isSecretParam } from '../../cloudstack/redact.js';
import { arg } from '../schema/arg.js';
import type { ArgsOf } from '../schema/schema.js';
import { StepFailedError, type StepContext } from '../types.js';

export const HOST_ARG = arg.host('cloudstack', "inventory host of the management server (default: the play's host)");
export const MODE_ARG = arg.oneOf(['signed', 'integration'], "'signed' (API keys or session, the default) or 'integration' (the unauthenticated port, usually 8096)");

/** Which management server a CloudStack step talks to, and how. */
export const TARGET_ARGS = { host: HOST_ARG, mode: MODE_ARG };
export type TargetArgs = ArgsOf<typeof TARGET_ARGS>;

/** The management-server host a step talks to: its `host:` argument or the play's host. */
export function targetHost(ctx: StepContext, host: string | undefined): string {
  const name = host ?? ctx.hostName;
  const entry = ctx.inventory.hosts.get(name);
  if (!entry) throw new StepFailedError(`host '${name}' is not in the inventory`);
  if (!entry.cloudstack) {
    const hint = host === undefined ? ` (name the management server with 'host:' when the play runs elsewhere)` : '';
    throw new StepFailedError(`host '${name}' has no 'cloudstack:' settings in the inventory${hint}`);
  }
  return name;
}

export async function clientFor(ctx: StepContext, host: string | undefined, mode: 'signed' | 'integration' = 'signed'): Promise<{ name: string; client: CloudStackClient }> {
  const name = targetHost(ctx, host);
  const client = await ctx.services.cloudstack(name, mode);
  return { name, client };
}

/** A selection list (zones, names, states): absent or empty strings mean "no filter". */
export function selection(list: readonly string[] | undefined): string[] {
  return (list ?? []).filter((s) => s !== '');
}

/** `k=v, k=v` for plans, with credentials masked by name. */
export function describeParams(params: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${isSecretParam(k) ? '***' : typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length > 0 ? parts.join(', ') : 'no parameters';
}

/** Parameters as the client takes them: scalars stringified, lists joined with commas (CloudStack's list form). */
export function toParams(params: Readonly<Record<string, unknown>> | undefined): Params {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.map((x) => String(x)).join(',');
    else throw new StepFailedError(`parameter '${k}' must be a string, number, boolean or list, not a mapping`);
  }
  return out;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Versions compared numerically on their first four parts: 4.20.1 equals 4.20.1.0. */
export function sameVersion(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const norm = (v: string): string => {
    const m = /^(\d+(?:\.\d+)*)(.*)$/.exec(v.trim());
    if (!m) return v.trim();
    const parts = m[1]!.split('.').map(Number);
    while (parts.length < 4) parts.push(0);
    return `${parts.slice(0, 4).join('.')}${m[2] ?? ''}`;
  };
  return norm(a) === norm(b);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
