// One line of an ssh_config file, split the way OpenSSH's readconf.c splits it: a keyword (any case),
// at most one `=`, then arguments with quotes and backslash escapes, a word starting with `#` ending
// the line. ProxyCommand and ProxyJump take the raw rest of the line instead, as ssh does.

export interface ConfigLine {
  /** Lower-cased keyword. */
  readonly keyword: string;
  /** The text after the keyword and its separator, trailing whitespace removed. */
  readonly rest: string;
  /** `rest` split into arguments: quotes removed, escapes applied, a `#` word ends it. */
  readonly args: readonly string[];
  /** 1-based columns of the keyword and of `rest`, for messages. */
  readonly col: number;
  readonly restCol: number;
}

/** A line ssh would refuse; `col` is 1-based. */
export class ConfigLineError extends Error {
  constructor(message: string, readonly col: number) {
    super(message);
  }
}

const SPACE = new Set([' ', '\t', '\r', '\n']);

/**
 * Split into arguments like OpenSSH's argv_split(): space or tab separates, '…' and "…" group (and
 * may join a word: a"b c" is `ab c`), backslash escapes a quote, a backslash or (outside quotes) a
 * space; any other backslash stays. Returns null for an unterminated quote.
 */
function splitArgs(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '#') break;
    let arg = '';
    let quote = '';
    for (; i < s.length; i++) {
      const ch = s[i] as string;
      const next = s[i + 1];
      if (ch === '\\') {
        if (next === '\'' || next === '"' || next === '\\' || (quote === '' && next === ' ')) {
          arg += next;
          i++;
        } else arg += ch;
      } else if (quote === '' && (ch === ' ' || ch === '\t')) break;
      else if (quote === '' && (ch === '"' || ch === '\'')) quote = ch;
      else if (quote !== '' && ch === quote) quote = '';
      else arg += ch;
    }
    if (quote !== '') return null;
    out.push(arg);
  }
  return out;
}

/** Parse one line; null for a blank line or a comment. Throws ConfigLineError for what ssh refuses. */
export function splitLine(raw: string): ConfigLine | null {
  let end = raw.length;
  while (end > 0 && (SPACE.has(raw[end - 1] as string) || raw[end - 1] === '\f')) end--;
  const line = raw.slice(0, end);
  let i = 0;
  while (i < line.length && SPACE.has(line[i] as string)) i++;
  if (i === line.length || line[i] === '#') return null;
  const start = i;
  while (i < line.length && !SPACE.has(line[i] as string) && line[i] !== '=' && line[i] !== '"') i++;
  const keyword = line.slice(start, i).toLowerCase();
  if (keyword === '') throw new ConfigLineError('expected a keyword', start + 1);
  // Whitespace, at most one '=', whitespace: `Port 22`, `Port=22` and `Port = 22` are the same.
  while (i < line.length && SPACE.has(line[i] as string)) i++;
  if (line[i] === '=') i++;
  while (i < line.length && SPACE.has(line[i] as string)) i++;
  const rest = line.slice(i);
  if (rest === '') throw new ConfigLineError(`no argument after keyword "${keyword}"`, start + 1);
  const args = splitArgs(rest);
  if (args === null) throw new ConfigLineError('unterminated quote', i + 1);
  return { keyword, rest, args, col: start + 1, restCol: i + 1 };
}
