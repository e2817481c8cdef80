// Regular expressions for `matches`: compiled once per pattern on the linear-time engine (a pattern
// may come from a variable, and no pattern may hang the run), and described without echoing the
// pattern when refused (a pattern may come from a variable holding a secret).

import { compileLinear, type LinearRegex } from '../util/linear-regex.js';

const compiled = new Map<string, LinearRegex | string>();

/** The compiled pattern, or a message saying why it is refused. */
export function compileRegex(pattern: string): LinearRegex | string {
  let entry = compiled.get(pattern);
  if (entry === undefined) {
    entry = compileLinear(pattern);
    if (compiled.size >= 1000) compiled.clear();
    compiled.set(pattern, entry);
  }
  return entry;
}

/** Why a pattern is refused, or undefined if it compiles (for the parser's literal check). */
export function regexProblem(pattern: string): string | undefined {
  const result = compileRegex(pattern);
  return typeof result === 'string' ? result : undefined;
}
