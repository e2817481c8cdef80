// Word expansion in the lab hosts' shell, in sh's order: tilde, parameters, command substitution, then
// splitting of unquoted results on IFS ("$@" keeps its arguments apart). No pathname expansion: a pattern
// stays literal, as bash leaves one that matches nothing. Case patterns are matched here too.

import type { Script, Word } from './parse.js';
import type { ShellState } from './types.js';

export interface Expansion {
  readonly sh: ShellState;
  readonly home: string;
  /** Runs a command substitution in a subshell and returns its standard output. */
  substitute(script: Script): Promise<string>;
}

type Piece = { readonly text: string; readonly split: boolean } | { readonly fieldBreak: true };

export function param(name: string, sh: ShellState): string {
  switch (name) {
    case '?': return String(sh.lastStatus);
    case '$': return String(sh.shellPid ?? '');
    case '!': return sh.lastBackground !== undefined ? String(sh.lastBackground) : '';
    case '#': return String(sh.args?.length ?? 0);
    case '@': case '*': return (sh.args ?? []).join(' ');
    case '-': return 'hB';
    case '0': return sh.env.get('0') ?? 'bash';
  }
  if (/^[0-9]+$/.test(name)) return sh.args?.[Number(name) - 1] ?? '';
  return sh.env.get(name) ?? '';
}

async function pieces(word: Word, x: Expansion): Promise<Piece[]> {
  const out: Piece[] = [];
  for (let i = 0; i < word.length; i++) {
    const p = word[i]!;
    if (p.kind === 'lit') {
      let text = p.text;
      // ~ and ~/… at the start of a word: the home directory
      if (i === 0 && !p.quoted && (text === '~' || text.startsWith('~/'))) text = (x.sh.env.get('HOME') ?? x.home) + text.slice(1);
      out.push({ text, split: false });
    } else if (p.kind === 'var') {
      if (p.name === '@' && p.quoted) {
        (x.sh.args ?? []).forEach((a, k) => {
          if (k > 0) out.push({ fieldBreak: true });
          out.push({ text: a, split: false });
        });
        continue;
      }
      const v = p.name === '*' && p.quoted ? (x.sh.args ?? []).join((x.sh.env.get('IFS') ?? ' ').slice(0, 1)) : param(p.name, x.sh);
      out.push({ text: v, split: !p.quoted });
    } else {
      const v = (await x.substitute(p.script)).replace(/\n+$/, '');
      out.push({ text: v, split: !p.quoted });
    }
  }
  return out;
}

/** Whether a word always makes a field, even an empty one: "" or "$x" do, "$@" without arguments does not. */
function forcesField(word: Word): boolean {
  const counts = (p: Word[number]): boolean => p.quoted && (p.kind === 'lit' ? p.text !== '' : !(p.kind === 'var' && p.name === '@'));
  return word.some(counts) || (word.length > 0 && word.every((p) => p.kind === 'lit' && p.quoted && p.text === ''));
}

/** Expands words into argv fields: splitting, and unquoted empty expansions dropped. */
export async function expandFields(words: readonly Word[], x: Expansion): Promise<string[]> {
  const fields: string[] = [];
  const ifs = x.sh.env.get('IFS') ?? ' \t\n';
  for (const w of words) {
    let cur = '';
    let started = forcesField(w) || w.some((p) => p.kind === 'lit' && !p.quoted && p.text !== '');
    const flush = (): void => {
      if (started) fields.push(cur);
      cur = '';
      started = false;
    };
    for (const piece of await pieces(w, x)) {
      if ('fieldBreak' in piece) {
        fields.push(cur);
        cur = '';
        started = true;
        continue;
      }
      if (!piece.split || ifs === '') {
        cur += piece.text;
        if (piece.text !== '') started = true;
        continue;
      }
      for (const ch of piece.text) {
        if (!ifs.includes(ch)) {
          cur += ch;
          started = true;
        } else if (' \t\n'.includes(ch)) flush();
        else {
          fields.push(cur);
          cur = '';
          started = false;
        }
      }
    }
    flush();
  }
  return fields;
}

/** Expands a word to one string, without splitting (assignments, redirection targets, case words). */
export async function expandString(word: Word, x: Expansion): Promise<string> {
  let s = '';
  for (const p of await pieces(word, x)) s += 'fieldBreak' in p ? ' ' : p.text;
  return s;
}

function globToRegex(glob: string): string {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return re;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** `case` pattern matching: unquoted parts are glob patterns, quoted parts match literally. */
export async function matchPattern(value: string, pattern: Word, x: Expansion): Promise<boolean> {
  let re = '';
  for (const p of pattern) {
    if (p.kind === 'lit') re += p.quoted ? escapeRe(p.text) : globToRegex(p.text);
    else {
      const v = p.kind === 'var' ? param(p.name, x.sh) : (await x.substitute(p.script)).replace(/\n+$/, '');
      re += p.quoted ? escapeRe(v) : globToRegex(v);
    }
  }
  return new RegExp(`^${re}$`, 's').test(value);
}
