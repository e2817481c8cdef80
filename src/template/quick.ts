// The loader checks every template of a playbook, and most are plain variables in text ("step {{i}}
// on {{inventory_hostname}}"). For those, what Handlebars' parser and the analyzer would report is
// known from a scan: no problems, one root reference per mustache, `single` when it stands alone.
// Anything else (helpers, blocks, paths with ../ or @, whitespace control, escapes) gets the full
// parse. A test holds the scan to the parser's answer on every template it accepts.

import type { Analysis, TemplateRootReference } from './analyze.js';
import { KNOWN_HELPERS } from './runtime.js';

const MUSTACHE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;
/** Words the Handlebars lexer reads as something other than a name. */
const RESERVED = new Set(['this', 'true', 'false', 'null', 'undefined', 'else', 'as']);
/** Handlebars' own helper names: `{{name}}` alone may call one. */
const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup', 'log', 'helperMissing', 'blockHelperMissing'];
let helperNames: Set<string> | undefined;

/** The analysis of a template made only of text and `{{name}}`/`{{a.b}}` mustaches, else undefined. */
export function quickAnalysis(source: string): Analysis | undefined {
  // NUL (the lexer refuses it) and the Unicode line separators (its column counting differs) go to the parser
  if (source.includes('\\') || source.includes('{{{') || source.includes('}}}') || /[\0\u2028\u2029]/.test(source)) return undefined;
  helperNames ??= new Set([...Object.keys(KNOWN_HELPERS), ...BUILTIN_HELPERS]);
  const references: TemplateRootReference[] = [];
  let end = 0;
  let text = '';
  for (const m of source.matchAll(MUSTACHE)) {
    const before = source.slice(end, m.index);
    if (before.includes('{{')) return undefined; // a mustache this scan does not read
    text += before;
    const path = m[1]!;
    const parts = path.split('.');
    if (parts.some((p) => RESERVED.has(p)) || (parts.length === 1 && helperNames.has(path))) return undefined;
    references.push({ name: parts[0]!, offset: m.index + m[0].indexOf(path), length: path.length, optional: false });
    end = m.index + m[0].length;
  }
  const after = source.slice(end);
  if (references.length === 0 || after.includes('{{')) return undefined;
  text += after;
  return { problems: [], references, single: references.length === 1 && text.trim() === '' };
}
