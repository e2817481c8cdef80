// Before a run: connect to every host at once (bounded), so that unknown or changed host keys are all
// reported together with their fingerprints instead of failing one host at a time mid-run.
import { mapLimit } from '../../util/limit.js';
import { HostKeyError, HostKeyPreflightError } from './errors.js';

export type PreflightOutcome =
  | { readonly host: string; readonly ok: true }
  | { readonly host: string; readonly ok: false; readonly error: Error };

/** Throws HostKeyPreflightError if any host (or jump host) has a key problem; else per-host outcomes. */
export async function preflight(hostNames: readonly string[], connect: (name: string) => Promise<unknown>,
  concurrency: number): Promise<PreflightOutcome[]> {
  const outcomes = await mapLimit([...new Set(hostNames)], concurrency, async (host): Promise<PreflightOutcome> => {
    try {
      await connect(host);
      return { host, ok: true };
    } catch (error) {
      return { host, ok: false, error: error as Error };
    }
  });
  const seen = new Set<string>();
  const keyErrors: HostKeyError[] = [];
  for (const o of outcomes) {
    if (o.ok || !(o.error instanceof HostKeyError)) continue;
    // Hosts behind one unknown jump host all report that jump host's key: list it once.
    const k = `${o.error.host}\0${o.error.presented.knownHostsName}\0${o.error.presented.fingerprint}`;
    if (seen.has(k)) continue;
    seen.add(k);
    keyErrors.push(o.error);
  }
  if (keyErrors.length > 0) throw new HostKeyPreflightError(keyErrors);
  return outcomes;
}
