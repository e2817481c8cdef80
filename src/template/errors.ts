// Errors of the template layer. A TemplateError always carries an offset and length within the
// template string, so the loader and executor can point at the template's own line and column.

export interface TemplateProblem {
  readonly message: string;
  readonly offset: number;
  readonly length: number;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';

  constructor(
    message: string,
    readonly offset: number,
    readonly length: number,
  ) {
    super(message);
  }

  static from(problem: TemplateProblem): TemplateError {
    return new TemplateError(problem.message, problem.offset, problem.length);
  }
}

/** Thrown inside a helper; carries Handlebars' location of the call so render() can add an offset. */
export class HelperFailure extends Error {
  override readonly name = 'HelperFailure';

  constructor(
    message: string,
    readonly loc: unknown,
  ) {
    super(message);
  }
}
