// Reconnecting to a host whose SSH connection went away (a reboot, a network blip, a killed sshd).
// The run's pool forgets a dropped connection and opens a new one on the next `services.ssh()`, so
// reconnecting is asking again until a command runs. `dropConnection` retires a connection that may
// look alive but is stale (the host is rebooting): the transport interface has no close, so the
// SSH transport's own `destroy()` is used when it has one.

import { AuthError, HostKeyError, HostKeyPreflightError, SshSettingsError, UnreachableError } from '../../transports/ssh/errors.js';
import type { RemoteTransport } from '../../transports/types.js';
import type { StepContext } from '../types.js';
import type { Budget } from '../../util/budget.js';

/** The connection is gone (or could not be opened); trying again later may work. */
export function isUnreachableError(err: unknown): boolean {
  return err instanceof UnreachableError;
}

/** Retrying cannot help: a host key problem or refused credentials need a person. */
export function isPermanentSshError(err: unknown): boolean {
  return err instanceof HostKeyError || err instanceof HostKeyPreflightError || err instanceof AuthError || err instanceof SshSettingsError;
}

interface Destroyable {
  destroy(): void;
  readonly alive?: boolean;
}

/** Closes the host's pooled connection so the next `services.ssh()` opens a fresh one. */
export async function dropConnection(t: RemoteTransport): Promise<boolean> {
  const d = t as unknown as Partial<Destroyable>;
  if (typeof d.destroy !== 'function') return false;
  d.destroy();
  // The pool forgets the connection on its 'close' event; wait for it (a few event-loop turns).
  for (let i = 0; i < 200 && d.alive === true; i++) await new Promise((r) => setTimeout(r, 5));
  return true;
}

export interface ReconnectOptions {
  readonly budget: Budget;
  readonly intervalMs: number;
  /** Deadline for one attempt's probe command. */
  readonly probeTimeoutMs?: number;
  readonly onAttempt?: (attempt: number, lastError: string | undefined) => void;
}

export type ReconnectResult =
  | { readonly ok: true; readonly transport: RemoteTransport; readonly attempts: number }
  | { readonly ok: false; readonly attempts: number; readonly lastError: string; readonly interrupted: boolean };

/** Connects and runs `true` until it works, the budget runs out or the run is interrupted. */
export async function reconnect(ctx: StepContext, hostName: string, o: ReconnectOptions): Promise<ReconnectResult> {
  let attempts = 0;
  let lastError = 'no attempt made';
  for (;;) {
    attempts++;
    o.onAttempt?.(attempts, attempts > 1 ? lastError : undefined);
    let t: RemoteTransport | undefined;
    try {
      t = await ctx.services.ssh(hostName);
      const r = await t.exec('true', { signal: ctx.signal, timeoutMs: o.probeTimeoutMs ?? 10_000 });
      if (r.rc === 0) return { ok: true, transport: t, attempts };
      lastError = `probe command exited ${r.rc}`;
    } catch (err) {
      if (isPermanentSshError(err)) throw err;
      lastError = (err as Error).message ?? String(err);
      // A probe that timed out may sit on a stale connection the pool still thinks alive.
      if (t) await dropConnection(t);
    }
    if (ctx.signal.aborted) return { ok: false, attempts, lastError, interrupted: true };
    if (o.budget.expired) return { ok: false, attempts, lastError, interrupted: false };
    if (!(await o.budget.sleep(o.intervalMs))) return { ok: false, attempts, lastError, interrupted: true };
  }
}
