// Classifying runtime failures: transport errors mark a host unreachable; everything else is a step
// failure with a readable message (the cause chain, never a stack unless --debug).

export function isUnreachable(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const e = err as { name?: string; unreachable?: boolean };
  return e.unreachable === true || e.name === 'UnreachableError';
}

export function formatError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const parts = [err.message];
  let cause = (err as { cause?: unknown }).cause;
  let depth = 0;
  while (cause instanceof Error && depth < 4) {
    if (!parts.some((p) => p.includes(cause instanceof Error ? cause.message : ''))) parts.push(cause.message);
    cause = (cause as { cause?: unknown }).cause;
    depth++;
  }
  const pos = (err as { pos?: { file: string; line: number; col: number } | null }).pos;
  const where = pos ? ` (${pos.file}:${pos.line}:${pos.col})` : '';
  return parts.join(': ') + where;
}
