// The fixed whitelist of condition functions and how many arguments each takes: defined() and
// default(), which take a path, plus the shared vocabulary of conditions and templates.

import { VOCABULARY } from './vocabulary.js';

export interface FunctionSignature {
  readonly min: number;
  readonly max: number;
  readonly summary: string;
}

export const FUNCTION_SIGNATURES: Readonly<Record<string, FunctionSignature>> = {
  defined: { min: 1, max: 1, summary: 'defined(path): true if the path resolves' },
  default: { min: 2, max: 2, summary: 'default(value, fallback): fallback if value is missing, null or ""' },
  ...Object.fromEntries(Object.entries(VOCABULARY).map(([name, f]) => [name, { min: f.min, max: f.max, summary: f.summary }])),
};

export function describeArity(signature: FunctionSignature): string {
  const noun = (n: number): string => (n === 1 ? 'argument' : 'arguments');
  if (signature.min === signature.max) return `${signature.min} ${noun(signature.min)}`;
  return `${signature.min} to ${signature.max} arguments`;
}
