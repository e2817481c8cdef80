// `Host` and `Match` conditions of ssh_config as OpenSSH's match.c and readconf.c decide them: `*`/`?`
// patterns, `!`, comma lists for Match (host names in lower case). `exec` and newer criteria parse but
// are never true: a lookup must not run shell snippets found in a config file.

export type MatchCriterion =
  | { readonly attr: 'all'; readonly negate: boolean }
  | { readonly attr: 'canonical' | 'final'; readonly negate: boolean }
  | { readonly attr: 'host' | 'originalhost' | 'user' | 'localuser'; readonly negate: boolean; readonly arg: string }
  | { readonly attr: 'unsupported'; readonly name: string; readonly negate: boolean; readonly arg: string };

/** Criteria OpenSSH knows (9.2 and later) that stackplay does not evaluate: such a Match block never applies. */
const NOT_EVALUATED = new Set(['exec', 'localnetwork', 'tagged', 'command', 'version', 'sessiontype']);

/** Words of a Match line as OpenSSH's strdelim() cuts them: whitespace or one `=` separates, "…" groups. */
function matchWords(s: string): string[] {
  const out: string[] = [];
  const space = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j < s.length && !space(s[j]) && s[j] !== '"' && s[j] !== '=') j++;
    let word = s.slice(i, j);
    if (s[j] === '"') {
      const close = s.indexOf('"', j + 1);
      if (close === -1) throw new Error('unterminated quote');
      word += s.slice(j + 1, close);
      i = close + 1;
      while (space(s[i])) i++;
    } else {
      const equals = s[j] === '=';
      i = j + 1;
      while (space(s[i])) i++;
      if (!equals && s[i] === '=') {
        i++;
        while (space(s[i])) i++;
      }
    }
    if (word === '') break;
    out.push(word);
  }
  return out;
}

/** Parse the criteria after `Match`; throws with ssh's reasons for refusing a line. */
export function parseMatch(rest: string): MatchCriterion[] {
  const words = matchWords(rest);
  const out: MatchCriterion[] = [];
  let attributes = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word.startsWith('#')) break;
    const negate = word.startsWith('!');
    const attr = (negate ? word.slice(1) : word).toLowerCase();
    if (attr === 'all') {
      const next = words[i + 1];
      if (attributes > 1 || (next !== undefined && !next.startsWith('#'))) {
        throw new Error(`Match '${word}' cannot be combined with other criteria`);
      }
      out.push({ attr: 'all', negate });
      return out;
    }
    attributes++;
    if (attr === 'canonical' || attr === 'final') {
      out.push({ attr, negate });
      continue;
    }
    const arg = words[++i];
    if (arg === undefined || arg.startsWith('#')) throw new Error(`Match ${word}: missing argument`);
    if (attr === 'host' || attr === 'originalhost' || attr === 'user' || attr === 'localuser') out.push({ attr, negate, arg });
    else if (NOT_EVALUATED.has(attr)) out.push({ attr: 'unsupported', name: attr, negate, arg });
    else throw new Error(`unsupported Match criterion '${word}'`);
  }
  if (attributes === 0) throw new Error('Match needs at least one criterion');
  return out;
}

/** OpenSSH's match_pattern(): `*` any run, `?` one character, everything else literal and case-sensitive. */
function matchPattern(s: string, pattern: string): boolean {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'su').test(s);
}

/** OpenSSH's match_pattern_list(): 1 for a positive match, -1 if a `!pattern` matched, 0 otherwise. */
function matchPatternList(s: string, list: string, lower: boolean): 1 | 0 | -1 {
  let positive = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const pat = negated ? raw.slice(1) : raw;
    if (matchPattern(s, lower ? pat.toLowerCase() : pat)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/** Whether a `Host` line applies: any pattern matches and no `!pattern` does. */
export function hostLineMatches(host: string, patterns: readonly string[]): boolean {
  let active = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (matchPattern(host, negated ? p.slice(1) : p)) {
      if (negated) return false;
      active = true;
    }
  }
  return active;
}

export interface MatchContext {
  /** The target host name (HostName with %h expanded once set), lower-cased for comparison. */
  readonly host: string;
  /** The name as given (inventory name or hop alias). */
  readonly originalHost: string;
  /** The remote user as known so far (User, or the local user). */
  readonly user: string;
  readonly localUser: string;
  /** True during the second pass that `Match final` asks for. */
  readonly final: boolean;
}

export function matchApplies(criteria: readonly MatchCriterion[], ctx: MatchContext): boolean {
  let result = true;
  const check = (r: boolean, negate: boolean): void => {
    if (r === negate) result = false;
  };
  for (const c of criteria) {
    switch (c.attr) {
      case 'all': return result && !c.negate;
      case 'canonical':
      case 'final': check(ctx.final, c.negate); break;
      case 'host': check(matchPatternList(ctx.host.toLowerCase(), c.arg, true) === 1, c.negate); break;
      case 'originalhost': check(matchPatternList(ctx.originalHost.toLowerCase(), c.arg, true) === 1, c.negate); break;
      case 'user': check(matchPatternList(ctx.user, c.arg, false) === 1, c.negate); break;
      case 'localuser': check(matchPatternList(ctx.localUser, c.arg, false) === 1, c.negate); break;
      case 'unsupported': result = false; break;
    }
  }
  return result;
}

/** Whether any Match line asks for the final pass. */
export function wantsFinal(criteria: readonly MatchCriterion[]): boolean {
  return criteria.some((c) => c.attr === 'final');
}
