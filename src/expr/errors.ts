// Runtime errors of the condition language. Messages name variables, fields and types, never the
// values themselves: a value may be a secret.

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';

  constructor(
    message: string,
    readonly offset: number,
    readonly length: number,
  ) {
    super(message);
  }
}

/** A type or value error raised by a shared value operation; the caller adds the position. */
export class ValueError extends Error {
  override readonly name = 'ValueError';

  /** Which operand the problem is about, when an operator knows; otherwise the operator itself. */
  constructor(message: string, readonly side?: 'left' | 'right') {
    super(message);
  }
}
