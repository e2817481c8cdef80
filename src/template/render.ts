// Rendering entry points. Templates are parsed, checked and rewritten once per distinct source
// (cached), compiled by Handlebars on first use, and rendered per host. A template that is a single
// mustache returns the value with its type; Unknown values (dry run) come back as Unknown.

import {
  Unknown, combineUnknowns, hasUnknownMark, isUnknown, replaceUnknownMarks, unknownsInString,
} from '../expr/index.js';
import { analyzeTemplate, type Analysis, type TemplateRootReference } from './analyze.js';
import { HelperFailure, TemplateError, type TemplateProblem } from './errors.js';
import type { ProgramNode } from './nodes.js';
import { lineStarts, offsetOf, spanOf, type LineStarts } from './positions.js';
import { KNOWN_HELPERS, captureSlot, environment, invoke, verifyFastInvoke } from './runtime.js';
import { parseTemplate } from './syntax.js';
import { quickAnalysis } from './quick.js';

export type TemplateScope = Readonly<Record<string, unknown>>;

interface Prepared extends Analysis {
  readonly source: string;
  readonly starts: LineStarts;
  readonly template?: Handlebars.TemplateDelegate;
  /** Analysed by the quick scan: parsed and compiled at its first render (see quick.ts). */
  readonly quick?: true;
}

const cache = new Map<string, Prepared>();
const CACHE_LIMIT = 10_000;

/** True if the string contains '{{' and so must be rendered; anything else is used verbatim. */
export function isTemplate(value: string): boolean {
  return value.includes('{{');
}

function prepare(source: string): Prepared {
  const cached = cache.get(source);
  if (cached) return cached;
  const quick = quickAnalysis(source);
  const prepared: Prepared = quick ? { ...quick, source, starts: lineStarts(source), quick: true } : parseAndCompile(source);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, prepared);
  return prepared;
}

/** What a render needs: the full parse, analysis and (lazy) compile; replaces a quick entry. */
function compiled(prepared: Prepared): Prepared {
  if (!prepared.quick) return prepared;
  const full = parseAndCompile(prepared.source);
  cache.set(prepared.source, full);
  return full;
}

function parseAndCompile(source: string): Prepared {
  const starts = lineStarts(source);
  const parsed = parseTemplate(source);
  let prepared: Prepared;
  if (!parsed.ok) {
    prepared = { source, starts, problems: [parsed.problem], references: [], single: false };
  } else {
    const program = parsed.program as unknown as ProgramNode;
    const analysis = analyzeTemplate(program, starts, source.length);
    const template = analysis.problems.length > 0 ? undefined : environment.compile(program as unknown as hbs.AST.Program, {
      strict: true, noEscape: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true,
    });
    prepared = { ...analysis, source, starts, template };
  }
  return prepared;
}

export type TemplateCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly problem: TemplateProblem; readonly problems: readonly TemplateProblem[] };

/** Static check for the loader: syntax, unknown helpers (with "did you mean"), argument counts. */
export function checkTemplate(source: string): TemplateCheck {
  if (!isTemplate(source)) return { ok: true };
  const { problems } = prepare(source);
  const first = problems[0];
  return first ? { ok: false, problem: first, problems } : { ok: true };
}

/** Every top-level variable reference with its position (empty if the template does not parse). */
export function templateRootReferences(source: string): readonly TemplateRootReference[] {
  return isTemplate(source) ? prepare(source).references : [];
}

/** Top-level variables the template requires, in first-use order; `default`/`defined` paths excluded. */
export function templateRoots(source: string): string[] {
  return [...new Set(templateRootReferences(source).filter((ref) => !ref.optional).map((ref) => ref.name))];
}

function toTemplateError(error: unknown, prepared: Prepared): TemplateError {
  if (error instanceof TemplateError) return error;
  const { source, starts } = prepared;
  if (error instanceof HelperFailure) {
    const span = spanOf(starts, error.loc, source.length) ?? { offset: 0, length: source.length };
    return new TemplateError(error.message, span.offset, span.length);
  }
  const e = error as { message?: unknown; lineNumber?: unknown; column?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  // Handlebars' strict-mode message also prints the container ("… not defined in <value>"): drop it.
  const missing = /^"([^"]+)" not defined in/.exec(message);
  if (missing) {
    const name = missing[1]!;
    const offset = typeof e.lineNumber === 'number' && typeof e.column === 'number'
      ? offsetOf(starts, e.lineNumber, e.column, source.length)
      : Math.max(0, source.indexOf(name));
    return new TemplateError(`undefined variable '${name}'`, offset, name.length);
  }
  return new TemplateError(`template failed: ${message.replace(/ - \d+:\d+$/, '')}`, 0, source.length);
}

function execute(given: Prepared, scope: TemplateScope): string {
  const prepared = compiled(given);
  const problem = prepared.problems[0];
  if (problem || !prepared.template) throw TemplateError.from(problem ?? { message: 'template cannot be compiled', offset: 0, length: 0 });
  captureSlot.value = undefined;
  if (!probed) probeFastInvoke();
  try {
    return invoke(prepared.template, scope);
  } catch (error) {
    throw toTemplateError(error, prepared);
  }
}

function unknownIn(text: string): Unknown | undefined {
  return hasUnknownMark(text) ? combineUnknowns(unknownsInString(text)) : undefined;
}

/**
 * Renders a template. A string without '{{' is returned unchanged. A template that is exactly one
 * {{…}} (whitespace around allowed) returns the value with its type; otherwise a string. If the
 * output depends on an Unknown, the result is an Unknown whose reason names it.
 */
export function render(source: string, scope: TemplateScope): unknown {
  if (!isTemplate(source)) return source;
  const prepared = prepare(source);
  const output = execute(prepared, scope);
  if (prepared.single) {
    const value = captureSlot.value;
    captureSlot.value = undefined;
    if (isUnknown(value)) return value;
    if (typeof value === 'string') return unknownIn(value) ?? value;
    return value === undefined ? '' : value;
  }
  return unknownIn(output) ?? output;
}

/** The rendered text for showing to people: Unknown parts appear as '<unknown>'. */
export function renderForDisplay(source: string, scope: TemplateScope): string {
  if (!isTemplate(source)) return source;
  const output = execute(prepare(source), scope);
  captureSlot.value = undefined;
  return replaceUnknownMarks(output);
}

// Checks once, before the first render, on a template that exercises every construct, that the fast
// invocation path renders exactly what Handlebars' ordinary one does; if not, every render takes the
// ordinary path. Not at load time: compiling the probe costs ~15 ms that `validate` never needs.
const PROBE = '{{#each xs as |x i|}}{{i}}{{x.a}}{{@index}}{{@first}}{{@root.n}}{{../n}}{{#if x.a}}y{{else}}n{{/if}}' +
  '{{/each}}{{#each m}}{{@key}}={{this}}{{/each}}{{#with m as |w|}}{{k}}{{w.k}}{{/with}}{{eq n 1}}{{quote "a b"}}';
let probed = false;
function probeFastInvoke(): void {
  probed = true;
  const probe = prepare(PROBE);
  if (probe.template) verifyFastInvoke(probe.template, { xs: [{ a: 1 }, { a: 0 }], n: 1, m: { k: 'v' } });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Renders every string inside nested lists and maps; keys and non-string values are kept. */
export function renderDeep(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') return render(value, scope);
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, scope));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = renderDeep(item, scope);
    return out;
  }
  return value;
}
