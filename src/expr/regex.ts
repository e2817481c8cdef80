// Regular expressions for `matches`: compiled once per pattern, and described without echoing the
// pattern when invalid (a pattern may come from a variable holding a secret).

const compiled = new Map<string, RegExp | string>();

/** The compiled pattern, or a message saying why it does not compile. */
export function compileRegex(pattern: string): RegExp | string {
  let entry = compiled.get(pattern);
  if (entry === undefined) {
    try {
      entry = new RegExp(pattern);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const reason = text.slice(text.lastIndexOf(': ') + 2);
      entry = `invalid regular expression: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
    }
    if (compiled.size >= 1000) compiled.clear();
    compiled.set(pattern, entry);
  }
  return entry;
}

/** Why a pattern does not compile, or undefined if it does (for the parser's literal check). */
export function regexProblem(pattern: string): string | undefined {
  const result = compileRegex(pattern);
  return typeof result === 'string' ? result : undefined;
}
