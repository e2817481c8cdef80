// Parses a template with Handlebars and turns its syntax errors into a message and an offset in the
// template string. Handlebars reports parser errors only as text, so the position comes from its
// lexer's state right after the failure (parsing is synchronous), with the text as a fallback.

import Handlebars from './handlebars.js';
import type { TemplateProblem } from './errors.js';
import { lineStarts, offsetOf } from './positions.js';
import { environment } from './runtime.js';
import { templateHabits } from '../diagnostics/jinja-habits.js';
import { HELPERS } from './helpers.js';

export type ParsedTemplate =
  | { readonly ok: true; readonly program: hbs.AST.Program }
  | { readonly ok: false; readonly problem: TemplateProblem };

const TOKEN_NAMES: Readonly<Record<string, string>> = {
  CLOSE: "'}}'", CLOSE_UNESCAPED: "'}}}'", OPEN: "'{{'", OPEN_UNESCAPED: "'{{{'", OPEN_SEXPR: "'('",
  CLOSE_SEXPR: "')'", ID: 'a name', STRING: 'a string', NUMBER: 'a number', BOOLEAN: 'true or false',
  NULL: 'null', UNDEFINED: 'undefined', DATA: "'@'", SEP: "'.'", EQUALS: "'='", OPEN_BLOCK_PARAMS: "'as |'",
  CLOSE_BLOCK_PARAMS: "'|'", OPEN_ENDBLOCK: "'{{/'", OPEN_BLOCK: "'{{#'", OPEN_INVERSE: "'{{^'",
  INVERSE: "'{{else}}'", OPEN_INVERSE_CHAIN: "'{{else'", CONTENT: 'text', COMMENT: 'a comment',
  OPEN_PARTIAL: "'{{>'", OPEN_PARTIAL_BLOCK: "'{{#>'", CLOSE_RAW_BLOCK: "'}}}}'", END_RAW_BLOCK: "'{{{{/'",
  OPEN_RAW_BLOCK: "'{{{{'", EOF: 'the end of the template',
};

interface LexerState {
  readonly match?: unknown;
  readonly yylloc?: { readonly first_line?: unknown; readonly first_column?: unknown };
}

function lexerState(): LexerState | undefined {
  const parser = (Handlebars as unknown as { Parser?: { lexer?: LexerState } }).Parser;
  return parser?.lexer;
}

function readable(token: string): string {
  return Object.hasOwn(TOKEN_NAMES, token) ? TOKEN_NAMES[token]! : `'${token}'`;
}

/** "Expecting 'A', 'B', got 'C'" → a sentence a playbook author can act on. */
function parserMessage(raw: string, source: string, offset: number): string {
  if (raw.startsWith('Lexical error')) return `unrecognized text inside {{ }} at '${source.slice(offset, offset + 10)}'`;
  const match = /Expecting (.*), got '([^']*)'/s.exec(raw);
  if (!match) return raw.split('\n')[0] ?? raw;
  const got = match[2] ?? '';
  if (got === 'EOF') return "unexpected end of template: a '{{', '(' or block is not closed";
  if (got === 'INVALID') return `unexpected '${source.charAt(offset)}' inside {{ }}`;
  const expected = [...new Set((match[1] ?? '').split(', ').map((t) => readable(t.replace(/'/g, ''))))];
  const list = expected.length > 4 ? `${expected.slice(0, 4).join(', ')}, …` : expected.join(' or ');
  return `unexpected ${readable(got)}: expected ${list}`;
}

function positionFromText(raw: string, source: string): number {
  // Fallback only: the excerpt in the message drops newlines, so the column is approximate.
  const line = Number(/on line (\d+)/.exec(raw)?.[1] ?? '1');
  const pointer = /\n(-*)\^/.exec(raw)?.[1]?.length ?? 0;
  const excerpt = raw.split('\n')[1] ?? '';
  const column = excerpt.startsWith('...') ? 0 : pointer;
  return offsetOf(lineStarts(source), line, column, source.length);
}

function syntaxProblem(error: unknown, source: string): TemplateProblem {
  const raw = error instanceof Error ? error.message : String(error);
  const e = error as { lineNumber?: unknown; column?: unknown; endLineNumber?: unknown; endColumn?: unknown };
  const starts = lineStarts(source);
  if (typeof e.lineNumber === 'number' && typeof e.column === 'number') {
    // A Handlebars Exception with a location (mismatched block names and the like).
    const offset = offsetOf(starts, e.lineNumber, e.column, source.length);
    const end = typeof e.endLineNumber === 'number' && typeof e.endColumn === 'number'
      ? offsetOf(starts, e.endLineNumber, e.endColumn, source.length) : offset;
    const text = raw.replace(/ - \d+:\d+$/, '');
    const mismatch = /^(.*) doesn't match (.*)$/.exec(text);
    if (mismatch) {
      // Handlebars points at the opening name; the mistake is usually in the closing tag.
      const close = new RegExp(`\\{\\{~?\\s*/\\s*${escapeRegExp(mismatch[2] ?? '')}\\s*~?\\}\\}`).exec(source.slice(offset));
      const at = close ? { offset: offset + close.index, length: close[0].length } : { offset, length: Math.max(0, end - offset) };
      return { message: `'{{/${mismatch[2]}}}' does not close '{{#${mismatch[1]}}}'`, ...at };
    }
    return { message: text, offset, length: Math.max(0, end - offset) };
  }
  const lexer = lexerState();
  const loc = lexer?.yylloc;
  let offset: number;
  if (typeof loc?.first_line === 'number' && typeof loc.first_column === 'number') {
    offset = offsetOf(starts, loc.first_line, loc.first_column, source.length);
  } else {
    offset = positionFromText(raw, source);
  }
  const unclosed = unclosedMustache(source, offset);
  if (unclosed !== undefined && /got '(EOF|INVALID)'$/.test(raw)) {
    return { message: "'{{' is not closed: expected '}}'", offset: unclosed, length: 2 };
  }
  const tokenLength = typeof lexer?.match === 'string' ? lexer.match.length : 1;
  const length = Math.min(Math.max(tokenLength, offset < source.length ? 1 : 0), source.length - offset);
  return { message: parserMessage(raw, source, offset), offset, length };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Offset of the last '{{' before `offset` that has no '}}' after it, if any. */
function unclosedMustache(source: string, offset: number): number | undefined {
  const open = source.lastIndexOf('{{', Math.min(offset, source.length - 1));
  if (open === -1 || source.indexOf('}}', open) !== -1) return undefined;
  return open;
}

/**
 * Nesting of blocks and helper calls, all together: far past any real template, well short of the call
 * stack of Handlebars' compiler and of our analyzer, which walk the tree recursively.
 */
export const MAX_TEMPLATE_NESTING = 64;

/** Where blocks ({{#…}}) and sub-expressions ((helper …)) first nest past the limit, if they do. */
function nestingProblem(source: string): TemplateProblem | undefined {
  let blocks = 0;
  for (let i = source.indexOf('{{'); i !== -1; i = source.indexOf('{{', i)) {
    let j = i + 2;
    while (source[j] === '{' || source[j] === '~') j++;
    if (source[j] === '!') {
      // a comment: '{{!-- … --}}' or '{{! … }}', whatever it holds
      const close = source.startsWith('--', j + 1) ? source.indexOf('--', j + 3) : source.indexOf('}}', j);
      i = close === -1 ? source.length : close + 2;
      continue;
    }
    if (source[j] === '#') blocks++;
    else if (source[j] === '/') blocks--;
    let parens = 0;
    let quote = '';
    for (; j < source.length && !(quote === '' && source.startsWith('}}', j)); j++) {
      const c = source[j]!;
      if (quote !== '') {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '(') parens++;
      else if (c === ')') parens--;
      if (blocks + parens > MAX_TEMPLATE_NESTING) {
        return { message: `blocks and helper calls nest more than ${MAX_TEMPLATE_NESTING} levels deep here: split the template up`, offset: c === '(' ? j : i, length: c === '(' ? 1 : 2 };
      }
    }
    i = j;
  }
  return undefined;
}

/** The raw AST (no whitespace processing yet: compile() applies it once, after our rewrite). */
export function parseTemplate(source: string): ParsedTemplate {
  const deep = nestingProblem(source);
  if (deep !== undefined) return { ok: false, problem: deep };
  try {
    return { ok: true, program: environment.parseWithoutProcessing(source) };
  } catch (error) {
    // a Jinja filter ('{{ x | f }}') anywhere is the likelier mistake than what the parser tripped on
    const habit = templateHabits(source, new Set(Object.keys(HELPERS)))[0];
    return { ok: false, problem: habit ?? syntaxProblem(error, source) };
  }
}
