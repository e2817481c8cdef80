// Parser for the small shell language the lab hosts understand: words with single/double quotes and
// $VAR expansion, redirections, pipes, && || ; and background &. No subshells, globbing or command
// substitution: those are reported as syntax errors instead of being half-emulated.

export type WordPart = { readonly kind: 'lit'; readonly text: string } | { readonly kind: 'var'; readonly name: string };
export type Word = readonly WordPart[];

export type Redirect =
  | { readonly fd: 1 | 2; readonly op: '>' | '>>'; readonly target: Word }
  | { readonly fd: 1 | 2; readonly op: 'dup'; readonly to: 1 | 2 }
  | { readonly fd: 0; readonly op: '<'; readonly target: Word };

export interface SimpleCommand {
  readonly assigns: ReadonlyArray<{ readonly name: string; readonly value: Word }>;
  readonly words: readonly Word[];
  readonly redirects: readonly Redirect[];
}

export type Pipeline = readonly SimpleCommand[];
export interface AndOr {
  readonly first: Pipeline;
  readonly rest: ReadonlyArray<{ readonly op: '&&' | '||'; readonly pipeline: Pipeline }>;
}
export interface ListItem {
  readonly andOr: AndOr;
  readonly background: boolean;
}
export type Script = readonly ListItem[];

export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

type Token =
  | { readonly t: 'word'; readonly word: Word }
  | { readonly t: 'op'; readonly op: string }
  | { readonly t: 'redir'; readonly fd: number | undefined; readonly op: string };

const VAR_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\n') {
      out.push({ t: 'op', op: ';' });
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||') {
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
    if (c === ';' || c === '&' || c === '|') {
      out.push({ t: 'op', op: c });
      i++;
      continue;
    }
    if (c === '(' || c === ')') throw new ShellSyntaxError('subshells ( … ) are not supported by the lab shell');
    if (c === '>' || c === '<' || (/[0-9]/.test(c) && /^[0-9][<>]/.test(src.slice(i, i + 2)))) {
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
      }
      out.push({ t: 'redir', fd, op });
      continue;
    }
    const parts: WordPart[] = [];
    const lit = (s: string): void => {
      const last = parts[parts.length - 1];
      if (last?.kind === 'lit') parts[parts.length - 1] = { kind: 'lit', text: last.text + s };
      else parts.push({ kind: 'lit', text: s });
    };
    const dollar = (): void => {
      // at src[i] === '$'
      const rest = src.slice(i + 1);
      if (rest.startsWith('(')) throw new ShellSyntaxError('command substitution $( … ) is not supported by the lab shell');
      if (rest.startsWith('{')) {
        const end = rest.indexOf('}');
        const name = end > 0 ? rest.slice(1, end) : '';
        if (!/^([A-Za-z_][A-Za-z0-9_]*|\?)$/.test(name)) throw new ShellSyntaxError(`unsupported parameter expansion \${${name}}`);
        parts.push({ kind: 'var', name });
        i += end + 2;
        return;
      }
      if (/^[0-9]/.test(rest)) {
        parts.push({ kind: 'var', name: rest[0]! });
        i += 2;
        return;
      }
      if (rest.startsWith('?')) {
        parts.push({ kind: 'var', name: '?' });
        i += 2;
        return;
      }
      const m = VAR_RE.exec(rest);
      if (m) {
        parts.push({ kind: 'var', name: m[0] });
        i += 1 + m[0].length;
        return;
      }
      lit('$');
      i++;
    };
    while (i < n) {
      const ch = src[i]!;
      if (' \t\n;&|<>()'.includes(ch)) break;
      if (ch === '`') throw new ShellSyntaxError('command substitution ` … ` is not supported by the lab shell');
      if (ch === "'") {
        const end = src.indexOf("'", i + 1);
        if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
        lit(src.slice(i + 1, end));
        if (end === i + 1) lit('');
        i = end + 1;
        continue;
      }
      if (ch === '"') {
        i++;
        let closed = false;
        lit('');
        while (i < n) {
          const d = src[i]!;
          if (d === '"') {
            closed = true;
            i++;
            break;
          }
          if (d === '\\' && i + 1 < n && '$`"\\\n'.includes(src[i + 1]!)) {
            lit(src[i + 1]!);
            i += 2;
            continue;
          }
          if (d === '`') throw new ShellSyntaxError('command substitution ` … ` is not supported by the lab shell');
          if (d === '$') {
            dollar();
            continue;
          }
          lit(d);
          i++;
        }
        if (!closed) throw new ShellSyntaxError('unexpected EOF while looking for matching `"\'');
        continue;
      }
      if (ch === '\\') {
        if (i + 1 < n) lit(src[i + 1] === '\n' ? '' : src[i + 1]!);
        i += 2;
        continue;
      }
      if (ch === '$') {
        dollar();
        continue;
      }
      lit(ch);
      i++;
    }
    out.push({ t: 'word', word: parts });
  }
  return out;
}

const ASSIGN_RE = /^[A-Za-z_][A-Za-z0-9_]*=/;

export function parseScript(src: string): Script {
  const toks = lex(src);
  let p = 0;
  const peek = (): Token | undefined => toks[p];
  const items: ListItem[] = [];

  const simple = (): SimpleCommand => {
    const assigns: Array<{ name: string; value: Word }> = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const t = peek();
      if (!t || t.t === 'op') break;
      p++;
      if (t.t === 'redir') {
        if (t.op.endsWith('&') && t.op !== '&>') {
          const target = peek();
          const txt = target?.t === 'word' && target.word.length === 1 && target.word[0]!.kind === 'lit' ? target.word[0]!.text : '';
          if (txt !== '1' && txt !== '2') throw new ShellSyntaxError(`unsupported redirection ${t.op}${txt}`);
          p++;
          redirects.push({ fd: t.fd === 2 ? 2 : 1, op: 'dup', to: txt === '1' ? 1 : 2 });
          continue;
        }
        const target = peek();
        if (!target || target.t !== 'word') throw new ShellSyntaxError(`syntax error near unexpected token \`${t.op}'`);
        p++;
        if (t.op === '<') redirects.push({ fd: 0, op: '<', target: target.word });
        else if (t.op === '&>' || t.op === '&>>') {
          redirects.push({ fd: 1, op: t.op === '&>' ? '>' : '>>', target: target.word });
          redirects.push({ fd: 2, op: 'dup', to: 1 });
        } else {
          const fd = t.fd ?? 1;
          if (fd !== 1 && fd !== 2) throw new ShellSyntaxError(`unsupported file descriptor ${fd}`);
          redirects.push({ fd, op: t.op === '>>' ? '>>' : '>', target: target.word });
        }
        continue;
      }
      const first = t.word[0];
      if (words.length === 0 && first?.kind === 'lit' && ASSIGN_RE.test(first.text)) {
        const eq = first.text.indexOf('=');
        const value: WordPart[] = [{ kind: 'lit', text: first.text.slice(eq + 1) }, ...t.word.slice(1)];
        assigns.push({ name: first.text.slice(0, eq), value });
        continue;
      }
      words.push(t.word);
    }
    if (!words.length && !assigns.length && !redirects.length) {
      const t = peek();
      throw new ShellSyntaxError(`syntax error near unexpected token \`${t && t.t === 'op' ? t.op : 'newline'}'`);
    }
    return { assigns, words, redirects };
  };

  const pipeline = (): Pipeline => {
    const cmds = [simple()];
    while (peek()?.t === 'op' && (peek() as { op: string }).op === '|') {
      p++;
      cmds.push(simple());
    }
    return cmds;
  };

  while (p < toks.length) {
    const t = peek();
    if (t?.t === 'op' && t.op === ';') {
      p++;
      continue;
    }
    const first = pipeline();
    const rest: Array<{ op: '&&' | '||'; pipeline: Pipeline }> = [];
    for (;;) {
      const o = peek();
      if (o?.t === 'op' && (o.op === '&&' || o.op === '||')) {
        p++;
        while (peek()?.t === 'op' && (peek() as { op: string }).op === ';') throw new ShellSyntaxError(`syntax error near unexpected token \`;'`);
        rest.push({ op: o.op, pipeline: pipeline() });
      } else break;
    }
    let background = false;
    const sep = peek();
    if (sep?.t === 'op') {
      if (sep.op === '&') background = true;
      else if (sep.op !== ';') throw new ShellSyntaxError(`syntax error near unexpected token \`${sep.op}'`);
      p++;
    }
    items.push({ andOr: { first, rest }, background });
  }
  return items;
}
