// Public face of the condition language (`when`, `until`, `failed_when`, `changed_when`): parse once
// (cached by source), check statically with referencedRoots, evaluate per host with a scope.

export type {
  BinaryOperator, ComparisonOperator, Expr, ExpressionProblem, Literal, PathNode,
} from './ast.js';
export { isPath } from './ast.js';
export { ExpressionError, ValueError } from './errors.js';
export { evaluate, evaluateCondition, type Scope } from './evaluate.js';
export { parseExpression, type ParseResult } from './parse.js';
export { optionalRoots, referencedRoots, rootReferences, type RootReference } from './roots.js';
export { FUNCTION_SIGNATURES, type FunctionSignature } from './signatures.js';
export {
  UNKNOWN_MARK, Unknown, combineUnknowns, findUnknownDeep, hasUnknownMark, isUnknown,
  replaceUnknownMarks, unknownsInString,
} from './unknown.js';
export {
  allTruthy, anyTruthy, compareValues, contains, isPlainMap, toInteger, toText, truthy, typeName, valuesEqual,
  type PlainMap,
} from './values.js';
export { lengthOf, versionOf } from './functions.js';
export { VOCABULARY, type VocabularyFunction } from './vocabulary.js';
export { outputText } from './text.js';
export {
  Version, compareVersions, parseVersion, toVersion, versionOperator, versionSatisfies,
  type VersionOperator,
} from './version.js';
