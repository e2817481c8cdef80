// Bounded concurrency: one step across many hosts (`forks`), many host-key scans at once, the system
// VMs of one step `concurrency` at a time.

interface LimitOptions {
  /** Once aborted, no new item starts (the ones running finish); used for Ctrl-C in a step. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `fn` over the items, at most `limit` at a time. Every item runs even when one throws: one host's
 * failure must not cut the others' undo short; the first error is thrown once all have finished.
 */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>, o: LimitOptions = {}): Promise<void> {
  if (items.length === 0) return;
  let next = 0;
  let firstError: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length && !o.signal?.aborted) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (error) {
        firstError ??= { error };
      }
    }
  });
  await Promise.all(workers);
  if (firstError) throw firstError.error;
}

/** Like forEachLimit, collecting each item's result in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  await forEachLimit(items, limit, async (item, i) => {
    out[i] = await fn(item, i);
  });
  return out;
}
