// "Did you mean": the one suggestion rule for every misspelt name — playbook keys, step types and their
// arguments, enum values, handler and host names, variables, fields, functions and template helpers —
// so the loader, the expression language and the template layer phrase and threshold hints alike.

/** Optimal-string-alignment distance (Levenshtein plus adjacent transposition). */
function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * The closest candidate within a distance that grows with the longer of the two names (one edit per
 * three letters, at most three), if any. A difference of case alone is the closest match there is. One-
 * and two-letter names are too short for a typo to be recognisable: for them only case counts.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const other = candidate.toLowerCase();
    const limit = name.length <= 2 ? 0.5 : Math.max(1, Math.min(3, Math.floor(Math.max(name.length, candidate.length) / 3)));
    // names whose lengths differ by more than the limit are further apart than it: no table to fill
    let distance = other === lower ? 0.5 : Math.abs(lower.length - other.length) > limit ? Infinity : editDistance(lower, other);
    // A misspelt tail ('lenght' for 'len', 'stdout_lines' for 'stdout') still deserves a hint.
    const shorter = Math.min(lower.length, other.length);
    if (distance > limit && shorter >= 3 && (lower.startsWith(other) || other.startsWith(lower))) distance = limit;
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** " — did you mean 'x'?" or "" — ready to append to a message. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = closestName(name, candidates);
  return best === undefined ? '' : ` — did you mean '${best}'?`;
}
