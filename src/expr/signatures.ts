// The fixed whitelist of condition functions and how many arguments each takes. Kept apart from the
// implementations so the parser can check calls without loading the evaluator.

export interface FunctionSignature {
  readonly min: number;
  readonly max: number;
  readonly summary: string;
}

export const FUNCTION_SIGNATURES: Readonly<Record<string, FunctionSignature>> = {
  defined: { min: 1, max: 1, summary: 'defined(path): true if the path resolves' },
  default: { min: 2, max: 2, summary: 'default(value, fallback): fallback if value is missing, null or ""' },
  len: { min: 1, max: 1, summary: 'len(x): length of a string, list or map' },
  lower: { min: 1, max: 1, summary: 'lower(s)' },
  upper: { min: 1, max: 1, summary: 'upper(s)' },
  trim: { min: 1, max: 1, summary: 'trim(s): without leading/trailing whitespace' },
  int: { min: 1, max: 1, summary: 'int(x): integer from a number, integer string or boolean' },
  str: { min: 1, max: 1, summary: 'str(x): text form of a value' },
  version: { min: 1, max: 1, summary: 'version(s): a comparable version' },
  startswith: { min: 2, max: 2, summary: 'startswith(s, prefix)' },
  endswith: { min: 2, max: 2, summary: 'endswith(s, suffix)' },
  any: { min: 1, max: 1, summary: 'any(list): true if some item is truthy' },
  all: { min: 1, max: 1, summary: 'all(list): true if every item is truthy' },
  keys: { min: 1, max: 1, summary: 'keys(map): the keys of a map' },
  count: { min: 3, max: 3, summary: "count(list, 'field', value): items whose field equals value" },
};

export function describeArity(signature: FunctionSignature): string {
  const noun = (n: number): string => (n === 1 ? 'argument' : 'arguments');
  if (signature.min === signature.max) return `${signature.min} ${noun(signature.min)}`;
  return `${signature.min} to ${signature.max} arguments`;
}
