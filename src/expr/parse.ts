// The cached entry point to the condition parser: the same `when:` is evaluated for every host and
// loop item, so each distinct source is parsed once. Results are immutable and safe to share.

import { parseUncached, type ParseResult } from './parser.js';

export type { ParseResult };

const cache = new Map<string, ParseResult>();
const CACHE_LIMIT = 10_000;

/** Parses a condition into an AST with offsets, or returns the first problem with its position. */
export function parseExpression(source: string): ParseResult {
  const cached = cache.get(source);
  if (cached) return cached;
  const result = parseUncached(source);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, result);
  return result;
}
