// Bounded concurrency: one step across many hosts (`forks`), many host-key scans at once.

export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  if (items.length === 0) return;
  let next = 0;
  let firstError: { error: unknown } | undefined;
  // every item runs even when one throws: one host's failure must not cut the others' undo short
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
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
