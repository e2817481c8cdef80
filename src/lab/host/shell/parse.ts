// Parser for the lab hosts' shell: lists, && || !, pipes, background &, redirections, and the compound
// commands scripts and stackplay's own command lines use (if/elif/else, for, while/until, case, { },
// ( ), functions). Command substitutions are parsed as scripts of their own.

import type { AndOr, Command, Compound, CompoundBody, ListItem, Pipeline, Redirect, Script, SimpleCommand, Word } from './ast.js';
import { lex, ShellSyntaxError, type RawPart, type Token } from './lex.js';

export { ShellSyntaxError } from './lex.js';
export type * from './ast.js';

const ASSIGN_RE = /^[A-Za-z_][A-Za-z0-9_]*=/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', 'case', 'esac', '{', '}', '!', 'function']);

export function parseScript(src: string): Script {
  return new Parser(lex(src)).program();
}

/** The text of a word when it is one unquoted literal (how reserved words and names are recognised). */
function plain(tok: Token | undefined): string | undefined {
  if (tok?.t !== 'word' || tok.parts.length !== 1) return undefined;
  const p = tok.parts[0]!;
  return p.kind === 'lit' && !p.quoted ? p.text : undefined;
}

function toWord(parts: readonly RawPart[]): Word {
  return parts.map((p) => (p.kind === 'cmd' ? { kind: 'cmd', script: parseScript(p.source), quoted: p.quoted } : p));
}

class Parser {
  private p = 0;

  constructor(private readonly toks: readonly Token[]) {}

  private peek(k = 0): Token | undefined {
    return this.toks[this.p + k];
  }

  private isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.t === 'op' && t.op === op;
  }

  private unexpected(): ShellSyntaxError {
    const t = this.peek();
    const what = !t ? 'newline' : t.t === 'op' ? (t.op === 'nl' ? 'newline' : t.op) : t.t === 'redir' ? t.op : (plain(t) ?? 'word');
    return new ShellSyntaxError(`syntax error near unexpected token \`${what}'`);
  }

  private linebreak(): void {
    while (this.isOp('nl')) this.p++;
  }

  private expectWord(word: string): void {
    this.linebreak();
    if (plain(this.peek()) !== word) throw this.unexpected();
    this.p++;
  }

  program(): Script {
    const s = this.list(new Set(), false);
    if (this.p < this.toks.length) throw this.unexpected();
    return s;
  }

  /** and-or lists separated by ; & or newlines, up to a reserved word in `ends` (or `)`/`;;`). */
  private list(ends: ReadonlySet<string>, needOne = true): Script {
    const items: ListItem[] = [];
    for (;;) {
      while (this.isOp(';') && items.length > 0) this.p++;
      this.linebreak();
      const t = this.peek();
      if (!t || this.isOp(')') || this.isOp(';;') || ends.has(plain(t) ?? '\0')) break;
      const andOr = this.andOr();
      let background = false;
      if (this.isOp('&')) {
        background = true;
        this.p++;
      } else if (this.isOp(';') || this.isOp('nl')) this.p++;
      else if (this.peek() && !this.isOp(')') && !this.isOp(';;') && !ends.has(plain(this.peek()) ?? '\0')) throw this.unexpected();
      items.push({ andOr, background });
    }
    if (needOne && items.length === 0) throw this.unexpected();
    return items;
  }

  private andOr(): AndOr {
    const first = this.pipeline();
    const rest: Array<{ op: '&&' | '||'; pipeline: Pipeline }> = [];
    while (this.isOp('&&') || this.isOp('||')) {
      const op = (this.peek() as { op: '&&' | '||' }).op;
      this.p++;
      this.linebreak();
      rest.push({ op, pipeline: this.pipeline() });
    }
    return { first, rest };
  }

  private pipeline(): Pipeline {
    let negate = false;
    if (plain(this.peek()) === '!') {
      negate = true;
      this.p++;
    }
    const commands = [this.command()];
    while (this.isOp('|')) {
      this.p++;
      this.linebreak();
      commands.push(this.command());
    }
    return { negate, commands };
  }

  private command(): Command {
    const t = this.peek();
    const w = plain(t);
    if (this.isOp('(')) return this.withRedirects({ kind: 'group', subshell: true, body: this.subshell() });
    if (w === 'function' || (w !== undefined && NAME_RE.test(w) && !RESERVED.has(w) && this.isOp('(', 1) && this.isOp(')', 2))) {
      this.p += w === 'function' ? 1 : 3;
      const name = w === 'function' ? plain(this.peek()) : w;
      if (name === undefined || !NAME_RE.test(name)) throw this.unexpected();
      if (w === 'function') {
        this.p++;
        if (this.isOp('(') && this.isOp(')', 1)) this.p += 2;
      }
      this.linebreak();
      const body = this.command();
      if (body.kind === 'simple' || body.kind === 'function') throw new ShellSyntaxError(`syntax error: the body of function ${name} must be a compound command`);
      return { kind: 'function', name, body };
    }
    switch (w) {
      case 'if': return this.withRedirects(this.ifClause());
      case 'for': return this.withRedirects(this.forClause());
      case 'while': case 'until': return this.withRedirects(this.whileClause(w === 'until'));
      case 'case': return this.withRedirects(this.caseClause());
      case '{': {
        this.p++;
        const body = this.list(new Set(['}']));
        this.expectWord('}');
        return this.withRedirects({ kind: 'group', subshell: false, body });
      }
      case 'then': case 'elif': case 'else': case 'fi': case 'do': case 'done': case 'esac': case '}': case 'in':
        throw this.unexpected();
    }
    return this.simple();
  }

  private subshell(): Script {
    this.p++;
    const body = this.list(new Set());
    this.linebreak();
    if (!this.isOp(')')) throw this.unexpected();
    this.p++;
    return body;
  }

  private ifClause(): CompoundBody {
    this.p++;
    const clauses: Array<{ cond: Script; body: Script }> = [];
    let otherwise: Script | undefined;
    for (;;) {
      const cond = this.list(new Set(['then']));
      this.expectWord('then');
      clauses.push({ cond, body: this.list(new Set(['elif', 'else', 'fi'])) });
      const next = plain(this.peek());
      this.p++;
      if (next === 'elif') continue;
      if (next === 'else') {
        otherwise = this.list(new Set(['fi']));
        this.expectWord('fi');
      } else if (next !== 'fi') {
        this.p--;
        throw this.unexpected();
      }
      return { kind: 'if', clauses, otherwise };
    }
  }

  private doGroup(): Script {
    this.expectWord('do');
    const body = this.list(new Set(['done']));
    this.expectWord('done');
    return body;
  }

  private forClause(): CompoundBody {
    this.p++;
    const name = plain(this.peek());
    if (name === undefined || !NAME_RE.test(name)) throw this.unexpected();
    this.p++;
    this.linebreak();
    let items: Word[] | undefined;
    if (plain(this.peek()) === 'in') {
      this.p++;
      items = [];
      for (let t = this.peek(); t?.t === 'word'; t = this.peek()) {
        items.push(toWord(t.parts));
        this.p++;
      }
    }
    if (this.isOp(';') || this.isOp('nl')) this.p++;
    return { kind: 'for', name, items, body: this.doGroup() };
  }

  private whileClause(until: boolean): CompoundBody {
    this.p++;
    const cond = this.list(new Set(['do']));
    return { kind: 'while', until, cond, body: this.doGroup() };
  }

  private caseClause(): CompoundBody {
    this.p++;
    const t = this.peek();
    if (t?.t !== 'word') throw this.unexpected();
    this.p++;
    const word = toWord(t.parts);
    this.expectWord('in');
    const arms: Array<{ patterns: Word[]; body: Script }> = [];
    for (;;) {
      this.linebreak();
      if (plain(this.peek()) === 'esac') break;
      if (this.isOp('(')) this.p++;
      const patterns: Word[] = [];
      for (;;) {
        const pt = this.peek();
        if (pt?.t !== 'word') throw this.unexpected();
        patterns.push(toWord(pt.parts));
        this.p++;
        if (!this.isOp('|')) break;
        this.p++;
      }
      if (!this.isOp(')')) throw this.unexpected();
      this.p++;
      const body = this.list(new Set(['esac']), false);
      arms.push({ patterns, body });
      if (this.isOp(';;')) this.p++;
      else break;
    }
    this.expectWord('esac');
    return { kind: 'case', word, arms };
  }

  private withRedirects(body: CompoundBody): Compound {
    const redirects: Redirect[] = [];
    while (this.peek()?.t === 'redir') redirects.push(this.redirect());
    return { ...body, redirects };
  }

  private redirect(): Redirect {
    const t = this.peek() as Extract<Token, { t: 'redir' }>;
    this.p++;
    if (t.op.endsWith('&') && t.op !== '&>') {
      const target = plain(this.peek());
      if (target !== '1' && target !== '2') throw new ShellSyntaxError(`unsupported redirection ${t.op}${target ?? ''}`);
      this.p++;
      return { fd: t.fd === 2 ? 2 : 1, op: 'dup', to: target === '1' ? 1 : 2 };
    }
    const target = this.peek();
    if (target?.t !== 'word') throw new ShellSyntaxError(`syntax error near unexpected token \`${t.op}'`);
    this.p++;
    const word = toWord(target.parts);
    if (t.op === '<') return { fd: 0, op: '<', target: word };
    const fd = t.fd ?? 1;
    if (fd !== 1 && fd !== 2) throw new ShellSyntaxError(`unsupported file descriptor ${fd}`);
    return { fd, op: t.op === '>>' ? '>>' : '>', target: word };
  }

  private simple(): SimpleCommand {
    const assigns: Array<{ name: string; value: Word }> = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || t.t === 'op') break;
      if (t.t === 'redir') {
        if (t.op === '&>' || t.op === '&>>') {
          this.p++;
          const target = this.peek();
          if (target?.t !== 'word') throw new ShellSyntaxError(`syntax error near unexpected token \`${t.op}'`);
          this.p++;
          redirects.push({ fd: 1, op: t.op === '&>' ? '>' : '>>', target: toWord(target.parts) }, { fd: 2, op: 'dup', to: 1 });
        } else redirects.push(this.redirect());
        continue;
      }
      this.p++;
      const first = t.parts[0];
      if (words.length === 0 && first?.kind === 'lit' && !first.quoted && ASSIGN_RE.test(first.text)) {
        const eq = first.text.indexOf('=');
        const rest: RawPart[] = [{ kind: 'lit', text: first.text.slice(eq + 1), quoted: false }, ...t.parts.slice(1)];
        assigns.push({ name: first.text.slice(0, eq), value: toWord(rest) });
        continue;
      }
      words.push(toWord(t.parts));
    }
    if (!words.length && !assigns.length && !redirects.length) throw this.unexpected();
    return { kind: 'simple', assigns, words, redirects };
  }
}
