// The template helper set: names, arities and behaviour. The same table drives the static checks
// (unknown helper, wrong argument count, block-only helpers) and the runtime registration. Beside the
// blocks, default/defined and the comparison helpers (operators in conditions), every helper is a
// function of the vocabulary shared with conditions (expr/vocabulary.ts).

import {
  ValueError, VOCABULARY, allTruthy, anyTruthy, compareValues, findUnknownDeep, isUnknown, truthy, valuesEqual,
  versionOf, versionOperator, versionSatisfies, type Unknown, type VersionOperator,
} from '../expr/index.js';

export interface HelperSpec {
  readonly min: number;
  readonly max: number;
  /** Block helpers are only valid as {{#name}}…{{/name}}; the others only inline. */
  readonly block?: boolean;
  /** The helper decides itself what an Unknown argument means (and, or, default…). */
  readonly seesUnknown?: boolean;
  readonly fn?: (args: readonly unknown[]) => unknown;
}

function negate(value: boolean | Unknown): boolean | Unknown {
  return isUnknown(value) ? value : !value;
}

function order(op: '<' | '<=' | '>' | '>='): HelperSpec {
  return { min: 2, max: 2, fn: ([a, b]) => compareValues(a, op, b) };
}

function versionTest(op: VersionOperator): HelperSpec {
  return { min: 2, max: 2, fn: ([a, b]) => versionSatisfies(versionOf(a, 'version'), op, versionOf(b, 'version')) };
}

export const HELPERS: Readonly<Record<string, HelperSpec>> = {
  // Blocks: implemented in runtime.ts around Handlebars' own, so Unknown never picks a branch.
  if: { min: 1, max: 1, block: true },
  unless: { min: 1, max: 1, block: true },
  each: { min: 1, max: 1, block: true },
  with: { min: 1, max: 1, block: true },

  // Presence. The first argument of default and the argument of defined may be missing.
  default: {
    min: 2, max: 2, seesUnknown: true,
    fn: ([value, fallback]) => (isUnknown(value) ? value : value === undefined || value === null || value === '' ? fallback : value),
  },
  defined: { min: 1, max: 1, seesUnknown: true, fn: ([resolved]) => resolved },

  // Comparison and logic (same semantics as conditions).
  eq: { min: 2, max: 2, fn: ([a, b]) => valuesEqual(a, b) },
  ne: { min: 2, max: 2, fn: ([a, b]) => negate(valuesEqual(a, b)) },
  lt: order('<'),
  le: order('<='),
  gt: order('>'),
  ge: order('>='),
  and: { min: 2, max: Infinity, seesUnknown: true, fn: (args) => allTruthy(args) },
  or: { min: 2, max: Infinity, seesUnknown: true, fn: (args) => anyTruthy(args) },
  not: { min: 1, max: 1, fn: ([a]) => !truthy(a) },

  // Versions.
  version_compare: {
    min: 3, max: 3,
    fn: ([a, op, b]) => {
      const operator = typeof op === 'string' ? versionOperator(op) : undefined;
      if (!operator) throw new ValueError("version_compare: the operator must be one of == != < <= > >= (or eq ne lt le gt ge)");
      return versionSatisfies(versionOf(a, 'version_compare'), operator, versionOf(b, 'version_compare'));
    },
  },
  vgte: versionTest('>='),
  vgt: versionTest('>'),
  vlt: versionTest('<'),
  vlte: versionTest('<='),

  // The shared vocabulary: the same functions as in conditions, called with spaces between arguments.
  ...Object.fromEntries(Object.entries(VOCABULARY).map(([name, f]) => [name, { min: f.min, max: f.max, fn: f.fn }])),
};

export function helperSpec(name: string): HelperSpec | undefined {
  return Object.hasOwn(HELPERS, name) ? HELPERS[name] : undefined;
}

/** Any Unknown among the arguments, including one hidden in a string or nested in a list or map. */
export function unknownArgument(args: readonly unknown[]): Unknown | undefined {
  for (const arg of args) {
    if (isUnknown(arg)) return arg;
    if (typeof arg === 'string') {
      const found = findUnknownDeep(arg);
      if (found) return found;
    }
  }
  return undefined;
}
