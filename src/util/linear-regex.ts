// Every regular expression a playbook supplies (`matches` in conditions, `follow`'s rules, `wait_for`'s
// search) runs on RE2's linear-time engine (re2js, pure JavaScript): a backtracking engine spins on
// '^(a+)+$' against 'aaaa…!' for longer than the universe lasts, and no signal interrupts it.
// re2js is loaded on the first pattern compiled, so commands without patterns do not pay for it.

import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';

/** A compiled pattern: searched anywhere in the text, as JavaScript's RegExp.test/exec do. */
export interface LinearRegex {
  readonly source: string;
  test(text: string): boolean;
  /** The match, or null: [0] the matched text, groups the named groups (undefined when unmatched). */
  exec(text: string): LinearMatch | null;
}

export interface LinearMatch {
  readonly 0: string;
  readonly index: number;
  readonly groups: Readonly<Record<string, string | undefined>>;
}

let engine: typeof RE2JSClass | undefined;

function re2(): typeof RE2JSClass {
  // a plain require: synchronous like the callers (the loader reads patterns while checking a playbook)
  engine ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JSClass }).RE2JS;
  return engine;
}

/** What to write instead of syntax RE2 leaves out on purpose (it cannot run in linear time). */
function unsupported(source: string, reason: string): string {
  if (/\(\?<?[=!]/.test(source)) {
    return 'lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) are not supported: patterns run on a linear-time engine (RE2); match the text itself, or combine two conditions with and/not';
  }
  if (/\\[1-9]|\\k</.test(source)) {
    return 'backreferences (\\1, \\k<name>) are not supported: patterns run on a linear-time engine (RE2); match the repeated text explicitly';
  }
  if (/\(\?[a-z]*[^a-z:)<P-]/i.test(source) && /Perl syntax/.test(reason)) return `unsupported group syntax: ${reason}`;
  return `invalid regular expression: ${reason}`;
}

/** The compiled pattern, or a message saying why it is refused (never echoing the pattern itself). */
export function compileLinear(source: string): LinearRegex | string {
  let compiled: RE2JSClass;
  try {
    compiled = re2().compile(source);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    // "error parsing regexp: invalid escape sequence: `\1`" → "invalid escape sequence"
    const reason = text.replace(/^error parsing regexp:\s*/, '').replace(/:\s*`[^`]*`\s*$/, '');
    return unsupported(source, reason);
  }
  return {
    source,
    test: (text) => compiled.test(text),
    exec(text) {
      const m = compiled.matcher(text);
      if (!m.find()) return null;
      const groups: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(m.getNamedGroups())) groups[name] = value ?? undefined;
      return { 0: m.group(0) ?? '', index: m.start(), groups };
    },
  };
}
