// Tokenizer of the lab hosts' shell: words (with each part marked quoted or not, so expansion knows
// what to split), operators, newlines and redirections. `$(…)` and backticks are cut out here and parsed
// as scripts of their own; anything the lab does not emulate is a ShellSyntaxError, never a guess.

export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

/** A piece of a word: text, a parameter ($X, ${X}, $1, $?, $$, $!, $#, $@, $*) or a command substitution. */
export type RawPart =
  | { readonly kind: 'lit'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'var'; readonly name: string; readonly quoted: boolean }
  | { readonly kind: 'cmd'; readonly source: string; readonly quoted: boolean };

export type Token =
  | { readonly t: 'word'; readonly parts: readonly RawPart[] }
  | { readonly t: 'op'; readonly op: string }
  | { readonly t: 'redir'; readonly fd: number | undefined; readonly op: string };

const SPECIAL_PARAMS = new Set(['?', '$', '!', '#', '@', '*', '-']);
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*/;
const WORD_END = ' \t\n;&|<>()';

/** Index just past the `)` that closes a `$(` opened before `start`, skipping quotes and nested parens. */
function closingParen(src: string, start: number): number {
  let depth = 1;
  for (let i = start; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) break;
      i = end;
      continue;
    }
    if (c === '"') {
      for (i++; i < src.length && src[i] !== '"'; i++) if (src[i] === '\\') i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  throw new ShellSyntaxError("unexpected EOF while looking for matching `)'");
}

export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '\n') {
      out.push({ t: 'op', op: 'nl' });
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === ';;') {
      out.push({ t: 'op', op: two });
      i += 2;
      continue;
    }
    if (two === '&>') {
      const app = src[i + 2] === '>';
      out.push({ t: 'redir', fd: undefined, op: app ? '&>>' : '&>' });
      i += app ? 3 : 2;
      continue;
    }
    if (';&|()'.includes(c)) {
      out.push({ t: 'op', op: c });
      i++;
      continue;
    }
    if (c === '>' || c === '<' || /^[0-9][<>]/.test(two)) {
      let fd: number | undefined;
      if (/[0-9]/.test(c)) {
        fd = Number(c);
        i++;
      }
      let op = src[i]!;
      i++;
      if (op === '>' && src[i] === '>') {
        op = '>>';
        i++;
      } else if (src[i] === '&') {
        op += '&';
        i++;
      } else if (op === '<' && src[i] === '<') throw new ShellSyntaxError('here-documents (<<) are not supported by the lab shell');
      out.push({ t: 'redir', fd, op });
      continue;
    }
    const r = word(src, i);
    out.push({ t: 'word', parts: r.parts });
    i = r.end;
  }
  return out;
}

function word(src: string, start: number): { parts: RawPart[]; end: number } {
  const parts: RawPart[] = [];
  let i = start;
  const n = src.length;
  const lit = (s: string, quoted: boolean): void => {
    const last = parts[parts.length - 1];
    if (last?.kind === 'lit' && last.quoted === quoted) parts[parts.length - 1] = { kind: 'lit', text: last.text + s, quoted };
    else parts.push({ kind: 'lit', text: s, quoted });
  };
  // at src[i] === '$'
  const dollar = (quoted: boolean): void => {
    const rest = src.slice(i + 1);
    if (rest.startsWith('((')) throw new ShellSyntaxError('arithmetic expansion $(( … )) is not supported by the lab shell');
    if (rest.startsWith('(')) {
      const end = closingParen(src, i + 2);
      parts.push({ kind: 'cmd', source: src.slice(i + 2, end - 1), quoted });
      i = end;
      return;
    }
    if (rest.startsWith('{')) {
      const end = rest.indexOf('}');
      const name = end > 0 ? rest.slice(1, end) : '';
      if (!/^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?$!#@*-])$/.test(name)) throw new ShellSyntaxError(`unsupported parameter expansion \${${name}}`);
      parts.push({ kind: 'var', name, quoted });
      i += end + 2;
      return;
    }
    const first = rest[0];
    if (first !== undefined && (/[0-9]/.test(first) || SPECIAL_PARAMS.has(first))) {
      parts.push({ kind: 'var', name: first, quoted });
      i += 2;
      return;
    }
    const m = NAME_RE.exec(rest);
    if (m) {
      parts.push({ kind: 'var', name: m[0], quoted });
      i += 1 + m[0].length;
      return;
    }
    lit('$', quoted);
    i++;
  };
  const backtick = (quoted: boolean): void => {
    const end = src.indexOf('`', i + 1);
    if (end < 0) throw new ShellSyntaxError('unexpected EOF while looking for matching ``\'');
    parts.push({ kind: 'cmd', source: src.slice(i + 1, end), quoted });
    i = end + 1;
  };
  while (i < n) {
    const ch = src[i]!;
    if (WORD_END.includes(ch)) break;
    if (ch === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
      lit(src.slice(i + 1, end), true);
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      i++;
      let closed = false;
      lit('', true);
      while (i < n) {
        const d = src[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < n && '$`"\\\n'.includes(src[i + 1]!)) {
          if (src[i + 1] !== '\n') lit(src[i + 1]!, true);
          i += 2;
          continue;
        }
        if (d === '`') {
          backtick(true);
          continue;
        }
        if (d === '$') {
          dollar(true);
          continue;
        }
        lit(d, true);
        i++;
      }
      if (!closed) throw new ShellSyntaxError('unexpected EOF while looking for matching `"\'');
      continue;
    }
    if (ch === '\\') {
      if (i + 1 < n && src[i + 1] !== '\n') lit(src[i + 1]!, true);
      i += 2;
      continue;
    }
    if (ch === '`') {
      backtick(false);
      continue;
    }
    if (ch === '$') {
      dollar(false);
      continue;
    }
    lit(ch, false);
    i++;
  }
  return { parts, end: i };
}
