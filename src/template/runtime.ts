// The private Handlebars environment: user helpers wrapped for Unknown propagation and error
// positions, block helpers that refuse to pick a branch on an Unknown, and the internal helpers
// that the rewritten templates call for strict path lookup and typed output.

import Handlebars from './handlebars.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { ValueError, isPlainMap, isUnknown, outputText, typeName, type Unknown } from '../expr/index.js';
import { HelperFailure, TemplateError } from './errors.js';
import { BLOCK_HELPERS } from './blocks.js';
import { HELPERS, unknownArgument } from './helpers.js';

/** Names of the helpers that rewritten templates call; users cannot name them (checked statically). */
export const INTERNAL = {
  get: '__sp_get',
  try: '__sp_try',
  has: '__sp_has',
  out: '__sp_out',
  capture: '__sp_capture',
} as const;

/** How `__sp_get` explains a failed first step (analyze.ts chooses the mode per path). */
export const PathMode = {
  /** The first field is a top-level variable: "undefined variable 'x'". */
  Variable: 0,
  /** The first field is a plain name inside #each/#with, looked up on the item. */
  Item: 1,
  /** The head (block param, this, @data) is itself the value; all fields belong to it. */
  Head: 2,
} as const;
export type PathMode = (typeof PathMode)[keyof typeof PathMode];

// Helpers receive Handlebars' options object last; only the call's source location matters here.
interface Options {
  readonly loc?: unknown;
}
type HelperFunction = (this: unknown, ...args: unknown[]) => unknown;

/** The value captured by a single-mustache template; rendering is synchronous, so one slot suffices. */
export const captureSlot: { value: unknown } = { value: undefined };

const ITEM_HINT = ' (inside {{#each}} and {{#with}} plain names refer to the item: use ../name or @root.name for outer variables)';

/** One step along a path; NO_FIELD when the container is not a map or list at all. */
const NO_FIELD = Symbol('no field');
function step(value: unknown, field: string): unknown {
  if (isPlainMap(value)) return Object.hasOwn(value, field) ? value[field] : undefined;
  if (Array.isArray(value) && /^\d+$/.test(field)) return value[Number(field)];
  return NO_FIELD;
}

/**
 * Arguments (from the rewrite in analyze.ts): head value, offset, length, mode, label, ...fields.
 * Follows the fields from the head; an Unknown container short-circuits to that Unknown. A missing
 * step gives undefined when `tolerant`, else a TemplateError at the path's position.
 */
function resolve(args: readonly unknown[], count: number, tolerant: boolean): unknown {
  const [head, offset, length, mode, label] = args as [unknown, number, number, PathMode, string];
  const fail = (message: string): never => {
    throw new TemplateError(message, offset, length);
  };
  let value = head;
  if (value === undefined && mode === PathMode.Head) {
    if (tolerant) return undefined;
    fail(label.startsWith('@') ? `'${label}' is only defined inside {{#each}}` : `'${label}' is not defined here`);
  }
  let owner = label;
  for (let i = 5; i < count; i++) {
    if (isUnknown(value)) return value;
    const field = args[i] as string;
    const first = i === 5 && mode !== PathMode.Head;
    const next = step(value, field);
    if (next === NO_FIELD || next === undefined) {
      if (tolerant) return undefined;
      if (next === NO_FIELD) {
        fail(`${first ? label : `'${owner}'`} is ${typeName(value)}, so it has no field '${field}'${mode === PathMode.Item && first ? ITEM_HINT : ''}`);
      }
      const hint = didYouMean(field, isPlainMap(value) ? Object.keys(value) : []);
      if (first && mode === PathMode.Variable) fail(`undefined variable '${field}'${hint}`);
      if (first) fail(`${label} has no field '${field}'${hint || ITEM_HINT}`);
      if (Array.isArray(value)) fail(`index ${field} is out of range: '${owner}' has ${value.length} items`);
      fail(`'${owner}' has no field '${field}'${hint}`);
    }
    value = next;
    owner = first ? field : `${owner}.${field}`;
  }
  return value;
}

/** defined(path): false if a step is missing, Unknown if it runs through an Unknown container. */
function has(args: readonly unknown[], count: number): boolean | Unknown {
  let value = args[0];
  for (let i = 5; i < count; i++) {
    if (isUnknown(value)) return value;
    const next = step(value, args[i] as string);
    if (next === NO_FIELD || next === undefined) return false;
    value = next;
  }
  return value !== undefined;
}

function userHelper(name: string): HelperFunction {
  const spec = HELPERS[name]!;
  const fn = spec.fn!;
  return function (this: unknown, ...all: unknown[]): unknown {
    const options = all.pop() as Options;
    if (!spec.seesUnknown) {
      const unknown = unknownArgument(all);
      if (unknown) return unknown;
    }
    try {
      return fn(all);
    } catch (error) {
      if (error instanceof ValueError) throw new HelperFailure(error.message, options.loc);
      throw error;
    }
  };
}

/** Creates the private environment; templates compiled against it share the helpers. */
function createEnvironment(): typeof Handlebars {
  const env = Handlebars.create();
  // Handlebars' own helpers are replaced (blocks.ts) or dropped (log writes to the console).
  for (const name of Object.keys(env.helpers)) {
    if (name !== 'helperMissing' && name !== 'blockHelperMissing') env.unregisterHelper(name);
  }
  for (const [name, fn] of Object.entries(HELPER_FUNCTIONS)) env.registerHelper(name, fn as Handlebars.HelperDelegate);
  return env;
}

const HELPER_FUNCTIONS: Readonly<Record<string, HelperFunction>> = {
  ...Object.fromEntries(Object.entries(HELPERS).filter(([, spec]) => !spec.block).map(([name]) => [name, userHelper(name)])),
  ...(BLOCK_HELPERS as Record<string, HelperFunction>),
  [INTERNAL.get]: (...args: unknown[]) => resolve(args, args.length - 1, false),
  [INTERNAL.try]: (...args: unknown[]) => resolve(args, args.length - 1, true),
  [INTERNAL.has]: (...args: unknown[]) => has(args, args.length - 1),
  [INTERNAL.out]: (value: unknown) => outputText(value),
  [INTERNAL.capture]: (value: unknown) => {
    captureSlot.value = value;
    return outputText(value);
  },
};

export const environment = createEnvironment();

export const KNOWN_HELPERS: Readonly<Record<string, true>> = Object.fromEntries(
  [...Object.keys(HELPERS), ...Object.values(INTERNAL)].map((name) => [name, true as const]),
);

// Handlebars wraps every registered helper in a fresh closure on every top-level render (~10 µs
// with our helper set). Rendering as a "partial" with the helpers passed in skips that setup. The
// prototype-access policy it then expects is given explicitly: deny everything, log nothing.
const DENY_ALL = Object.freeze({
  properties: Object.freeze({ whitelist: Object.create(null) as object, defaultValue: false }),
  methods: Object.freeze({ whitelist: Object.create(null) as object, defaultValue: false }),
});
let fastInvoke = true;

/** Runs a compiled template against a scope (see the note above on the fast path). */
export function invoke(template: Handlebars.TemplateDelegate, scope: unknown): string {
  if (!fastInvoke) return template(scope);
  const options = {
    partial: true, helpers: HELPER_FUNCTIONS, partials: {}, decorators: {}, hooks: {},
    protoAccessControl: DENY_ALL, data: { root: scope },
  };
  return template(scope, options as Handlebars.RuntimeOptions);
}

/** Whether renders currently take the fast path (false after a failed verification). */
export function usesFastInvoke(): boolean {
  return fastInvoke;
}

/** Falls back to Handlebars' ordinary invocation if the fast path ever disagrees with it. */
export function verifyFastInvoke(template: Handlebars.TemplateDelegate, scope: unknown): boolean {
  let ok: boolean;
  try {
    const expected = template(scope);
    ok = invoke(template, scope) === expected;
  } catch {
    ok = false;
  }
  fastInvoke = ok;
  return ok;
}
